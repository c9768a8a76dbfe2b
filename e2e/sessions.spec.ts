/**
 * Revocable sessions against the running app: an operator removes a user (the `npm run user -- remove` code path on
 * the app's table), or the user signs out everywhere; the old session cookie then gets 401 from the API and the
 * sign-in page from the pages, within the app's SESSION_CHECK_SECONDS (1 s in end-to-end runs).
 */
import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { FRESH_USER_PASSWORD as PASSWORD, userCli } from "./fresh-user";
import { SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

/** threads.list over HTTP as the browser's tRPC client sends it; the status code is what matters here. */
const listStatus = async (request: APIRequestContext) =>
  (await request.get(`/api/trpc/threads.list?input=${encodeURIComponent(JSON.stringify({ json: { first: 5 } }))}`)).status();

/** A fresh user added with the CLI, signed in through the form, typed in another case than stored. */
async function freshUserSignedIn(page: Page) {
  const identifier = `Revoke.Me-${randomUUID()}@Example.com`;
  await userCli({ command: "add", identifier, name: null });
  await new SignInPage(page).signIn(identifier.toLowerCase(), PASSWORD);
  await expect(page).toHaveURL(/\/threads/);
  // Signed in as the identifier stored, case kept.
  await expect(new ThreadsPage(page).currentUser).toHaveText(identifier);
  return identifier;
}

test.describe("revocable sessions", () => {
  test("removing a user ends their session: the API answers 401 and a reload lands on sign-in", async ({ page }) => {
    const identifier = await freshUserSignedIn(page);
    expect(await listStatus(page.request)).toBe(200);

    await userCli({ command: "remove", identifier, keepThreads: true });

    await expect.poll(() => listStatus(page.request), { timeout: 10_000 }).toBe(401);
    await page.reload();
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("sign out everywhere ends this browser's session and another's", async ({ page, browser }) => {
    test.slow(); // two sign-ins and a revocation on a shared machine
    const identifier = await freshUserSignedIn(page);
    const other = await browser.newContext();
    try {
      const otherPage = await other.newPage();
      await new SignInPage(otherPage).signIn(identifier, PASSWORD);
      await expect(otherPage).toHaveURL(/\/threads/);
      expect(await listStatus(otherPage.request)).toBe(200);

      await new ThreadsPage(page).signOutEverywhere();

      await expect.poll(() => listStatus(otherPage.request), { timeout: 10_000 }).toBe(401);
      await otherPage.reload();
      await expect(otherPage).toHaveURL(/\/sign-in/);
    } finally {
      await other.close();
      await userCli({ command: "remove", identifier, keepThreads: true });
    }
  });
});
