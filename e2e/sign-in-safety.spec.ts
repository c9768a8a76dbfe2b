/**
 * Sign-in safety in a real browser: no open redirect through callbackUrl, and nothing of the previous user's data in
 * the tab after a sign-out and a sign-in as somebody else.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { DEMO_PASSWORD, SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

const HOSTILE_CALLBACKS = ["//evil.example/", "/\\evil.example", "/%09/evil.example", "https://evil.example/threads"];

/**
 * Records every listed title that ever shows in the document, from now on: a stale cache shows for a moment only,
 * before a refetch replaces it, so one look at the end would miss it.
 */
function watchFor(titles: string[]) {
  const w = window as unknown as { tbSeen?: string[] };
  if (w.tbSeen) return;
  const seen: string[] = (w.tbSeen = []);
  const check = () => {
    const text = document.body?.innerText ?? "";
    for (const title of titles) if (text.includes(title) && !seen.includes(title)) seen.push(title);
  };
  new MutationObserver(check).observe(document.documentElement, { subtree: true, childList: true, characterData: true });
  check();
}

async function titles(page: Page): Promise<string[]> {
  const threads = new ThreadsPage(page);
  await expect(threads.rows.first()).toBeVisible();
  return (await threads.rows.allInnerTexts()).map((t) => t.split("\n")[0]!.trim()).filter(Boolean);
}

async function bobsTitlesInAFreshTab(browser: Browser, baseURL: string): Promise<Set<string>> {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    await new SignInPage(page).signIn("bob@example.com");
    return new Set(await titles(page));
  } finally {
    await context.close();
  }
}

test.describe("sign-in safety", () => {
  // Several sign-ins per test.
  test.slow();

  test("callbackUrl never leads to another origin, before or after signing in", async ({ page, baseURL }) => {
    const app = new URL(baseURL!).origin;
    // Signing in with a hostile callbackUrl lands on the app's own thread list.
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(HOSTILE_CALLBACKS[0]!)}`);
    await new SignInPage(page).submit("alice@example.com", DEMO_PASSWORD);
    await expect(page).toHaveURL(`${app}/threads`);
    // Signed in, the sign-in page forwards to callbackUrl at once: only to the app's own pages.
    for (const callback of HOSTILE_CALLBACKS) {
      await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(callback)}`);
      await expect(page, callback).toHaveURL(`${app}/threads`);
    }
  });

  test("after alice signs out, bob signing in in the same tab sees none of her thread titles", async ({ page, browser, baseURL }) => {
    const bobs = await bobsTitlesInAFreshTab(browser, baseURL!);
    const signIn = new SignInPage(page);
    await signIn.signIn("alice@example.com");
    const alices = (await titles(page)).filter((title) => !bobs.has(title));
    expect(alices.length).toBeGreaterThan(5);
    // Something alice-only in the tab's stores beyond the list: an opened thread.
    const threads = new ThreadsPage(page);
    await threads.rows.filter({ hasText: alices[0]! }).first().click();
    await expect(page).toHaveURL(/\/threads\/.+/);
    // In whichever document the tab shows from the sign-out on (the same one, or a fresh load).
    await page.addInitScript(watchFor, alices);
    await threads.signOut();
    await expect(signIn.heading).toBeVisible();
    await page.evaluate(watchFor, alices);

    await signIn.submit("bob@example.com", DEMO_PASSWORD);
    await expect(threads.currentUser).toHaveText("bob@example.com");
    expect(new Set(await titles(page))).toEqual(bobs);
    const text = await page.evaluate(() => document.body.innerText);
    for (const title of alices) expect(text, title).not.toContain(title);
    expect(await page.evaluate(() => (window as unknown as { tbSeen?: string[] }).tbSeen)).toEqual([]);
  });
});
