import { expect, type Download, type Locator, type Page } from "@playwright/test";

type Access = "Anyone with the link" | "People signed in to this Threadbook";

/** The owner's Share dialog, opened from the thread header. */
export class ShareDialog {
  readonly dialog: Locator;
  readonly link: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole("dialog", { name: "Share this thread" });
    this.link = this.dialog.getByLabel("Share link");
  }

  async open() {
    await this.page.getByTestId("share-button").click();
    await expect(this.dialog).toBeVisible();
  }

  async close() {
    await this.page.keyboard.press("Escape");
    await expect(this.dialog).toBeHidden();
  }

  /** Creates the link (or shares again) with this access; returns the link's URL. */
  async share(access: Access, button: "Create link" | "Share again with new messages" = "Create link"): Promise<string> {
    await this.open();
    await this.dialog.getByRole("radio", { name: access }).check();
    await this.dialog.getByRole("button", { name: button }).click();
    await expect(this.link).toBeVisible();
    await expect(this.dialog.getByRole("button", { name: "Share again with new messages" })).toBeEnabled();
    const url = await this.link.inputValue();
    await this.close();
    return url;
  }

  async stop() {
    await this.open();
    await this.dialog.getByRole("button", { name: "Stop sharing" }).click();
    await expect(this.link).toHaveCount(0);
    await this.close();
  }
}

/** A thread opened through its share link. */
export class SharedThreadPage {
  readonly heading: Locator;
  readonly userMessages: Locator;
  readonly notFound: Locator;
  readonly composer: Locator;
  readonly continueButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { level: 1 });
    this.userMessages = page.getByTestId("user-message");
    this.notFound = page.getByTestId("share-not-found");
    this.composer = page.getByRole("textbox", { name: "Message", exact: true });
    this.continueButton = page.getByRole("button", { name: "Continue in my history" });
  }

  /** Opens the link; returns the HTTP status of the page. */
  async goto(url: string): Promise<number> {
    const response = await this.page.goto(url);
    return response?.status() ?? 0;
  }

  async download(fileName: string): Promise<Download> {
    const chip = this.page.getByTestId("element-download").filter({ hasText: fileName });
    const [download] = await Promise.all([this.page.waitForEvent("download"), chip.click()]);
    return download;
  }
}
