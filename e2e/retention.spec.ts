/**
 * "Delete conversations older than…" (docs/security.md, "Retention"), as a user of the spec's own with two threads
 * last active 100 days ago (one pinned) and a recent one: a period is saved by Save only (not by moving through the
 * choices), and persists after a reload; the run the server's sweep makes (here the same runRetention, over the app's
 * table, without waiting for its timer) deletes the old thread and keeps the pinned and the recent one.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "@playwright/test";
import { isoFromMicros } from "../src/data";
import { demoDataLayer, seedDemoThread } from "../scripts/seed";
import { runRetention } from "../src/server/deletion/retention";
import { E2E_TABLE_CLIENT_ENV } from "./e2e-table";
import { onTable, ownUser, seedThreads, topicThreadOf } from "./fresh-user";
import { ImportDialog } from "./pages/import-dialog";
import { FIRST_LOAD_MS } from "./pages/threads-page";

const DAY = 86_400_000;

const test = ownUser("retention", async (data, identifier) => {
  const past = demoDataLayer(E2E_TABLE_CLIENT_ENV, () => new Date(Date.now() - 100 * DAY));
  try {
    // Steps' times from `at`, the THREAD item's from the layer's clock: both 100 days ago.
    const [old, pinned] = await Promise.all([0, 1].map((i) => seedDemoThread(past.data, { ...topicThreadOf(identifier, i), at: Date.now() - 100 * DAY + i * 60_000 })));
    await data.pinThread(identifier, pinned!);
    const [recent] = await seedThreads(data, [topicThreadOf(identifier, 2)]);
    return { old: old!, pinned: pinned!, recent: recent! };
  } finally {
    past.close();
  }
});

test("sets retention in the account menu by Save, kept after a reload; the sweep deletes the old thread, not the pinned or recent one", async ({ page, threads, own }) => {
  await page.goto("/threads");
  await expect(threads.rows).toHaveCount(3, { timeout: FIRST_LOAD_MS });

  await threads.chooseFromUserMenu("Delete conversations older than…");
  const dialog = page.getByRole("dialog", { name: "Delete old conversations" });
  const off = dialog.getByRole("radio", { name: "Off (keep everything)" });
  const days30 = dialog.getByRole("radio", { name: "30 days" });
  await expect(off).toBeChecked();
  // Looking through the choices with the arrow keys checks each in turn: nothing is saved until Save.
  await off.focus();
  await page.keyboard.press("ArrowDown");
  await expect(days30).toBeChecked();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.reload();
  await threads.chooseFromUserMenu("Delete conversations older than…");
  await expect(off).toBeChecked({ timeout: FIRST_LOAD_MS });
  await expect(off).toBeEnabled();

  await days30.check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();

  await page.reload();
  await threads.chooseFromUserMenu("Delete conversations older than…");
  await expect(days30).toBeChecked({ timeout: FIRST_LOAD_MS });
  await dialog.getByRole("button", { name: "Cancel" }).click();

  const deleted = await onTable(async (data) => {
    const due = (await data.listDueRetentions("9999", 100)).find((row) => row.userId === own.identifier);
    return due ? runRetention({ data }, own.identifier, due.due) : null;
  });
  expect(deleted).toBe(1);
  await page.reload();
  await expect(threads.rows).toHaveCount(2, { timeout: FIRST_LOAD_MS });
  await expect(page.locator(`a[href="/threads/${own.seeded.old}"]`)).toHaveCount(0);
  await expect(page.locator(`a[href="/threads/${own.seeded.pinned}"]`).first()).toBeVisible();
  await expect(page.locator(`a[href="/threads/${own.seeded.recent}"]`).first()).toBeVisible();
});

test("a choice that is not saved says why in the reader's language, never in the server's words, and is not kept", async ({ page, threads }) => {
  await page.goto("/threads");
  // Three rows, or two once the test above has run its sweep.
  await expect(threads.rows.first()).toBeVisible({ timeout: FIRST_LOAD_MS });
  await threads.chooseFromUserMenu("Delete conversations older than…");
  const dialog = page.getByRole("dialog", { name: "Delete old conversations" });
  await expect(dialog.getByRole("radio", { name: "90 days" })).toBeEnabled({ timeout: FIRST_LOAD_MS });
  const saved = dialog.getByRole("radio", { checked: true });
  const savedName = await saved.getAttribute("value");
  // No network for the save: the browser's own words ("Failed to fetch") are not shown; the reason is in the dialog
  // (a toast behind a modal dialog is hidden from assistive technology), which stays open with the choice to try again.
  await page.route("**/api/trpc/user.setRetention*", (route) => route.abort("internetdisconnected"));
  await dialog.getByRole("radio", { name: "90 days" }).check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Your choice couldn't be saved. Check your connection and try again.");
  await expect(dialog.getByRole("radio", { name: "90 days" })).toBeChecked();
  await page.unroute("**/api/trpc/user.setRetention*");
  // Cancelled and opened again, the dialog starts from the saved setting, without the old failure.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await threads.chooseFromUserMenu("Delete conversations older than…");
  await expect(dialog.getByRole("radio", { name: "90 days" })).toBeEnabled({ timeout: FIRST_LOAD_MS });
  await expect(dialog.getByRole("alert")).toHaveCount(0);
  await expect(dialog.getByRole("radio", { name: "90 days" })).not.toBeChecked();
  await expect(dialog.getByRole("radio", { checked: true })).toHaveAttribute("value", savedName!);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // In Chinese, signed out meanwhile: the server answers UNAUTHORIZED "Sign in to continue"; the dialog words the code.
  await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: page.url() }]);
  await page.reload();
  await threads.chooseFromUserMenu("自动删除旧对话…");
  const zhDialog = page.getByRole("dialog", { name: "删除旧对话" });
  await expect(zhDialog.getByRole("radio", { name: "90 天" })).toBeEnabled({ timeout: FIRST_LOAD_MS });
  await page.context().clearCookies();
  await zhDialog.getByRole("radio", { name: "90 天" }).check();
  await zhDialog.getByRole("button", { name: "保存" }).click();
  await expect(zhDialog.getByRole("alert")).toHaveText("你的选择未能保存：你已退出登录。请重新登录后再选择。");
  await expect(page.getByText("Sign in to continue")).toHaveCount(0);
});

