/**
 * A long thread (docs/long-threads.md), seeded through the data layer for a user of its own: it opens at
 * its newest turn with only the latest turns in the page, scrolling up loads older turns without moving what is on
 * screen, a `#step-…` link opens the right message highlighted, and 👎 on the last reply opens the comment dialog.
 * Functional checks only: the timings are the bench's (npm run bench -- --ui).
 */
import { connect } from "../scripts/user";
import { questionOf, replyOf, seedLongThread, type SeededLongThread } from "../scripts/seed-long-thread";
import { E2E_TABLE_CLIENT_ENV } from "./e2e-table";
import { expect, test as base } from "./fixtures";
import { freshIdentifier, signedInSession, userCli, type StorageState } from "./fresh-user";

const STEPS = 800;
const LATEST_TURNS = 20;
let seeded: SeededLongThread;
let session: StorageState;

/** Signed in as the long thread's owner (one sign-in for the file). */
// Playwright reads a fixture's dependencies from its destructuring pattern: this one depends on none.
// eslint-disable-next-line no-empty-pattern
const test = base.extend({ storageState: async ({}, provide) => provide(session) });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const identifier = freshIdentifier("long-thread");
  await userCli({ command: "add", identifier, name: null });
  const connection = await connect(E2E_TABLE_CLIENT_ENV, () => undefined);
  try {
    seeded = await seedLongThread(connection.data, { userId: identifier, steps: STEPS, name: "A week of agent work" });
  } finally {
    await connection.close();
  }
  session = await signedInSession(browser, test.info().project.use.baseURL, identifier);
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

test("scrolling up loads older turns and keeps the reading position; Jump to latest goes back down", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  const firstLoaded = turnCount() - LATEST_TURNS;
  const oldestShown = thread.message(seeded.turns[firstLoaded]!.messageId);
  await expect(oldestShown).toBeAttached();
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
  await expect.poll(() => thread.isInView(newestReplyId())).toBe(true);
  // To the very top, as a reader does (the wheel): the page before loads, and what was on screen stays where it was.
  const pane = (await thread.scrollPane.boundingBox())!;
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 3);
  await page.mouse.wheel(0, -100_000);
  const before = (await oldestShown.boundingBox())!.y;
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
  await expect(message).toHaveAttribute("data-highlighted", "true");
  await expect(message).toContainText(replyOf(10).split("\n")[0]!);
  await expect.poll(() => thread.isInView(target.replyId)).toBe(true);
  await expect(thread.highlighted).toHaveCount(1);
  // Far from the end: the newest turn is not drawn, and the way back is offered.
  await expect(thread.message(newestReplyId())).toHaveCount(0);
  await thread.jumpToLatest.click();
  await expect.poll(() => thread.isInView(newestReplyId())).toBe(true);
});

test("👎 on the last reply opens the comment dialog", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  await thread.lastReply().getByTestId("feedback-down").click();
  await expect(thread.dialog).toBeVisible();
  await thread.dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(thread.dialog).toBeHidden();
});
