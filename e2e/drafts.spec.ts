/**
 * Drafts (src/lib/client/draft-store.ts, components/composer/use-draft.ts): what is typed in a message box, or in the
 * editor of a sent message, comes back after a reload and after signing in again as the same user once the session
 * ended elsewhere; it goes once the server has the message, and never reaches another user of the browser. An Enter
 * pressed before the page has hydrated is not lost. The fake assistant answers "Echo: <message>".
 */
import { randomUUID } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";
import { signOutEverywhereElsewhere, untilReadsRefused } from "./ended-session";
import { FRESH_USER_PASSWORD, freshIdentifier, onTable, ownUser, seedThreads, showcaseThread, topicThreadOf, userCli } from "./fresh-user";
import { DEMO_PASSWORD, SignInPage } from "./pages/sign-in-page";
import { ThreadPage } from "./pages/thread-page";
import { FIRST_LOAD_MS, ThreadsPage } from "./pages/threads-page";

const test = ownUser("drafts", (data, identifier) => seedThreads(data, [showcaseThread(identifier), topicThreadOf(identifier, 0)]));

/** What the composer says while an Enter pressed before the app ran waits for it. */
const EARLY_SEND_NOTE = "Sending as soon as the page is ready…";

/** Something typed, unique to the test, so any copy of it (storage, a request, a page) is found. */
const secret = (who: string) => `${who} drafted ${randomUUID().slice(0, 8)}`;

/** Everything the page's origin keeps in localStorage and sessionStorage, as one string. */
const browserStorage = (page: Page) => page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));

/** Types `text` into `box` until the draft is in the browser's storage (typed before hydration, it is typed again). */
async function typeDraft(page: Page, box: Locator, text: string) {
  await expect(async () => {
    await box.fill(text);
    await expect.poll(() => browserStorage(page), { timeout: 2_000 }).toContain(text);
  }).toPass();
}

/** Every request's URL, headers and body from now on: a draft never leaves the browser. */
function recordRequests(page: Page): string[] {
  const sent: string[] = [];
  page.on("request", (request) => sent.push(`${request.url()} ${JSON.stringify(request.headers())} ${request.postData() ?? ""}`));
  return sent;
}

