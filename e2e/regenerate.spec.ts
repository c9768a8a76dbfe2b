/**
 * Regenerate on the newest reply: the same question answered again (the fake answers "Echo: <question>"), the new
 * reply in the old one's place, the old one and its 👎 gone, after a reload too. As a user of this spec's own, with
 * a thread of the demo seed's whose newest reply is not the fake's, so old and new can be told apart.
 */
import { expect, snap } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";

const NAME = "Plan a three-day trip to Kyoto";
const test = ownUser("regenerate", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0)]));

test.describe("regenerate", () => {
  test("replaces the newest reply with a new answer to the same question; the old text and its 👎 are gone after a reload", async ({ page, threads, thread }) => {
    test.slow();
    await threads.goto();
    await threads.open(NAME);
    const answers = await thread.assistantMessages.count();
    const last = answers - 1;
    const question = (await thread.lastQuestionText().textContent())!.trim();
    const oldText = (await thread.lastReplyText().textContent())!.trim().slice(0, 40);
    expect(oldText).not.toContain("Echo:");
    await expect(thread.answersShowing(oldText)).toHaveCount(1);
    // Only the newest answer offers it.
    await expect(thread.regenerate(last)).toBeVisible();
    for (let turn = 0; turn < last; turn++) await expect(thread.regenerate(turn)).toHaveCount(0);
    await thread.rate(last, "down", "not this");
    await threads.filter("Thumbs down").click();
    await expect(threads.row(NAME)).toHaveCount(1);

    // From the keyboard: it is a button with a name, in the tab order.
    await thread.regenerate(last).focus();
    await snap(page, "regenerate-focused");
    await page.keyboard.press("Enter");
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${question}`);
    await thread.waitForStoredTurn();
    await expect(thread.assistantMessages).toHaveCount(answers);
    await expect(thread.answersShowing(oldText)).toHaveCount(0);
    await expect(thread.down(last)).toHaveAttribute("aria-pressed", "false");
    await expect(thread.regenerate(last)).toBeVisible();
    await snap(page, "regenerated");

    await page.reload();
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${question}`);
    await expect(thread.answersShowing(oldText)).toHaveCount(0);
    await expect(thread.assistantMessages).toHaveCount(answers);
    await expect(thread.down(last)).toHaveAttribute("aria-pressed", "false");
    await threads.filter("Thumbs down").click();
    await expect(threads.row(NAME)).toHaveCount(0);
  });
});
