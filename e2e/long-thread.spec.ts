/**
 * A long thread (docs/long-threads.md), seeded through the data layer for a user of its own: it opens at
 * its newest turn with only the latest turns in the page, scrolling up loads older turns without moving what is on
 * screen, a `#step-…` link opens the right message highlighted, and 👎 on the last reply opens the comment dialog.
 * Functional checks only: the timings are the bench's (npm run bench -- --ui).
 */
import { randomUUID } from "node:crypto";
import type { BrowserContextOptions, Page } from "@playwright/test";
import { connect, runCommand } from "../scripts/user";
import { questionOf, replyOf, seedLongThread, type SeededLongThread } from "../scripts/seed-long-thread";
import { E2E_TABLE_CLIENT_ENV } from "./e2e-table";
import { expect, test as base } from "./fixtures";
import { SignInPage } from "./pages/sign-in-page";

const PASSWORD = "a long thread e2e password";
const STEPS = 800;
const LATEST_TURNS = 20;
let seeded: SeededLongThread;
let session: Exclude<BrowserContextOptions["storageState"], string | undefined>;

/** Signed in as the long thread's owner (one sign-in for the file). */
// Playwright reads a fixture's dependencies from its destructuring pattern: this one depends on none.
// eslint-disable-next-line no-empty-pattern
const test = base.extend({ storageState: async ({}, provide) => provide(session) });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const identifier = `long-thread-${randomUUID().slice(0, 8)}@example.com`;
  const connection = await connect(E2E_TABLE_CLIENT_ENV, () => undefined);
  try {
    await runCommand({ command: "add", identifier, name: null }, { data: connection.data, readPassword: async () => PASSWORD, out: () => undefined });
    seeded = await seedLongThread(connection.data, { userId: identifier, steps: STEPS, name: "A week of agent work" });
  } finally {
    await connection.close();
  }
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await new SignInPage(page).signIn(identifier, PASSWORD);
  await expect(page).toHaveURL(/\/threads/);
  session = await context.storageState();
  await context.close();
});

const turnCount = () => seeded.turns.length;

/** Whether the element is inside the visible part of the scrolling pane. */
async function inView(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const element = document.querySelector(sel);
    if (!element) return false;
    const box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }, selector);
}

test("opens at its latest turn, with only the latest turns in the page", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  const last = seeded.turns.at(-1)!;
  const lastReply = page.locator(`#step-${last.replyId}`);
  await expect(lastReply).toContainText(replyOf(turnCount() - 1).split("\n")[0]!);
  await expect.poll(() => inView(page, `#step-${last.replyId}`)).toBe(true);
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
  await expect(page.getByText(questionOf(0), { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("jump-to-latest")).toBeHidden();
  // The header counts the whole thread, not the turns on screen.
  await expect(page.locator(".thread-meta")).toContainText(`${turnCount() * 2} messages`);
});

test("scrolling up loads older turns and keeps the reading position; Jump to latest goes back down", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  const firstLoaded = turnCount() - LATEST_TURNS;
  const oldestShown = page.locator(`#step-${seeded.turns[firstLoaded]!.messageId}`);
  await expect(oldestShown).toBeAttached();
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS);
  await expect.poll(() => inView(page, `#step-${seeded.turns.at(-1)!.replyId}`)).toBe(true);
  // To the very top, as a reader does (the wheel): the page before loads, and what was on screen stays where it was.
  const pane = (await page.locator(".main-pane").boundingBox())!;
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 3);
  await page.mouse.wheel(0, -100_000);
  const before = (await oldestShown.boundingBox())!.y;
  await expect(page.locator(`#step-${seeded.turns[firstLoaded - 1]!.messageId}`)).toBeAttached();
  await expect(thread.userMessages).toHaveCount(LATEST_TURNS * 2);
  const after = (await oldestShown.boundingBox())!.y;
  expect(Math.abs(after - before)).toBeLessThan(4);
  await expect(page.getByText(questionOf(firstLoaded - 1), { exact: true })).toBeAttached();

  const jump = page.getByTestId("jump-to-latest");
  await expect(jump).toBeVisible();
  await jump.click();
  await expect.poll(() => inView(page, `#step-${seeded.turns.at(-1)!.replyId}`)).toBe(true);
  await expect(jump).toBeHidden();
});

test("a #step- link opens that message, highlighted, in the turns around it", async ({ page }) => {
  const target = seeded.turns[10]!;
  await page.goto(`/threads/${seeded.threadId}#step-${target.replyId}`);
  const message = page.locator(`#step-${target.replyId}`);
  await expect(message).toHaveAttribute("data-highlighted", "true");
  await expect(message).toContainText(replyOf(10).split("\n")[0]!);
  await expect.poll(() => inView(page, `#step-${target.replyId}`)).toBe(true);
  await expect(page.locator('[data-highlighted="true"]')).toHaveCount(1);
  // Far from the end: the newest turn is not drawn, and the way back is offered.
  await expect(page.locator(`#step-${seeded.turns.at(-1)!.replyId}`)).toHaveCount(0);
  await page.getByTestId("jump-to-latest").click();
  await expect.poll(() => inView(page, `#step-${seeded.turns.at(-1)!.replyId}`)).toBe(true);
});

test("👎 on the last reply opens the comment dialog", async ({ page, thread }) => {
  await page.goto(`/threads/${seeded.threadId}`);
  await thread.lastReply().getByTestId("feedback-down").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});
