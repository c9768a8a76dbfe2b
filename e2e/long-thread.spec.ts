/**
 * A long thread (docs/long-threads.md), seeded through the data layer for a user of its own: it opens at
 * its newest turn with only the latest turns in the page, scrolling up loads older turns without moving what is on
 * screen, a `#step-…` link opens the right message highlighted, and 👎 on the last reply opens the comment dialog.
 * Functional checks only: the timings are the bench's (npm run bench -- --ui).
 */
import { questionOf, replyOf, seedLongThread } from "../scripts/seed-long-thread";
import { expect } from "./fixtures";
import { ownUser } from "./fresh-user";
import { FIRST_LOAD_MS } from "./pages/threads-page";

const STEPS = 800;
const LATEST_TURNS = 20;
/**
 * Each tool output carries a 5,000-character log: a partition of ~1.3 MB, more than one Query's page, so the page is
 * the streamed one (docs/long-threads.md, "Opening a long thread"): head and shell first, the page behind a boundary.
 */
const TOOL_LOG_CHARS = 5_000;

/** Signed in as the long thread's owner, a user of this spec's own. */
const test = ownUser("long-thread", (data, identifier) => seedLongThread(data, { userId: identifier, steps: STEPS, name: "A week of agent work", toolLogChars: TOOL_LOG_CHARS }));
let seeded: Awaited<ReturnType<typeof seedLongThread>>;
test.beforeEach(({ own }) => {
  seeded = own.seeded;
});

const turnCount = () => seeded.turns.length;
const newestReplyId = () => seeded.turns.at(-1)!.replyId;

test("opens at its latest turn, with only the latest turns in the page", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  await expect(thread.message(newestReplyId())).toContainText(replyOf(turnCount() - 1).split("\n")[0]!);
  await expect.poll(() => thread.isInView(newestReplyId())).toBe(true);
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
  await expect(thread.text(questionOf(0), { exact: true })).toHaveCount(0);
  await expect(thread.jumpToLatest).toBeHidden();
  // The header counts the whole thread, not the turns on screen.
  await expect(thread.meta).toContainText(`${turnCount() * 2} messages`);
});

test("the server draws only the newest turns; the browser draws the rest of the latest window", async ({ page, thread }) => {
  // The page's own HTML: the newest turn drawn, an older turn of the same window not (its data travels, not its markup).
  const html = await (await page.request.get(`/threads/${seeded.threadId}`)).text();
  const olderInWindow = seeded.turns.at(-10)!.replyId;
  expect(html).toContain(`id="step-${newestReplyId()}"`);
  expect(html).not.toContain(`id="step-${olderInWindow}"`);
  // Past one Query's page: the head went out before the rest of the read, the first paint held until the page's end.
  expect(html).toContain(`rel="expect" href="#thread-page-end" blocking="render"`);
  // A reader without JavaScript is shown React's hidden copy of the page (a nonce'd style: the CSP allows no other).
  expect(html).toMatch(/<noscript><style nonce="[^"]+">div\[hidden\]\[id\^="S:"\]\{display:block\}/);
  await page.goto(`/threads/${seeded.threadId}`);
  // Drawn once the page has hydrated and the Markdown code is in (the first load's wait).
  await expect(thread.message(olderInWindow)).toContainText(replyOf(turnCount() - 10).split("\n")[0]!, { timeout: FIRST_LOAD_MS });
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
  await expect.poll(() => thread.isInView(newestReplyId())).toBe(true);
});

test("scrolling up loads older turns and keeps the reading position; Jump to latest goes back down", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  const firstLoaded = turnCount() - LATEST_TURNS;
  const oldestShown = thread.message(seeded.turns[firstLoaded]!.messageId);
  // Drawn by the browser once the page has hydrated and the Markdown code is in (the first load's wait).
  await expect(oldestShown).toBeAttached({ timeout: FIRST_LOAD_MS });
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
  await expect.poll(() => thread.isInView(newestReplyId())).toBe(true);
  // To the very top, as a reader does (the wheel): the page before loads, and what was on screen stays where it was.
  // The wheel's scroll lands after mouse.wheel returns, so the position is read once it has, and the page before is
  // held back until then: read any earlier, it was the bottom's, and read after the page came in, it proved nothing.
  let releaseOlder!: () => void;
  const olderHeld = new Promise<void>((resolve) => (releaseOlder = resolve));
  await page.route(/\/api\/trpc\/[^?]*threads\.turns/, async (route) => {
    await olderHeld;
    await route.continue();
  });
  const pane = (await thread.scrollPane.boundingBox())!;
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 3);
  await page.mouse.wheel(0, -100_000);
  await expect.poll(async () => (await oldestShown.boundingBox())!.y).toBeGreaterThan(0);
  const before = (await oldestShown.boundingBox())!.y;
  releaseOlder();
  await expect(thread.message(seeded.turns[firstLoaded - 1]!.messageId)).toBeAttached();
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS * 2);
  const after = (await oldestShown.boundingBox())!.y;
  expect(Math.abs(after - before)).toBeLessThan(4);
  await expect(thread.text(questionOf(firstLoaded - 1), { exact: true })).toBeAttached();

  await expect(thread.jumpToLatest).toBeVisible();
  await thread.jumpToLatest.click();
  await expect.poll(() => thread.isInView(newestReplyId())).toBe(true);
  await expect(thread.jumpToLatest).toBeHidden();
});

test("a #step- link opens that message, highlighted, in the turns around it", async ({ page, thread }) => {
  const target = seeded.turns[10]!;
  await page.goto(`/threads/${seeded.threadId}#step-${target.replyId}`);
  const message = thread.message(target.replyId);
  // Far from the newest turns, so asked for once the page has hydrated (the first load's wait).
  await expect(message).toHaveAttribute("data-highlighted", "true", { timeout: FIRST_LOAD_MS });
  await expect(message).toContainText(replyOf(10).split("\n")[0]!);
  await expect.poll(() => thread.isInView(target.replyId)).toBe(true);
  await expect(thread.highlighted).toHaveCount(1);
  // Far from the end: the newest turn is not drawn, and the way back is offered.
  await expect(thread.message(newestReplyId())).toHaveCount(0);
  await thread.jumpToLatest.click();
  // The latest turns are not loaded here: the jump fetches them first, which under CI's load can take as long as a first load.
  await expect.poll(() => thread.isInView(newestReplyId()), { timeout: FIRST_LOAD_MS }).toBe(true);
});

test("a #step- link to an older turn of the latest window opens it highlighted, once the browser has drawn it", async ({ page, thread }) => {
  const target = seeded.turns.at(-10)!;
  await page.goto(`/threads/${seeded.threadId}#step-${target.replyId}`);
  const message = thread.message(target.replyId);
  await expect(message).toHaveAttribute("data-highlighted", "true", { timeout: FIRST_LOAD_MS });
  await expect.poll(() => thread.isInView(target.replyId)).toBe(true);
  // In the latest window already: nothing fetched around it, the newest turn is there below.
  await expect(thread.message(newestReplyId())).toBeAttached();
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
});

test("👎 on the last reply opens the comment dialog", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  await thread.lastReply().getByTestId("feedback-down").click();
  await expect(thread.dialog).toBeVisible();
  await thread.dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(thread.dialog).toBeHidden();
});
