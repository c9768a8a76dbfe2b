import { expect, type Locator, type Page } from "@playwright/test";
import { ThreadsPage } from "./threads-page";

/** "Import conversations", opened from the user menu in the sidebar's foot. */
export class ImportDialog {
  readonly dialog: Locator;
  readonly fileInput: Locator;
  readonly progress: Locator;
  readonly summary: Locator;
  readonly cancelButton: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole("dialog", { name: "Import conversations" });
    this.fileInput = this.dialog.getByTestId("import-file");
    this.progress = this.dialog.getByTestId("import-progress");
    this.summary = this.dialog.getByTestId("import-summary");
    this.cancelButton = this.dialog.getByRole("button", { name: "Cancel import" });
  }

  async open() {
    await new ThreadsPage(this.page).chooseFromUserMenu("Import conversations");
    await expect(this.dialog).toBeVisible();
  }

  async choose(file: { name: string; mimeType: string; buffer: Buffer }) {
    await this.fileInput.setInputFiles(file);
  }

  async close() {
    await this.dialog.getByRole("button", { name: "Close", exact: true }).last().click();
    await expect(this.dialog).toBeHidden();
  }
}
