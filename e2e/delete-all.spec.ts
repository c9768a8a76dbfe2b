/**
 * Deleting everything (docs/security.md, "Deleting everything"), as a user of the spec's own: "Delete all
 * conversations" empties the list as a job whose end survives a reload, and "Delete my account" (password typed)
 * signs the user out for good: the same password no longer signs in.
 */
import { expect } from "@playwright/test";
import { FRESH_USER_PASSWORD, ownUser, seedThreads, showcaseThread, topicThreadOf } from "./fresh-user";
import { SignInPage } from "./pages/sign-in-page";
import { FIRST_LOAD_MS, ThreadsPage } from "./pages/threads-page";

const test = ownUser("delete-all", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0), topicThreadOf(identifier, 1), showcaseThread(identifier)]));

test("deletes all conversations, then the account", async ({ page, own }) => {
  test.slow(); // a job, a reload, a sign-out and a sign-in attempt on a shared machine
  const threads = new ThreadsPage(page);
  await page.goto("/threads");
  await expect(threads.rows).toHaveCount(3, { timeout: FIRST_LOAD_MS });

  await threads.deleteAllConversations();
  await expect(threads.deletionProgress).toContainText("3 conversations deleted.");
  await expect(threads.rows).toHaveCount(0);
  // The job is the server's: after a reload the list is still empty and the sidebar still says how it ended.
  await page.reload();
  await expect(threads.deletionProgress).toContainText("3 conversations deleted.", { timeout: FIRST_LOAD_MS });
  await expect(threads.rows).toHaveCount(0);

  await threads.deleteAccount(FRESH_USER_PASSWORD);
  const signIn = new SignInPage(page);
  await signIn.submit(own.identifier, FRESH_USER_PASSWORD);
  await expect(signIn.error("That email or password is not right.")).toBeVisible();
});
