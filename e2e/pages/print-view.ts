import type { Locator } from "@playwright/test";
import { PageObject } from "./page-object";

/** A print view: the owner's (`/threads/{id}/print`) or a share link's (`/share/{id}/print`). */
export class PrintView extends PageObject {
  readonly view = this.page.locator(".print-thread");
  readonly heading = this.view.getByRole("heading", { level: 1 });
  /** The header's dates (created and last activity, or the share's snapshot), each a `<time>`. */
  readonly dates = this.page.locator(".print-header time");
  readonly cut = this.page.getByTestId("print-cut");
  readonly printButton = this.page.getByRole("button", { name: "Print" });
  /** The share page's 404 (the same page for every link that is not a live share). */
  readonly shareNotFound = this.page.getByTestId("share-not-found");

  /** Opens it; returns the HTTP status. */
  async goto(path: string): Promise<number> {
    return (await this.page.goto(path))?.status() ?? 0;
  }

  /** Text in the printed thread. */
  text(text: string, options?: { exact?: boolean }): Locator {
    return this.view.getByText(text, options);
  }

  /** A date once the browser has written it in its own zone (`data-local`; the server's HTML says UTC). */
  localDate(index: number): Locator {
    return this.dates.nth(index).and(this.page.locator("[data-local]"));
  }

  /** What this browser's Intl writes for `iso` in `timeZone`, in the page's words ("Created …"). */
  async expectedDate(iso: string, timeZone: string): Promise<string> {
    return this.page.evaluate(([at, zone]) => new Intl.DateTimeFormat("en", { dateStyle: "full", timeStyle: "short", timeZone: zone }).format(new Date(at!)), [iso, timeZone]);
  }
}
