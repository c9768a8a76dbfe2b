import { expect, type Download, type Locator, type Page } from "@playwright/test";
import { ThreadsPage } from "./threads-page";

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

/** "Shared links" in the user menu: every thread the user shares. */
export class SharedLinksDialog {
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole("dialog", { name: "Shared links" });
  }

  async open() {
    await new ThreadsPage(this.page).chooseFromUserMenu("Shared links");
  }

  async close() {
    await this.page.keyboard.press("Escape");
  }

  /** The listed link of the thread with this name. */
  entry(threadName: string): Locator {
    return this.dialog.getByTestId("shared-link").filter({ hasText: threadName });
  }
}

/** A thread opened through its share link. */
export class SharedThreadPage {
  readonly heading: Locator;
  readonly userMessages: Locator;
  readonly notFound: Locator;
  readonly composer: Locator;
  readonly continueButton: Locator;
  /** 👍 buttons: a read-only page has none. */
  readonly feedbackButtons: Locator;
  /** The page's robots directive and link-preview title. */
  readonly robotsMeta: Locator;
  readonly previewTitle: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { level: 1 });
    this.userMessages = page.getByTestId("user-message");
    this.notFound = page.getByTestId("share-not-found");
    this.composer = page.getByRole("textbox", { name: "Message", exact: true });
    this.continueButton = page.getByRole("button", { name: "Continue in my history" });
    this.feedbackButtons = page.getByRole("button", { name: "Helpful", exact: true });
    this.robotsMeta = page.locator('meta[name="robots"]');
    this.previewTitle = page.locator('meta[property="og:title"]');
  }

  /** Text anywhere on the page (to check something is shown, or is not). */
  text(text: string): Locator {
    return this.page.getByText(text);
  }

  /** Opens the link; returns the HTTP status of the page. */
  async goto(url: string): Promise<number> {
    const response = await this.page.goto(url);
    return response?.status() ?? 0;
  }

  /** The download chip of an attached file. */
  downloadChip(fileName: string): Locator {
    return this.page.getByTestId("element-download").filter({ hasText: fileName });
  }

  async download(fileName: string): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.downloadChip(fileName).click()]);
    return download;
  }
}
