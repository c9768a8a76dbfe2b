/**
 * The app's keyboard shortcuts (components/shell/keyboard-shortcuts.ts): Ctrl+/ lists them, `/` goes to the message
 * box from outside a text field (and types a slash inside one), Ctrl+Shift+O starts a new chat; the account menu
 * lists them too, and the dialog hands focus back to its opener. Reads only: the demo user's seeded threads.
 */
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
  await expect(dialog.locator(".shortcut-row")).toHaveCount(8);
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
