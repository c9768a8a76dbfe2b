/**
 * Sign-in safety in a real browser: no open redirect through callbackUrl, and nothing of the previous user's data in
 * the tab after a sign-out and a sign-in as somebody else, nor in another tab left open, nor in a tab whose session
 * ended elsewhere.
 */
import { randomUUID } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { signOutEverywhereElsewhere, untilReadsRefused } from "./ended-session";
import { FRESH_USER_PASSWORD, freshIdentifier, onTable, seedThreads, topicThreadOf, userCli } from "./fresh-user";
import { DEMO_PASSWORD, SignInPage } from "./pages/sign-in-page";
import { ThreadPage } from "./pages/thread-page";
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

/** Nothing of hers in the document now, nor ever since the watch began. */
async function showsNoneOf(page: Page, alices: string[]) {
  const text = await page.evaluate(() => document.body.innerText);
  for (const title of alices) expect(text, title).not.toContain(title);
  expect(await page.evaluate(() => (window as unknown as { tbSeen?: string[] }).tbSeen)).toEqual([]);
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
    const alicesThread = page.url();
    // Then another, so her first thread stays in the tab's history (the sign-out replaces the entry it leaves).
    await threads.rows.filter({ hasText: alices[1]! }).first().click();
    await expect(page).not.toHaveURL(alicesThread);
    // In whichever document the tab shows from the sign-out on (the same one, or a fresh load).
    await page.addInitScript(watchFor, alices);
    await threads.signOut();
    await expect(signIn.heading).toBeVisible();
    await page.evaluate(watchFor, alices);

    await signIn.submit("bob@example.com", DEMO_PASSWORD);
    await expect(threads.currentUser).toHaveText("bob@example.com");
    expect(new Set(await titles(page))).toEqual(bobs);
    await showsNoneOf(page, alices);

    // Back two entries, past the sign-in page's (where the sign-out left the tab) to her first thread's: loaded
    // again, for bob, a 404; never hers from a cache.
    await page.evaluate(() => history.go(-2));
    await expect(page).toHaveURL(alicesThread);
    await expect(new ThreadPage(page).notFoundHeading).toBeVisible();
    await showsNoneOf(page, alices);
  });

  /** Alice signed in on `page` with one of her threads open; her titles not in bob's list. */
  async function aliceOnAThread(page: Page, browser: Browser, baseURL: string): Promise<string[]> {
    const bobs = await bobsTitlesInAFreshTab(browser, baseURL);
    await new SignInPage(page).signIn("alice@example.com");
    const alices = (await titles(page)).filter((title) => !bobs.has(title));
    await new ThreadsPage(page).rows.filter({ hasText: alices[0]! }).first().click();
    await expect(page).toHaveURL(/\/threads\/.+/);
    await page.addInitScript(watchFor, alices);
    await page.evaluate(watchFor, alices);
    return alices;
  }

  test("a tab left open on alice's thread is emptied when she signs out in another tab", async ({ page, context, browser, baseURL }) => {
    const alices = await aliceOnAThread(page, browser, baseURL!);
    const other = await context.newPage();
    await other.goto("/threads");
    await new ThreadsPage(other).signOut();
    // Nobody touched the first tab: it leaves her thread by itself.
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(new SignInPage(page).heading).toBeVisible();
    await new SignInPage(other).submit("bob@example.com", DEMO_PASSWORD);
    await expect(new ThreadsPage(other).currentUser).toHaveText("bob@example.com");
    await showsNoneOf(page, alices);
    await other.close();
  });

  test("a tab left open on alice's thread is emptied when bob signs in in another tab", async ({ page, context, browser, baseURL }) => {
    const alices = await aliceOnAThread(page, browser, baseURL!);
    // Her session ended without a word to this tab (it expired, or was ended from elsewhere), then bob signs in here.
    await context.clearCookies();
    const other = await context.newPage();
    await new SignInPage(other).signIn("bob@example.com");
    await expect(new ThreadsPage(other).currentUser).toHaveText("bob@example.com");
    // The first tab now shows bob's own list, as any page he opens would.
    await expect(new ThreadsPage(page).currentUser).toHaveText("bob@example.com");
    await expect(page).toHaveURL(/\/threads$/);
    await showsNoneOf(page, alices);
    await other.close();
  });

  test("a tab whose session was ended from another browser is emptied at its next read", async ({ page, browser, baseURL }) => {
    const identifier = freshIdentifier("ended-elsewhere");
    const name = `Ended elsewhere ${randomUUID().slice(0, 8)}`;
    await userCli({ command: "add", identifier, name: null });
    const [threadId] = await onTable((data) => seedThreads(data, [{ ...topicThreadOf(identifier, 0), name }]));
    try {
      await new SignInPage(page).signIn(identifier, FRESH_USER_PASSWORD);
      await expect(new ThreadsPage(page).currentUser).toHaveText(identifier);
      await page.goto(`/threads/${threadId}`);
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
      await signOutEverywhereElsewhere(browser, baseURL, identifier);
      // Anyone at the first computer's keyboard: the first read answered 401 takes the thread off the screen.
      // Ended on the server within SESSION_CHECK_SECONDS (1 s in end-to-end runs); the tab has not asked yet.
      await untilReadsRefused(page);
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
      await new ThreadsPage(page).search.fill("budget");
      await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
      await expect(new SignInPage(page).heading).toBeVisible();
      expect(await page.evaluate(() => document.body.innerText)).not.toContain(name);
      // Signing in again comes back to the thread.
      await new SignInPage(page).submit(identifier, FRESH_USER_PASSWORD);
      await expect(page).toHaveURL(new RegExp(`/threads/${threadId}$`));
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    } finally {
      await userCli({ command: "remove", identifier, keepThreads: false });
    }
  });

  /**
   * Alice signed in on `page`, on a new chat; then the browser's session cookie becomes bob's without a word to her
   * page, as a sign-in of his in another tab leaves it before that tab tells this one. Bob's titles, from before.
   */
  async function aliceUnderBobsCookie(page: Page, browser: Browser, baseURL: string): Promise<Set<string>> {
    const elsewhere = await browser.newContext({ baseURL });
    await new SignInPage(await elsewhere.newPage()).signIn("bob@example.com");
    const bobsCookies = (await elsewhere.storageState()).cookies;
    await elsewhere.close();
    const bobs = await bobsTitlesInAFreshTab(browser, baseURL);
    await new SignInPage(page).signIn("alice@example.com");
    await expect(new ThreadsPage(page).currentUser).toHaveText("alice@example.com");
    await page.context().clearCookies();
    await page.context().addCookies(bobsCookies);
    return bobs;
  }

  test("hostile: a page of alice's still open when the browser's session became bob's, with no word to it, sends nothing as bob", async ({ page, browser, baseURL }) => {
    const conversation = new ThreadPage(page);
    const hers = `alice's unsent plan ${randomUUID().slice(0, 8)}`;
    const bobsBefore = await aliceUnderBobsCookie(page, browser, baseURL!);
    await conversation.composer.fill(hers);
    // Sending makes the new chat's thread first (threads.create), then sends into it (chat.send).
    const answers: number[] = [];
    page.on("response", (response) => {
      if (/\/api\/trpc\/.*(threads\.create|chat\.send)/.test(response.url())) answers.push(response.status());
    });
    await conversation.composer.press("Enter");
    // Refused as a request of another user's page: nothing made for bob.
    await expect.poll(() => answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 401), String(answers)).toBe(true);
    expect(await bobsTitlesInAFreshTab(browser, baseURL!)).toEqual(bobsBefore);
  });

  test("hostile: Export all from a page of alice's, when the browser's session became bob's, does not give her bob's account", async ({ page, browser, baseURL }) => {
    await aliceUnderBobsCookie(page, browser, baseURL!);
    const downloads: string[] = [];
    page.on("download", (download) => downloads.push(download.suggestedFilename()));
    const answer = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/export");
    await new ThreadsPage(page).chooseFromUserMenu("Export all");
    expect((await answer).status()).toBe(401);
    expect(downloads).toEqual([]);
  });

  test("what alice's pages kept in browser storage is gone before bob's read it, though her session ended without a sign-out", async ({ page }) => {
    await new SignInPage(page).signIn("alice@example.com");
    await expect(new ThreadsPage(page).currentUser).toHaveText("alice@example.com");
    // Her pages' keys: the mark of a delete job of hers (deletion-mark.ts) and one for this tab alone.
    await page.evaluate(() => {
      localStorage.setItem("threadbook.deletion-running", "1");
      sessionStorage.setItem("threadbook.probe", "alice's");
    });
    // Her session ends with no word to this browser (it expired), and bob signs in in the same tab.
    await page.context().clearCookies();
    await new SignInPage(page).signIn("bob@example.com");
    await expect(new ThreadsPage(page).currentUser).toHaveText("bob@example.com");
    const kept = await page.evaluate(() => [localStorage.getItem("threadbook.deletion-running"), sessionStorage.getItem("threadbook.probe")]);
    expect(kept).toEqual([null, null]);
    // Her storage tag tells nobody who she was.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain("alice");
  });
});

