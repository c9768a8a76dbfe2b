/**
 * Stopping and retrying "Delete all conversations" (docs/security.md, "Deleting everything"): Cancel in the sidebar
 * stops the job after the page of threads in hand, says that those deleted stay deleted, and keeps the rest; a job
 * that failed offers Try again, which deletes what is left; a "Delete my account" that failed for good is said in its
 * dialog, where confirming runs it again.
 */
import { randomUUID } from "node:crypto";
import { expect } from "@playwright/test";
import { onTable, ownUser } from "./fresh-user";
import { FIRST_LOAD_MS, ThreadsPage } from "./pages/threads-page";

/** Enough threads (five pages of the job's 50) that the job is still running when Cancel is clicked. */
const THREADS = 250;

const test = ownUser("delete-cancel", async (data, identifier) => {
  for (let i = 0; i < THREADS; i++) await data.createThread(randomUUID(), identifier);
});

test("cancels a running Delete all conversations, then a failed one is tried again and deletes the rest", async ({ page, own }) => {
  test.slow(); // a job of 250 threads, a reload and another job on a shared machine
  const threads = new ThreadsPage(page);
  await page.goto("/threads");
  await expect(threads.rows.first()).toBeVisible({ timeout: FIRST_LOAD_MS });

  await threads.deleteAllConversations();
  await threads.deletionProgress.getByRole("button", { name: "Cancel" }).click();
  await expect(threads.deletionProgress).toHaveAttribute("data-status", "cancelled", { timeout: 30_000 });
  await expect(threads.deletionProgress).toContainText(/Stopped\. \d+ conversations were deleted and stay deleted; the others are kept\./);
  const deleted = Number(/Stopped\. (\d+)/.exec((await threads.deletionProgress.textContent()) ?? "")![1]);
  expect(deleted).toBeGreaterThan(0);
  expect(deleted).toBeLessThan(THREADS);
  await expect(threads.rows.first()).toBeVisible();

  // A job that failed (as the runner records one: its owner asks again).
  await onTable(async (data) => {
    await data.startDeletionJob(own.identifier, "threads", "e2e-runner");
    await data.updateDeletionJob(own.identifier, "e2e-runner", { status: "failed", error: "the table was unavailable" });
  });
  await page.reload();
  await expect(threads.deletionProgress).toHaveAttribute("data-status", "failed", { timeout: FIRST_LOAD_MS });
  await threads.deletionProgress.getByRole("button", { name: "Try again" }).click();
  await expect(threads.deletionProgress).toContainText(`${THREADS - deleted} conversations deleted.`, { timeout: 60_000 });
  await expect(threads.rows).toHaveCount(0);

  // A Delete my account that failed for good (its owner signed in again since): the dialog says so before confirming.
  await onTable(async (data) => {
    await data.startDeletionJob(own.identifier, "account", "e2e-runner");
    await data.updateDeletionJob(own.identifier, "e2e-runner", { status: "failed", failures: 5, error: "the table was unavailable" }, { keep: true });
  });
  await page.reload();
  // The sidebar shows only a Delete all conversations: an account job is said in the dialog.
  await expect(threads.currentUser).toHaveText(own.identifier, { timeout: FIRST_LOAD_MS });
  await expect(threads.deletionProgress).toBeHidden();
  await threads.chooseFromUserMenu("Delete my account");
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await expect(dialog.getByTestId("delete-account-failed-before")).toHaveText(
    "An earlier deletion of this account stopped before it finished. Confirm below to delete everything again.",
  );
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});
