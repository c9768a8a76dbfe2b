import { expect, type Locator, type Page } from "@playwright/test";

/** The signed-in shell and its thread sidebar. */
export class ThreadsPage {
  readonly list: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly menuButton: Locator;
  readonly currentUser: Locator;
  readonly newChatButton: Locator;

  constructor(readonly page: Page) {
    this.newChatButton = page.getByRole("button", { name: "New chat", exact: true });
    this.list = page.getByTestId("thread-list");
    this.rows = page.getByTestId("thread-list-item");
    this.search = page.getByRole("searchbox", { name: "Search threads" });
    this.menuButton = page.getByRole("button", { name: "Open menu" });
    this.currentUser = page.getByTestId("current-user");
  }

  async goto() {
    await this.page.goto("/threads");
    await expect(this.rows.first()).toBeVisible();
  }

  /** New chat: an empty chat at /threads with the cursor in its message box. */
  async newChat() {
    await this.newChatButton.click();
    await expect(this.page).toHaveURL(/\/threads$/);
    await expect(this.page.getByRole("textbox", { name: "Message", exact: true })).toBeFocused();
  }

  filter(name: "All" | "Thumbs up" | "Thumbs down"): Locator {
    return this.page.getByRole("group", { name: "Filter by feedback" }).getByRole("button", { name, exact: true });
  }

  groupHeading(name: string | RegExp): Locator {
    return this.list.getByRole("heading", { level: 2, name });
  }

  /** A thread's link: named by the thread name alone (the age is its description). */
  link(name: string): Locator {
    return this.list.getByRole("link", { name, exact: true });
  }

  /**
   * Types a search and waits until the list shows its results: every row matches. Acting on a row before that races
   * the debounced search, which moves rows from under the mouse (a hover, then a click that never lands).
   */
  async searchFor(text: string) {
    await this.search.fill(text);
    await expect
      .poll(async () => {
        const names = await this.rowNames();
        return names.length > 0 && names.every((name) => name.toLowerCase().includes(text.toLowerCase()));
      })
      .toBe(true);
  }

  /** The names shown in the loaded rows, in order. */
  async rowNames(): Promise<string[]> {
    return this.rows.locator(".thread-name").allTextContents();
  }

  row(name: string): Locator {
    return this.rows.filter({ has: this.page.getByRole("link", { name, exact: true }) });
  }

  async open(name: string) {
    await this.link(name).click();
    await expect(this.page.getByRole("heading", { level: 1, name })).toBeVisible();
  }

  /** Scrolls the sidebar to its last row until more than `count` rows are loaded. */
  async scrollUntilMoreThan(count: number) {
    await expect
      .poll(async () => {
        // A row the list re-rendered meanwhile is gone from the DOM: the next poll scrolls to the new last one.
        await this.rows.last().scrollIntoViewIfNeeded().catch(() => undefined);
        return this.rows.count();
      })
      .toBeGreaterThan(count);
  }

  async rename(name: string, next: string) {
    const row = this.row(name);
    await row.hover();
    await row.getByRole("button", { name: `Rename “${name}”` }).click();
    const input = this.page.getByRole("textbox", { name: "Thread name" });
    await expect(input).toBeFocused();
    await input.fill(next);
    return input;
  }

  async startDelete(name: string): Promise<Locator> {
    const row = this.row(name);
    await row.hover();
    await row.getByRole("button", { name: `Delete “${name}”` }).click();
    const dialog = this.page.getByRole("dialog", { name: "Delete this thread?" });
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
