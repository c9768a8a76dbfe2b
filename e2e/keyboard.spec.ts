/**
 * The app's keyboard shortcuts (components/shell/keyboard-shortcuts.ts): Ctrl+/ lists them, `/` goes to the message
 * box from outside a text field (and types a slash inside one), Ctrl+Shift+O starts a new chat; the account menu
 * lists them too, and the dialog hands focus back to its opener. Reads only: the demo user's seeded threads.
 */
import type { Locator } from "@playwright/test";
import { expect, snap, test } from "./fixtures";

test("Ctrl+/ lists the shortcuts, / goes to the message box, Ctrl+Shift+O starts a new chat", async ({ page, threads, thread }) => {
  await threads.goto();
  const [first] = await threads.rowNames();
  await threads.open(first!);
  const composer = page.locator("textarea.composer-input");
  const dialog = page.getByTestId("shortcuts-dialog");

  await page.keyboard.press("Control+/");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading", { name: "Keyboard shortcuts" })).toBeVisible();
  await expect(dialog.locator(".shortcut-row")).toHaveCount(9);
  await expect(dialog.locator(".shortcut-row", { hasText: "New chat" }).locator("kbd")).toHaveText(["Ctrl", "Shift", "O"]);
  await snap(page, "shortcuts-dialog");
  // While it is open its keys are its own: `/` does not reach the page behind it.
  await page.keyboard.press("/");
  await expect(composer).not.toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  // `/` from the page goes to the message box; inside it, `/` is a character.
  await thread.page.locator("#thread-title").click();
  await expect(composer).not.toBeFocused();
  await page.keyboard.press("/");
  await expect(composer).toBeFocused();
  await expect(composer).toHaveValue("");
  await page.keyboard.type("a/b");
  await expect(composer).toHaveValue("a/b");
  await expect(dialog).toHaveCount(0);
  await composer.fill("");

  await page.keyboard.press("Control+Shift+O");
  await expect(thread.newChatHeading).toBeVisible();
  await expect(page).toHaveURL(/\/threads$/);
  await expect(composer).toBeFocused();

  // The account menu lists them too; closing hands focus back to the menu's button.
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Keyboard shortcuts" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Close", exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId("user-menu")).toBeFocused();
});

/*
 * The sidebar's rows (thread-list-item.tsx): two Tab stops each, the thread's link and its ⋯ menu (Pin, Rename,
 * Delete); the mouse's quick Rename and Delete beside it are neither stops nor read out. ↑/↓ go from row to row.
 */
test("a row is two Tab stops, its link and ⋯; ↑/↓ move between rows, Home/End to the first and last loaded", async ({ page, threads }) => {
  await threads.goto();
  const [first, second, third] = [threads.rows.nth(0), threads.rows.nth(1), threads.rows.nth(2)];
  const menuOf = (row: Locator) => row.getByRole("button", { name: /^More actions for “/ });
  await first.getByRole("link").focus();
  await page.keyboard.press("Tab");
  await expect(menuOf(first)).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(second.getByRole("link")).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(menuOf(first)).toBeFocused();
  // Everything a row offers, to the accessibility tree: its link and one menu button.
  await expect(first.getByRole("button")).toHaveCount(1);
  await expect(first.locator("button")).toHaveCount(3);

  await second.getByRole("link").focus();
  await page.keyboard.press("ArrowDown");
  await expect(third.getByRole("link")).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(first.getByRole("link")).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(first.getByRole("link")).toBeFocused();
  // End reaches the last row loaded when it was pressed (reaching it may load the next page).
  const names = await threads.rowNames();
  await page.keyboard.press("End");
  await expect(threads.link(names.at(-1)!)).toBeFocused();
  await page.keyboard.press("Home");
  await expect(first.getByRole("link")).toBeFocused();
  // On the ⋯ the arrows are the menu's: ↓ opens it.
  await menuOf(first).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem").first()).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menuOf(first)).toBeFocused();
});