test.describe("drafts", () => {
  test("a thread's draft comes back after a reload, stays in the browser, and goes once sent", async ({ page, own }) => {
    const [threadId] = own.seeded;
    const thread = new ThreadPage(page);
    const sent = recordRequests(page);
    await page.goto(`/threads/${threadId}`);
    const text = secret("own");
    await typeDraft(page, thread.composer, text);
    await page.reload();
    await expect(thread.composer).toHaveValue(text);
    // Another thread's box is its own.
    await page.goto(`/threads/${own.seeded[1]}`);
    await expect(thread.composer).toHaveValue("");
    await page.goBack();
    await expect(thread.composer).toHaveValue(text);
    expect(sent.filter((request) => request.includes(text.split(" ").at(-1)!))).toEqual([]);
    expect(page.url()).not.toContain(text.split(" ").at(-1)!);

    // Back is a page load, and the browser refills nothing of the box (what the entry held might be another user's):
    // until the app runs it is empty, and an Enter in it then sends nothing, not even the draft the app then gives
    // back. What is typed before it runs is another matter: an Enter on it (the scripts held back, so surely before)
    // is kept by the page's early script and sent once the app runs; until then nothing looks sendable. Once run, the
    // box holds the text it showed, without the line break an Enter would add.
    await page.goto(`/threads/${own.seeded[1]}`);
    const held = await new ThreadsPage(page).beforeHydration(() => page.goBack({ waitUntil: "domcontentloaded" }));
    await expect(thread.composer).toHaveValue("");
    await thread.composer.press("Enter");
    // An empty box's Enter sends nothing, so it says nothing either.
    await expect(page.getByText(EARLY_SEND_NOTE)).toBeHidden();
    await held.release();
    await expect(thread.sendButton).toBeEnabled({ timeout: FIRST_LOAD_MS });
    await expect(thread.composer).toHaveValue(text);
    await expect(thread.pendingTurn).toHaveCount(0);
    await expect(thread.userMessages.last()).not.toContainText(text);
    await page.goto(`/threads/${own.seeded[1]}`);
    const { release } = await new ThreadsPage(page).beforeHydration(() => page.goBack({ waitUntil: "domcontentloaded" }));
    await expect(thread.composer).toHaveValue("");
    await thread.composer.fill(text);
    await expect(thread.sendButton).toBeDisabled();
    await thread.composer.press("Enter");
    await expect(thread.composer).toHaveValue(text);
    // The page says the Enter was taken and waits for the app (shown by CSS: no script runs yet).
    await expect(page.getByText(EARLY_SEND_NOTE)).toBeVisible();
    await release();
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${text}`, { timeout: FIRST_LOAD_MS });
    await expect(page.getByText(EARLY_SEND_NOTE)).toBeHidden();
    await expect(thread.composer).toHaveValue("");
    await thread.waitForStoredTurn();
    expect(await browserStorage(page)).not.toContain(text);
    await page.reload();
    await expect(thread.userMessages.last()).toContainText(text);
    await expect(thread.composer).toHaveValue("");
  });

  test("an edit box's draft comes back as its editor after leaving the thread or a reload; Cancel forgets it, a save once the server has it", async ({ page }) => {
    const threads = new ThreadsPage(page);
    const thread = new ThreadPage(page);
    await threads.goto();
    await threads.open("Plan a three-day trip to Kyoto");
    const last = (await thread.userMessages.count()) - 1;
    await thread.editMessage(last).click();
    const cancelled = secret("edit");
    await typeDraft(page, thread.editBox, cancelled);
    // Left for another thread and back (the Back a page load): the editor is open again, with what was typed; the
    // thread's message box keeps its own (empty) draft.
    await threads.open("Q3 sales by region");
    await expect(thread.editBox).toHaveCount(0);
    await page.goBack();
    await expect(thread.editBox).toHaveValue(cancelled, { timeout: FIRST_LOAD_MS });
    await expect(thread.composer).toHaveValue("");
    // Left by a page load of another address, and back: the browser refills the page's fields, and the editor's text
    // must not land in the message box (which takes what it is refilled with, to be sent).
    await page.goto("/threads");
    await page.goBack();
    await expect(thread.editBox).toHaveValue(cancelled, { timeout: FIRST_LOAD_MS });
    await expect(thread.composer).toHaveValue("");
    await thread.editBox.press("Escape");
    await expect(thread.editBox).toHaveCount(0);
    expect(await browserStorage(page)).not.toContain(cancelled);
    await page.reload();
    await expect(thread.editMessage(last)).toBeVisible({ timeout: FIRST_LOAD_MS });
    await expect(thread.editBox).toHaveCount(0);

    await expect(async () => {
      await thread.editMessage(last).click();
      await expect(thread.editBox).toBeVisible({ timeout: 2_000 });
    }).toPass();
    const saved = secret("edit");
    await typeDraft(page, thread.editBox, saved);
    await page.reload();
    await expect(thread.editBox).toHaveValue(saved, { timeout: FIRST_LOAD_MS });
    await thread.editBox.press("Control+Enter");
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${saved}`);
    await thread.waitForStoredTurn();
    expect(await browserStorage(page)).not.toContain(saved);
    await page.reload();
    await expect(thread.userMessages.nth(last)).toContainText(saved);
    await expect(thread.editBox).toHaveCount(0);
  });

  test("a new chat's draft typed before hydration is taken as the app runs, and comes back after a reload", async ({ page }) => {
    const threads = new ThreadsPage(page);
    const thread = new ThreadPage(page);
    // Typed before the page has hydrated: the app takes the box's text as it runs (Send enabled, the draft kept).
    const { release } = await threads.gotoBeforeHydration();
    const text = secret("own");
    await thread.composer.fill(text);
    await release();
    await expect(thread.sendButton).toBeEnabled({ timeout: FIRST_LOAD_MS });
    await expect.poll(() => browserStorage(page)).toContain(text);
    await page.reload();
    await expect(thread.composer).toHaveValue(text);
  });
});

