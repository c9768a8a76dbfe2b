import type { Page } from "@playwright/test";

/**
 * What every page object holds: the page it acts on. A page object declares its locators as fields
 * (`readonly heading = this.page.getByRole(…)`); a subclass's fields are set once this constructor has run, so
 * `this.page` is there for them.
 */
export abstract class PageObject {
  constructor(readonly page: Page) {}
}
