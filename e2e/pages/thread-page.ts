import { expect, type Download, type Locator, type Page } from "@playwright/test";

/** One thread: the conversation, its steps, files, feedback and export. */
export class ThreadPage {
  readonly heading: Locator;
  readonly assistantMessages: Locator;
  readonly userMessages: Locator;
  readonly steps: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { level: 1 });
    this.assistantMessages = page.getByTestId("assistant-message");
    this.userMessages = page.getByTestId("user-message");
    this.steps = page.getByTestId("step");
  }

  step(name: string): Locator {
    return this.steps.filter({ has: this.page.locator("summary", { hasText: name }) });
  }

  up(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByRole("button", { name: "Helpful", exact: true });
  }

  down(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByRole("button", { name: "Not helpful", exact: true });
  }

  comment(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByTestId("feedback-comment");
  }

  /** Clicks a thumb, writes the optional comment, submits. */
  async rate(turn: number, value: "up" | "down", comment?: string) {
    await (value === "up" ? this.up(turn) : this.down(turn)).click();
    const dialog = this.page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    const box = dialog.getByLabel("Comment (optional)");
    await expect(box).toBeFocused();
    if (comment !== undefined) await box.fill(comment);
    await dialog.getByRole("button", { name: "Submit" }).click();
    await expect(dialog).toBeHidden();
  }

  download(name: string): Locator {
    return this.page.getByTestId("element-download").filter({ hasText: name });
  }

  async saveDownload(trigger: () => Promise<void>): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), trigger()]);
    return download;
  }

  async exportAs(format: "Markdown" | "JSON"): Promise<Download> {
    return this.saveDownload(async () => {
      await this.page.getByRole("button", { name: "Export" }).click();
      await this.page.getByRole("menuitem", { name: `Export ${format}` }).click();
    });
  }
}
