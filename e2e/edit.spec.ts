/**
 * Edit on the user's own messages: a middle question edited, the later turns gone once confirmed (and after a reload),
 * the new answer streamed (the fake answers "Echo: <question>"); Cancel, Escape and a declined confirmation leave the
 * thread as it was. A second tab on the same thread drops the removed turns when it refetches. As a user of this spec's
 * own, with a thread of the demo seed's continued here so it has three questions.
 */
import { randomUUID } from "node:crypto";
import { expect, snap } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";
import { ThreadPage } from "./pages/thread-page";

const NAME = "Plan a three-day trip to Kyoto";
const test = ownUser("edit", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0)]));

test.describe("edit", () => {
  test("Cancel, Escape and a declined confirmation change nothing; a saved edit removes the later turns and streams a new answer", async ({ page, threads, thread }) => {
    test.slow();
    await threads.goto();
    await threads.open(NAME);
    for (const text of ["which temples first", "and where to eat"]) {
      await thread.send(text);
      await expect(thread.lastReplyText()).toHaveText(`Echo: ${text}`);
      await thread.waitForStoredTurn();
    }
    const questions = await thread.userMessages.count();
    const answers = await thread.assistantMessages.count();
    const middle = questions - 2;
    const bubbles = thread.userMessages.locator(".bubble");
    const before = await bubbles.allTextContents();
    expect(before.slice(-2)).toEqual(["which temples first", "and where to eat"]);

    // From the keyboard: the pencil is a button with a name; Escape cancels and gives it its focus back.
    await thread.editMessage(middle).focus();
    await page.keyboard.press("Enter");
    await expect(thread.editBox).toBeFocused();
    await expect(thread.editBox).toHaveValue("which temples first");
    await thread.editBox.fill("something else");
    await page.keyboard.press("Escape");
    await expect(thread.editBox).toHaveCount(0);
    await expect(thread.editMessage(middle)).toBeFocused();
    // The Cancel button, and Cancel in the confirmation.
    await thread.editMessage(middle).click();
    await thread.editBox.fill("something else");
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await thread.editMessage(middle).click();
    await thread.editBox.fill("something else");
    await page.keyboard.press("Control+Enter");
    await expect(thread.editConfirm).toBeVisible();
    await thread.editConfirm.getByRole("button", { name: "Cancel", exact: true }).click();
    await expect(thread.editConfirm).toHaveCount(0);
    await expect(thread.editBox).toHaveValue("something else");
    await expect(thread.editBox).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(bubbles).toHaveText(before);
    await expect(thread.assistantMessages).toHaveCount(answers);
    await page.reload();
    await expect(bubbles).toHaveText(before);
    await expect(thread.assistantMessages).toHaveCount(answers);

    // A second tab on the same thread, to see the removed turns leave its cache too.
    const other = new ThreadPage(await page.context().newPage());
    // Its clock is moved on later, past the time a thread's cache counts as fresh, so that looking at it refetches.
    await other.page.clock.install();
    await other.page.goto(page.url());
    await expect(other.userMessages).toHaveCount(questions);

    // Save: the confirmation names what goes; the later turn goes, the new answer streams in its place.
    await thread.editMessage(middle).click();
    await thread.editBox.fill("which gardens first");
    await thread.page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(thread.editConfirm).toContainText("the later message you sent");
    await snap(page, "edit-confirm");
    await thread.editConfirm.getByRole("button", { name: "Save and remove", exact: true }).click();
    await expect(thread.lastReplyText()).toHaveText("Echo: which gardens first");
    await thread.waitForStoredTurn();
    await expect(thread.userMessages).toHaveCount(questions - 1);
    await expect(thread.assistantMessages).toHaveCount(answers - 1);
    await expect(bubbles).toHaveText([...before.slice(0, -2), "which gardens first"]);
    await expect(thread.answersShowing("Echo: and where to eat")).toHaveCount(0);
    await snap(page, "edited");

    await page.reload();
    await expect(bubbles).toHaveText([...before.slice(0, -2), "which gardens first"]);
    await expect(thread.lastReplyText()).toHaveText("Echo: which gardens first");
    await expect(thread.assistantMessages).toHaveCount(answers - 1);

    // The other tab refetches when it is looked at again, and the removed turns leave it.
    await other.page.bringToFront();
    await other.page.clock.fastForward(60_000);
    await other.page.evaluate(() => window.dispatchEvent(new Event("visibilitychange")));
    await expect(other.userMessages).toHaveCount(questions - 1);
    await expect(other.answersShowing("Echo: and where to eat")).toHaveCount(0);
    await expect(other.lastReplyText()).toHaveText("Echo: which gardens first");
    await other.page.close();
  });

  test("a save refused before its answer starts gives the typed text back in the editor", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(NAME);
    const bubbles = thread.userMessages.locator(".bubble");
    const before = await bubbles.allTextContents();
    const last = before.length - 1;
    // No network for the edit's request: the save fails before the server has it.
    await page.route("**/api/trpc/chat.edit*", (route) => route.abort("internetdisconnected"));
    await thread.editMessage(last).click();
    await thread.editBox.fill("typed on a train");
    await page.keyboard.press("Control+Enter");
    await expect(page.getByText("Couldn't send your message.", { exact: false })).toBeVisible();
    await expect(thread.editBox).toHaveValue("typed on a train");
    await expect(thread.editBox).toBeFocused();
    // The message itself is the editor meanwhile: the others are as they were.
    await expect(bubbles).toHaveText(before.slice(0, last));
    // Back online, the same editor saves it.
    await page.unroute("**/api/trpc/chat.edit*");
    await page.keyboard.press("Control+Enter");
    await expect(thread.lastReplyText()).toHaveText("Echo: typed on a train");
    await thread.waitForStoredTurn();
    await expect(bubbles).toHaveText([...before.slice(0, last), "typed on a train"]);
  });

  test("an edit of the first question renames a thread named after it: the header and the sidebar show the new name as the answer starts", async ({ threads, thread }) => {
    const tag = randomUUID().slice(0, 6);
    const first = `Tea houses in Uji ${tag}`;
    const edited = `[stall] Moss gardens ${tag}`;
    await threads.goto();
    await threads.newChat();
    await thread.send(first);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${first}`);
    await thread.waitForStoredTurn();
    await expect(thread.heading).toHaveText(first);
    await expect(threads.row(first)).toBeVisible();

    await thread.editMessage(0).click();
    await thread.editBox.fill(edited);
    await thread.page.keyboard.press("Control+Enter");
    // The answer stalls after its first words, so the turn is still streaming while the names are checked.
    await expect(thread.lastReplyText()).toContainText("Echo:");
    await expect(thread.heading).toHaveText(edited);
    await expect(threads.row(edited)).toBeVisible();
    await expect(threads.row(first)).toHaveCount(0);
    await expect(thread.stopButton).toBeVisible();
    await thread.stopButton.click();
    await thread.waitForStoredTurn();
    await expect(thread.heading).toHaveText(edited);
  });
});
