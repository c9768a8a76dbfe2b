import type { Download, Locator } from "@playwright/test";
import { PageObject } from "./page-object";

/**
 * What a thread's own page and its shared page both show: the title, the user's messages, the composer (absent on a
 * read-only page), text, and the attached files' download chips.
 */
export abstract class Conversation extends PageObject {
  readonly heading = this.page.getByRole("heading", { level: 1 });
  readonly userMessages = this.page.getByTestId("user-message");
  readonly composer = this.page.getByRole("textbox", { name: "Message", exact: true });

  /** Text anywhere on the page (to check something is shown, or is not). */
  text(text: string | RegExp, options?: { exact?: boolean }): Locator {
    return this.page.getByText(text, options);
  }

  /** The download chip of an attached file. */
  download(name: string): Locator {
    return this.page.getByTestId("element-download").filter({ hasText: name });
  }

  async saveDownload(trigger: () => Promise<void>): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), trigger()]);
    return download;
  }
}
