import { PageObject } from "./page-object";

/** What a page's <head> links to (icons, manifest). */
export class DocumentHead extends PageObject {
  /** The href of every <link rel="…"> of that rel, in document order. */
  async linkHrefs(rel: string): Promise<string[]> {
    return this.page.locator(`head link[rel="${rel}"]`).evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).getAttribute("href")!));
  }
}
