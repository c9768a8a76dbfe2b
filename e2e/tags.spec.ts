import { expect } from "@playwright/test";
import { snap, trpcCallEnded } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";

/** Thread tags: a user of this spec's own (tags are writes), with three of the demo topic threads. */
const asOwnUser = ownUser("tags", (data, identifier) => seedThreads(data, [7, 12, 3].map((i) => topicThreadOf(identifier, i))));

asOwnUser("adds a tag in the header, filters the sidebar by it, clears the filter, and removes the tag", async ({ page, threads }) => {
  await threads.goto();
  const names = await threads.rowNames();
  expect(names).toHaveLength(3);
  const [, middle] = names as [string, string, string];
  await threads.open(middle);

  const tags = page.getByTestId("thread-tags");
  // By keyboard: the Add tag button opens a field; Enter adds, and the field's text is normalised as the server does.
  const add = tags.getByRole("button", { name: "Add tag" });
  await add.focus();
  await page.keyboard.press("Enter");
  const field = tags.getByRole("textbox", { name: "New tag" });
  await expect(field).toBeFocused();
  await field.fill("  Project   X ");
  // The chip shows at once (optimistic); the reload below must come after the server has the tag.
  const added = trpcCallEnded(page, "threads.addTag");
  await field.press("Enter");
  const chip = tags.getByRole("button", { name: "Show threads tagged “Project X”" });
  await expect(chip).toBeVisible();
  await expect(add).toBeFocused();
  await added;
  // Stored: still there after a reload, and the thread kept its place in the list (tagging is not activity).
  await page.reload();
  await expect(chip).toBeVisible();
  await expect.poll(() => threads.rowNames()).toEqual(names);
  await snap(page, "thread-tags");

  await chip.click();
  const indicator = page.getByTestId("tag-filter");
  await expect(indicator).toHaveText("Tag: Project X");
  await expect.poll(() => threads.rowNames()).toEqual([middle]);
  await snap(page, "tag-filter");
  // A search within the filter: every one of the three answers holds "essentials", only the tagged thread is found.
  await threads.search.fill("essentials");
  await expect(threads.searchStatus).toHaveText("1 result");
  await expect.poll(() => threads.rowNames()).toEqual([middle]);
  await expect(indicator).toHaveAttribute("title", "Clear the tag filter “Project X”");
  // Cleared while searching: the same search over every thread.
  await indicator.click();
  await expect(indicator).toHaveCount(0);
  await expect(threads.searchStatus).toHaveText("3 results");
  await expect.poll(() => threads.rowNames()).toEqual(names);
  await threads.search.fill("");
  await expect.poll(() => threads.rowNames()).toEqual(names);

  const removed = trpcCallEnded(page, "threads.removeTag");
  await tags.getByRole("button", { name: "Remove tag “Project X”" }).click();
  await expect(chip).toHaveCount(0);
  await removed;
  await page.reload();
  await expect(tags.getByRole("button", { name: "Add tag" })).toBeVisible();
  await expect(chip).toHaveCount(0);
});

asOwnUser("a long tag's filter stays on the line of the 👍/👎 chips, cut with an ellipsis, its label naming it whole", async ({ page, threads }) => {
  const long = "A rather long tag for the narrow sidebar"; // 40 characters, the most a tag may have
  await threads.goto();
  const [first] = (await threads.rowNames()) as [string];
  await threads.open(first);
  const tags = page.getByTestId("thread-tags");
  await tags.getByRole("button", { name: "Add tag" }).click();
  const added = trpcCallEnded(page, "threads.addTag");
  await tags.getByRole("textbox", { name: "New tag" }).fill(long);
  await tags.getByRole("textbox", { name: "New tag" }).press("Enter");
  await added;
  await tags.getByRole("button", { name: `Show threads tagged “${long}”` }).click();
  const indicator = page.getByRole("button", { name: `Clear the tag filter “${long}”` });
  await expect(indicator).toHaveAttribute("title", `Clear the tag filter “${long}”`);
  const feedback = page.getByRole("group", { name: "Filter by feedback" });
  // The desktop sidebar (262 px inside its padding): one line, the chip inside the sidebar, its text cut.
  const [chip, chips, tools] = await Promise.all([indicator.boundingBox(), feedback.boundingBox(), page.locator(".sidebar-tools").boundingBox()]);
  expect(chip!.y).toBe(chips!.y);
  expect(chip!.x + chip!.width).toBeLessThanOrEqual(tools!.x + tools!.width);
  const text = indicator.locator(".tag-filter-text");
  expect(await text.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

  await indicator.click();
  const removed = trpcCallEnded(page, "threads.removeTag");
  await tags.getByRole("button", { name: `Remove tag “${long}”` }).click();
  await removed;
});
