/**
 * A session ended somewhere else than the page under test: "Sign out everywhere" from another computer, and the wait
 * until the server refuses the page's cookie (within SESSION_CHECK_SECONDS, 1 s in end-to-end runs).
 */
import { expect, type Browser, type Page } from "@playwright/test";
import { FRESH_USER_PASSWORD } from "./fresh-user";
import { SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

/** On another computer: signs in as `identifier` (a fresh user's password) and signs out everywhere. */
export async function signOutEverywhereElsewhere(browser: Browser, baseURL: string | undefined, identifier: string): Promise<void> {
  const elsewhere = await browser.newContext({ baseURL });
  try {
    const there = await elsewhere.newPage();
    await new SignInPage(there).signIn(identifier, FRESH_USER_PASSWORD);
    await new ThreadsPage(there).signOutEverywhere();
  } finally {
    await elsewhere.close();
  }
}

/** Waits until a read with `page`'s cookies is answered 401 (the page itself has not asked yet). */
export async function untilReadsRefused(page: Page): Promise<void> {
  const listStatus = async () => (await page.request.get(`/api/trpc/threads.list?input=${encodeURIComponent(JSON.stringify({ json: { first: 5 } }))}`)).status();
  await expect.poll(listStatus, { timeout: 10_000 }).toBe(401);
}