/**
 * Playwright starts Chromium with its back/forward cache turned off; Chrome has it on. A page it keeps there comes
 * back on Back or Forward as it was left, fields filled in, without asking the server. These tests run in a browser
 * of their own with the cache on (docs/security.md, "Back and Forward on a shared computer").
 */
test.describe("Back and Forward with the browser's back/forward cache on", () => {
  test.slow();
  let cached: Browser;
  test.beforeAll(async ({ playwright, launchOptions }) => {
    cached = await playwright.chromium.launch({ ...launchOptions, ignoreDefaultArgs: ["--disable-back-forward-cache"] });
  });
  test.afterAll(async () => cached?.close());

  /** Marks the page's document: the mark is there after Back only if the browser put this very document back. */
  const markDocument = (page: Page) => page.evaluate(() => ((window as unknown as { tbLeft?: boolean }).tbLeft = true));
  const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { tbLeft?: boolean }).tbLeft === true);

  test("hostile: a password typed on the sign-in page and left unsent is not there after Back", async ({ baseURL }) => {
    const context = await cached.newContext({ baseURL });
    try {
      const page = await context.newPage();
      const signIn = new SignInPage(page);
      await page.goto("/sign-in");
      await signIn.identifier.fill("alice@example.com");
      await signIn.password.fill(DEMO_PASSWORD);
      await markDocument(page);
      // She walks away from the computer by another page; whoever sits down goes Back.
      await page.goto("/share/left-for-another-page");
      await page.goBack({ waitUntil: "commit" });
      await expect(signIn.heading).toBeVisible();
      // Chrome put the very page back (the test proves nothing otherwise), her address in it, as a browser refills one.
      expect(await sameDocument(page)).toBe(true);
      await expect(signIn.identifier).toHaveValue("alice@example.com");
      await expect(signIn.password).toHaveValue("");
      await signIn.submitButton.click();
      await expect(page).toHaveURL(/\/sign-in/);
    } finally {
      await context.close();
    }
  });

  test("after alice signs out and bob signs in in the same tab, Back to each of her pages loads it again, for bob", async ({ baseURL }) => {
    const bobs = await bobsTitlesInAFreshTab(cached, baseURL!);
    const context = await cached.newContext({ baseURL });
    try {
      const page = await context.newPage();
      const threads = new ThreadsPage(page);
      await new SignInPage(page).signIn("alice@example.com");
      const alices = (await titles(page)).filter((title) => !bobs.has(title));
      // Her pages in the tab's history, each its own document (page loads, as from the address bar) and one opened
      // from the list, each marked.
      await threads.rows.filter({ hasText: alices[0]! }).first().click();
      await expect(page).toHaveURL(/\/threads\/.+/);
      await markDocument(page);
      await page.goto(await threads.rows.filter({ hasText: alices[1]! }).first().getByRole("link").getAttribute("href").then((href) => href!));
      await expect(threads.rows.first()).toBeVisible();
      await markDocument(page);
      await page.goto("/threads");
      await expect(threads.rows.first()).toBeVisible();
      await page.addInitScript(watchFor, alices);
      await threads.signOut();
      await new SignInPage(page).submit("bob@example.com", DEMO_PASSWORD);
      await expect(threads.currentUser).toHaveText("bob@example.com");
      await page.evaluate(watchFor, alices);

      // Back, entry by entry, to the first: every one is loaded again for bob, none put back as she left it.
      let steps = 0;
      const canGoBack = () => page.evaluate(() => (window as unknown as { navigation: { canGoBack: boolean } }).navigation.canGoBack);
      while (await canGoBack()) {
        await page.goBack({ waitUntil: "commit" });
        await expect(threads.currentUser.or(new ThreadPage(page).notFoundHeading).first()).toBeVisible();
        expect(await sameDocument(page), page.url()).toBe(false);
        await showsNoneOf(page, alices);
        steps++;
      }
      expect(steps).toBeGreaterThanOrEqual(3);
    } finally {
      await context.close();
    }
  });
});