/** Signs in on `page` and waits for the new-chat page's box. */
async function signInToNewChat(page: Page, identifier: string, password = DEMO_PASSWORD) {
  await new SignInPage(page).signIn(identifier, password);
  await expect(new ThreadsPage(page).currentUser).toHaveText(identifier);
  await expect(page).toHaveURL(/\/threads$/);
}

/** Reads answer 401 on `page` (the session is gone), and its next read takes it to the sign-in page. */
async function sessionEndsOn(page: Page) {
  await untilReadsRefused(page);
  await new ThreadsPage(page).search.fill("budget");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
}

test.describe("drafts and other users", () => {
  // Each test signs in by hand, as whom it says, several times.
  test.use({ storageState: { cookies: [], origins: [] } });
  test.slow();
  test("hostile: bob never finds alice's draft, after her sign-out nor after her session ended", async ({ page }) => {
    const thread = new ThreadPage(page);
    // Her sign-out, on a shared computer: nothing of her draft is left, and bob's box is empty. She typed on the
    // new-chat page and left it by a page load (a bookmark), so the history keeps the page she typed on.
    await signInToNewChat(page, "alice@example.com");
    const signedOut = secret("alice");
    await typeDraft(page, thread.composer, signedOut);
    await page.goto("/threads?from=bookmark");
    await new ThreadsPage(page).signOut();
    expect(await browserStorage(page)).not.toContain(signedOut);
    await signInToNewChat(page, "bob@example.com");
    await expect(thread.composer).toHaveValue("");
    expect(await browserStorage(page)).not.toContain(signedOut);
    // Bob goes Back to the page she typed on (a page load, which the browser refills with what a box let it keep):
    // her text is neither in his box nor, taken from it, in his drafts.
    const typedOn = (url: string) => new URL(url).pathname === "/threads" && new URL(url).search === "";
    for (let back = 0; back < 5 && !(back > 0 && typedOn(page.url())); back++) await page.goBack();
    expect(typedOn(page.url())).toBe(true);
    await expect(new ThreadsPage(page).currentUser).toHaveText("bob@example.com", { timeout: FIRST_LOAD_MS });
    await expect(thread.composer).toHaveValue("");
    expect(await browserStorage(page)).not.toContain(signedOut);
    await page.goto("/threads");
    await new ThreadsPage(page).signOut();

    // Her session ends without a sign-out here (it expired): the tab keeps her draft under her tag for her to come
    // back to, and bob signing in in that tab finds it emptied.
    await signInToNewChat(page, "alice@example.com");
    const ended = secret("alice");
    await typeDraft(page, thread.composer, ended);
    await page.context().clearCookies();
    await sessionEndsOn(page);
    await new SignInPage(page).submit("bob@example.com", DEMO_PASSWORD);
    await expect(new ThreadsPage(page).currentUser).toHaveText("bob@example.com");
    await expect(thread.composer).toHaveValue("");
    expect(await browserStorage(page)).not.toContain(ended);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(ended);
  });

  test("a session ended from another browser: signing in again as the same user gives the draft back", async ({ page, browser, baseURL }) => {
    const identifier = freshIdentifier("draft-ended");
    await userCli({ command: "add", identifier, name: null });
    const [threadId] = await onTable((data) => seedThreads(data, [topicThreadOf(identifier, 0)]));
    try {
      await signInToNewChat(page, identifier, FRESH_USER_PASSWORD);
      await page.goto(`/threads/${threadId}`);
      const thread = new ThreadPage(page);
      const text = secret("own");
      await typeDraft(page, thread.composer, text);
      await signOutEverywhereElsewhere(browser, baseURL, identifier);
      await sessionEndsOn(page);
      expect(await page.evaluate(() => document.body.innerText)).not.toContain(text);
      await new SignInPage(page).submit(identifier, FRESH_USER_PASSWORD);
      await expect(page).toHaveURL(new RegExp(`/threads/${threadId}$`));
      await expect(thread.composer).toHaveValue(text);
    } finally {
      await userCli({ command: "remove", identifier, keepThreads: false });
    }
  });
});
