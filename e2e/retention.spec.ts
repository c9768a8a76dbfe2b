/**
 * "Delete conversations older than…" (docs/security.md, "Retention"), as a user of the spec's own with two threads
 * last active 100 days ago (one pinned) and a recent one: a period is saved by Save only (not by moving through the
 * choices), and persists after a reload; the run the server's sweep makes (here the same runRetention, over the app's
 * table, without waiting for its timer) deletes the old thread and keeps the pinned and the recent one.
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
