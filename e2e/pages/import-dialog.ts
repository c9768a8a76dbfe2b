import { expect } from "@playwright/test";
import { PageObject } from "./page-object";
import { ThreadsPage } from "./threads-page";

/** "Import conversations", opened from the user menu in the sidebar's foot. */
export class ImportDialog extends PageObject {
  readonly dialog = this.page.getByRole("dialog", { name: "Import conversations" });
  readonly fileInput = this.dialog.getByTestId("import-file");
  readonly progress = this.dialog.getByTestId("import-progress");
  readonly summary = this.dialog.getByTestId("import-summary");
  readonly cancelButton = this.dialog.getByRole("button", { name: "Cancel import" });

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
