import { expect } from "@playwright/test";
import { snap } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";

/** Pinned threads: a user of this spec's own (pins are writes), with three of the demo topic threads. */
const asOwnUser = ownUser("pins", (data, identifier) => seedThreads(data, [7, 12, 3].map((i) => topicThreadOf(identifier, i))));

asOwnUser("pins threads from their row menus into Pinned above the date groups, kept after a reload, and unpins them there and in the header", async ({ page, threads, thread }) => {
  await threads.goto();
  const names = await threads.rowNames();
  expect(names).toHaveLength(3);
  const [newest, middle, oldest] = names as [string, string, string];
  await expect(threads.pinnedSection).toHaveCount(0);

  await threads.chooseFromRowMenu(oldest, "Pin", "keyboard");
  await expect.poll(() => threads.pinnedNames()).toEqual([oldest]);
  await threads.chooseFromRowMenu(middle, "Pin", "mouse");
  await snap(page, "pinned-section");
  // Newest pin first, above the date groups; a pinned thread is not listed again under its date.
  await expect.poll(() => threads.pinnedNames()).toEqual([middle, oldest]);
  expect((await threads.sectionTitles())[0]).toBe("Pinned");
  await expect(threads.row(oldest)).toHaveCount(1);

  // The Pinned section's request goes out in the same HTTP batch as the list's first page: no round trip of its own.
  const listRequest = page.waitForRequest((request) => request.url().includes("/api/trpc/") && request.url().includes("threads.list"));
  await page.reload();
  expect(new URL((await listRequest).url()).pathname.split("/").at(-1)!.split(",")).toContain("threads.pinned");
  await expect.poll(() => threads.pinnedNames(), { timeout: 30_000 }).toEqual([middle, oldest]);
  expect(await threads.rowNames()).toEqual([middle, oldest, newest]);
  // A pinned row is two Tab stops as any other (its link and ⋯), and ↓ goes on from Pinned into the date groups.
  await threads.link(oldest).focus();
  await page.keyboard.press("Tab");
  await expect(threads.pinnedSection.getByRole("button", { name: `More actions for “${oldest}”` })).toBeFocused();
  await threads.link(oldest).focus();
  await page.keyboard.press("ArrowDown");
  await expect(threads.link(newest)).toBeFocused();

  await threads.chooseFromRowMenu(oldest, "Unpin", "keyboard", threads.pinnedSection);
  await expect.poll(() => threads.pinnedNames()).toEqual([middle]);
  await page.reload();
  await expect.poll(() => threads.pinnedNames(), { timeout: 30_000 }).toEqual([middle]);

  // The thread's header has the same toggle.
  await threads.open(middle);
  await expect(thread.pinButton).toHaveText("Unpin");
  await thread.pinButton.click();
  await expect(threads.pinnedSection).toHaveCount(0);
  await expect(thread.pinButton).toHaveText("Pin");
  await page.reload();
  await expect(thread.pinButton).toHaveText("Pin");
  await expect(threads.rows).toHaveCount(3);
  await expect(threads.pinnedSection).toHaveCount(0);
});

asOwnUser("the row menu's Rename and Delete hand focus to the name field and to the dialog", async ({ page, threads }) => {
  await threads.goto();
  const [name] = (await threads.rowNames()) as [string];
  await threads.chooseFromRowMenu(name, "Rename", "keyboard");
  const field = page.getByRole("textbox", { name: "Thread name" });
  await expect(field).toBeFocused();
  await field.press("Escape");
  await expect(threads.link(name)).toBeFocused();

  await threads.chooseFromRowMenu(name, "Delete", "mouse");
  const dialog = page.getByRole("dialog", { name: "Delete this thread?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(threads.row(name)).toBeVisible();
  // Cancelled, focus is back on the menu's button, where the user was.
  await expect(threads.row(name).getByRole("button", { name: `More actions for “${name}”` })).toBeFocused();
});
