import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, snap, test } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";

// Two or three axe runs per test, each 15 s and more on a busy machine (a reversed run at load 19 ran out of a minute).
test.slow();

/**
 * The rules that depend on colours alone. The dark theme changes colours only, never the document: its runs check
 * these and leave the rest (names, roles, structure, focus order) to the light theme's runs of the same states, which
 * halves the suite's axe time.
 */
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

/** Serious and critical axe violations fail the test; the rest are printed for review. */
async function checkA11y(page: Page, label: string) {
  const dark = await page.evaluate(() => window.matchMedia("(prefers-color-scheme: dark)").matches);
  const axe = new AxeBuilder({ page });
  const results = await (dark ? axe.withRules(COLOUR_RULES) : axe.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const minor = results.violations.filter((v) => !blocking.includes(v));
  if (minor.length) console.log(`[axe ${label}] minor:`, minor.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(", "));
  expect(
    blocking.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })),
    `${label}: serious or critical axe violations`,
  ).toEqual([]);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`accessibility, ${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test("the thread list", async ({ page, threads }) => {
      await threads.goto();
      await checkA11y(page, `list ${colorScheme}`);
      await threads.filter("Thumbs up").click();
      await expect(threads.filter("Thumbs up")).toHaveAttribute("aria-pressed", "true");
      await expect(threads.rows.first()).toBeVisible();
      await expect(threads.list).not.toHaveAttribute("aria-busy", "true");
      await checkA11y(page, `list filtered ${colorScheme}`);
    });

    test("the thread detail, with a step open and a dialog", async ({ page, threads, thread }) => {
      await threads.goto();
      await threads.open("Q3 sales by region");
      await thread.stepSummary("run_python").click();
      await expect(thread.step("run_python").getByText(/read_csv/)).toBeVisible();
      await snap(page, `a11y-detail-${colorScheme}`);
      await checkA11y(page, `detail ${colorScheme}`);
      await thread.up(1).click();
      await expect(thread.dialog).toBeVisible();
      await checkA11y(page, `feedback dialog ${colorScheme}`);
      await page.keyboard.press("Escape");
      await expect(thread.dialog).toBeHidden();
      await expect(thread.up(1)).toBeFocused();
    });
  });
}

test.describe("accessibility on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the open drawer", async ({ page, threads }) => {
    await page.goto("/threads");
    await threads.menuButton.click();
    await expect(threads.rows.first()).toBeVisible();
    await checkA11y(page, "drawer");
  });
});

// Sending moves a thread to the top of its owner's list: as a user of this spec's own, so alice's list, which other
// specs read, stays as seeded.
test.describe("accessibility of the composer", () => {
  const asOwnUser = ownUser("a11y", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0)]));

  for (const colorScheme of ["light", "dark"] as const) {
    test.describe(`${colorScheme} theme`, () => {
      asOwnUser.use({ colorScheme });

      asOwnUser("while a reply streams, and with files attached or refused", async ({ page, threads, thread }) => {
        await threads.goto();
        await threads.newChat();
        await thread.send(`[slow] An accessible story, ${colorScheme}`);
        await expect(thread.lastReplyText()).toContainText("word3 ");
        await expect(thread.stopButton).toBeVisible();
        await checkA11y(page, `streaming ${colorScheme}`);
        await thread.stopButton.click();
        await thread.waitForStoredTurn();

        await thread.attach([
          { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello\n") },
          { name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") },
        ]);
        await expect(thread.draftFile("notes.txt").getByRole("progressbar")).toHaveCount(0);
        await expect(thread.draftError).toBeVisible();
        await thread.composer.fill("A message with a file");
        await snap(page, `a11y-composer-${colorScheme}`);
        await checkA11y(page, `composer ${colorScheme}`);
        // Leave nothing behind: the uploaded file is deleted when removed.
        await thread.draftFile("notes.txt").getByRole("button", { name: "Remove notes.txt" }).click();
        await expect(thread.draftFiles).toHaveCount(0);
      });
    });
  }
});