test("with retention on, the import dialog says imported conversations are kept for the period from the import, and the sweep keeps them", async ({ page, threads, own }) => {
  test.slow();
  await onTable((data) => data.setRetention(own.identifier, 30, isoFromMicros(Date.now() * 1000)));
  const tag = `#${randomUUID().slice(0, 6)}`;
  // The repo's fixture: conversations of 2024, a year and more past the period.
  const fixture = (JSON.parse(readFileSync("test/fixtures/imports/chatgpt-conversations.json", "utf8")) as Array<Record<string, unknown>>).map((c) => ({ ...c, title: `${c.title as string} ${tag}`, conversation_id: randomUUID(), id: undefined }));
  const note = "Deleting conversations older than 30 days is on. Imported conversations keep their original dates but are kept for 30 days from the import";
  await page.goto("/threads");
  await expect(threads.rows.first()).toBeVisible({ timeout: FIRST_LOAD_MS });
  const importer = new ImportDialog(page);
  await importer.open();
  // Said before a file is chosen, and again beside what was imported.
  await expect(importer.dialog.getByTestId("import-retention")).toContainText(note);
  await importer.choose({ name: "conversations.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(fixture)) });
  await expect(importer.summary).toContainText("2 imported", { timeout: 60_000 });
  await expect(importer.dialog.getByTestId("import-retention")).toContainText(note);
  await importer.close();

  const kept = await onTable(async (data) => {
    const due = (await data.listDueRetentions("9999", 100)).find((row) => row.userId === own.identifier);
    return due ? runRetention({ data }, own.identifier, due.due) : null;
  });
  expect(kept).not.toBeNull();
  await threads.searchFor(`Trip to Kyoto ${tag}`);
  await expect(threads.rows.filter({ hasText: `Trip to Kyoto ${tag}` })).toHaveCount(1);

  // In Chinese.
  await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: page.url() }]);
  await page.reload();
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "导入对话" }).click();
  await expect(page.getByRole("dialog", { name: "导入对话" }).getByTestId("import-retention")).toContainText("“删除早于 30 天的对话”已开启。导入的对话保留原来的日期，但会从导入之日起保留 30 天");
});
