import { expect, type Locator } from "@playwright/test";
import { Conversation } from "./conversation";
import { PageObject } from "./page-object";
import { ThreadsPage } from "./threads-page";

type Access = "Anyone with the link" | "People signed in to this Threadbook";

/** The owner's Share dialog, opened from the thread header. */
export class ShareDialog extends PageObject {
  readonly dialog = this.page.getByRole("dialog", { name: "Share this thread" });
  readonly link = this.dialog.getByLabel("Share link");

  async open() {
    await this.page.getByTestId("share-button").click();
    await expect(this.dialog).toBeVisible();
  }

  async close() {
    await this.page.keyboard.press("Escape");
    await expect(this.dialog).toBeHidden();
    // Focus is back on the button that opened it.
    await expect(this.page.getByTestId("share-button")).toBeFocused();
  }

  /** Creates the link (or shares again) with this access; returns the link's URL. */
  async share(access: Access, button: "Create link" | "Share again with new messages" = "Create link"): Promise<string> {
    await this.open();
    await this.dialog.getByRole("radio", { name: access }).check();
    await this.dialog.getByRole("button", { name: button }).click();
    await expect(this.link).toBeVisible();
    await expect(this.dialog.getByRole("button", { name: "Share again with new messages" })).toBeEnabled();
    // The button pressed is disabled while it works: focus goes to the new link, not to the page's body.
    await expect(this.link).toBeFocused();
    const url = await this.link.inputValue();
    await this.close();
    return url;
  }

  async stop() {
    await this.open();
    await this.dialog.getByRole("button", { name: "Stop sharing" }).click();
    // It asks first, Cancel focused: Enter on arrival keeps the share.
    const confirm = this.page.getByRole("dialog", { name: "Stop sharing this conversation?" });
    await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
    await this.page.keyboard.press("Escape");
    await expect(confirm).toBeHidden();
    await expect(this.link).toBeVisible();
    await this.dialog.getByRole("button", { name: "Stop sharing" }).click();
    await confirm.getByRole("button", { name: "Stop sharing" }).click();
    await expect(confirm).toBeHidden();
    await expect(this.link).toHaveCount(0);
    await this.close();
  }
}

/** "Shared links" in the user menu: every thread the user shares. */
export class SharedLinksDialog extends PageObject {
  readonly dialog = this.page.getByRole("dialog", { name: "Shared links" });

  async open() {
    await new ThreadsPage(this.page).chooseFromUserMenu("Shared links");
  }

  async close() {
    await this.page.keyboard.press("Escape");
    await expect(this.dialog).toBeHidden();
    // Focus is back on the menu's button, where the dialog was opened from.
    await expect(this.page.getByTestId("user-menu")).toBeFocused();
  }

  /** The listed link of the thread with this name. */
  entry(threadName: string): Locator {
    return this.dialog.getByTestId("shared-link").filter({ hasText: threadName });
  }
}

/** A thread opened through its share link. */
export class SharedThreadPage extends Conversation {
  readonly notFound = this.page.getByTestId("share-not-found");
  readonly continueButton = this.page.getByRole("button", { name: "Continue in my history" });
  /** 👍 buttons: a read-only page has none. */
  readonly feedbackButtons = this.page.getByRole("button", { name: "Helpful", exact: true });
  /** The page's robots directive and link-preview title. */
  readonly robotsMeta = this.page.locator('meta[name="robots"]');
  readonly previewTitle = this.page.locator('meta[property="og:title"]');
  /** The link to the share's print view (a new tab). */
  readonly printLink = this.page.getByRole("link", { name: "Print or save as PDF" });

  /** Opens the link; returns the HTTP status of the page. */
  async goto(url: string): Promise<number> {
    const response = await this.page.goto(url);
    return response?.status() ?? 0;
  }
}
