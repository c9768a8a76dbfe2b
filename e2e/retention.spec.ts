/**
 * "Delete conversations older than…" (docs/security.md, "Retention"), as a user of the spec's own with two threads
 * last active 100 days ago (one pinned) and a recent one: the period chosen in the account menu persists after a
 * reload; the run the server's sweep makes (here the same runRetention, over the app's table, without waiting for its
 * timer) deletes the old thread and keeps the pinned and the recent one.
 */
import { expect } from "@playwright/test";
import { demoDataLayer, seedDemoThread } from "../scripts/seed";
import { runRetention } from "../src/server/deletion/retention";
import { E2E_TABLE_CLIENT_ENV } from "./e2e-table";
import { onTable, ownUser, seedThreads, topicThreadOf } from "./fresh-user";
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

test("sets retention in the account menu, kept after a reload; the sweep deletes the old thread, not the pinned or recent one", async ({ page, threads, own }) => {
  await page.goto("/threads");
  await expect(threads.rows).toHaveCount(3, { timeout: FIRST_LOAD_MS });

  await threads.chooseFromUserMenu("Delete conversations older than…");
  const dialog = page.getByRole("dialog", { name: "Delete old conversations" });
  await expect(dialog.getByRole("radio", { name: "Off (keep everything)" })).toBeChecked();
  await dialog.getByRole("radio", { name: "30 days" }).check();
  await expect(dialog.getByRole("radio", { name: "30 days" })).toBeChecked();
  await expect(dialog.getByRole("radio", { name: "30 days" })).toBeEnabled();
  await dialog.getByRole("button", { name: "Close" }).click();

  await page.reload();
  await threads.chooseFromUserMenu("Delete conversations older than…");
  await expect(dialog.getByRole("radio", { name: "30 days" })).toBeChecked({ timeout: FIRST_LOAD_MS });
  await dialog.getByRole("button", { name: "Close" }).click();

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

test("a choice that is not saved says why in the reader's language, never in the server's words, and is not shown as chosen", async ({ page, threads }) => {
  await page.goto("/threads");
  // Three rows, or two once the test above has run its sweep.
  await expect(threads.rows.first()).toBeVisible({ timeout: FIRST_LOAD_MS });
  await threads.chooseFromUserMenu("Delete conversations older than…");
  const dialog = page.getByRole("dialog", { name: "Delete old conversations" });
  await expect(dialog.getByRole("radio", { name: "90 days" })).toBeEnabled({ timeout: FIRST_LOAD_MS });
  // No network for the save: the browser's own words ("Failed to fetch") are not shown; the reason is in the dialog
  // (a toast behind a modal dialog is hidden from assistive technology).
  await page.route("**/api/trpc/user.setRetention*", (route) => route.abort("internetdisconnected"));
  await dialog.getByRole("radio", { name: "90 days" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Your choice couldn't be saved. Check your connection and try again.");
  await expect(dialog.getByRole("radio", { name: "90 days" })).not.toBeChecked();
  await page.unroute("**/api/trpc/user.setRetention*");
  // Closed and opened again, the dialog starts without the old failure.
  await dialog.getByRole("button", { name: "Close" }).click();
  await threads.chooseFromUserMenu("Delete conversations older than…");
  await expect(dialog.getByRole("radio", { name: "90 days" })).toBeEnabled({ timeout: FIRST_LOAD_MS });
  await expect(dialog.getByRole("alert")).toHaveCount(0);

  // In Chinese, signed out meanwhile: the server answers UNAUTHORIZED "Sign in to continue"; the toast words the code.
  await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: page.url() }]);
  await page.reload();
  await threads.chooseFromUserMenu("自动删除旧对话…");
  const zhDialog = page.getByRole("dialog", { name: "删除旧对话" });
  await expect(zhDialog.getByRole("radio", { name: "90 天" })).toBeEnabled({ timeout: FIRST_LOAD_MS });
  await page.context().clearCookies();
  await zhDialog.getByRole("radio", { name: "90 天" }).click();
  await expect(zhDialog.getByRole("alert")).toHaveText("你的选择未能保存：你已退出登录。请重新登录后再选择。");
  await expect(page.getByText("Sign in to continue")).toHaveCount(0);
  await expect(zhDialog.getByRole("radio", { name: "90 天" })).not.toBeChecked();
});
