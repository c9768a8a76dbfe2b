import { expect, type Locator, type Route } from "@playwright/test";
import { PageObject } from "./page-object";

/** How long a page may take to hydrate and show what it first asks for, on a busy machine. */
export const FIRST_LOAD_MS = 30_000;

/** The signed-in shell and its thread sidebar. */
export class ThreadsPage extends PageObject {
  readonly newChatButton = this.page.getByRole("button", { name: "New chat", exact: true });
  readonly list = this.page.getByTestId("thread-list");
  readonly rows = this.page.getByTestId("thread-list-item");
  readonly search = this.page.getByRole("searchbox", { name: "Search threads" });
  readonly menuButton = this.page.getByRole("button", { name: "Open menu" });
  readonly currentUser = this.page.getByTestId("current-user");
  /** "3 results", "No results": what the search found, for screen readers too. */
  readonly searchStatus = this.page.getByTestId("search-status");
  /** The list's own message when a search finds nothing. */
  readonly noMatches = this.list.getByText("No threads match");
  /** "Did you mean …?" under it, when a word of the search is in none of the user's messages. */
  readonly suggestion = this.list.getByTestId("search-suggestion");
  /** The list's error when it cannot load, with its Retry. */
  readonly loadError = this.list.getByRole("alert");
  /** The row of the thread open in the main pane. */
  readonly currentRow = this.list.locator('[aria-current="page"]');
  /** On a phone: the sidebar as a drawer, and its close button. */
  readonly drawer = this.page.getByRole("dialog", { name: "Threads" });
  readonly closeMenuButton = this.drawer.getByRole("button", { name: "Close menu" });
  /** The document's root element: its theme (data-theme) and language (lang). */
  readonly root = this.page.locator("html");

  /** The Sign out button in the sidebar's foot (its name in the page's language). */
  signOutButton(name = "Sign out"): Locator {
    return this.page.getByRole("button", { name });
  }

  async signOut() {
    await this.signOutButton().click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  /** The search box by its name in the page's language (`search` is the English one). */
  searchBoxNamed(name: string): Locator {
    return this.page.getByRole("searchbox", { name });
  }

  /** The language switch, by its label in the page's language. */
  languageSwitch(label = "Language"): Locator {
    return this.page.getByRole("combobox", { name: label });
  }

  /** The theme button, named after the theme in use. */
  themeButton(current: "System" | "Light" | "Dark"): Locator {
    return this.page.getByRole("button", { name: `Theme: ${current}` });
  }

  /** Opens the user menu in the sidebar's foot and picks an item (in English, or the Chinese one a spec words). */
  async chooseFromUserMenu(item: "Shared links" | "Sign out everywhere" | "Import conversations" | "Export all" | "Delete all conversations" | "Delete my account" | "Delete conversations older than…" | "自动删除旧对话…") {
    // A click before the page has hydrated opens nothing (it hung a whole test once, right after a sign-in's
    // redirect on a busy machine): opened again until the item shows.
    const entry = this.page.getByRole("menuitem", { name: item });
    await expect(async () => {
      if (!(await entry.isVisible())) await this.page.getByTestId("user-menu").click();
      await expect(entry).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await entry.click();
  }

  /** "Sign out everywhere", confirmed: every session of the user ends, this one too. */
  async signOutEverywhere() {
    await this.chooseFromUserMenu("Sign out everywhere");
    await this.page.getByRole("dialog").getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  /** The delete job's progress in the sidebar, and how it ended. */
  readonly deletionProgress = this.page.getByTestId("deletion-progress");

  /** "Delete all conversations", confirmed: the job starts and its progress shows in the sidebar. */
  async deleteAllConversations() {
    await this.chooseFromUserMenu("Delete all conversations");
    await this.page.getByRole("dialog", { name: "Delete all conversations?" }).getByRole("button", { name: "Delete all" }).click();
    await expect(this.deletionProgress).toBeVisible();
  }

  /** "Delete my account" with the password typed: the account goes and the browser lands on the sign-in page. */
  async deleteAccount(password: string) {
    await this.chooseFromUserMenu("Delete my account");
    const dialog = this.page.getByRole("dialog", { name: "Delete your account?" });
    await dialog.getByLabel("Type your password to confirm").fill(password);
    await dialog.getByRole("button", { name: "Delete my account" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  /** A search hit's snippet, and the words marked in it. */
  snippet(row: Locator): Locator {
    return row.getByTestId("search-snippet");
  }

  snippetMarks(row: Locator): Locator {
    return this.snippet(row).locator("mark");
  }

  /** The snippets of every loaded row. */
  async snippetTexts(): Promise<string[]> {
    return this.snippet(this.rows).allTextContents();
  }

  /** A click on an empty part of the page (nothing focused, no menu open). */
  async clickPageBackground() {
    await this.page.locator("body").click({ position: { x: 900, y: 400 } });
  }

  /** The thread link of a row (by position in the loaded list). */
  rowLink(index: number): Locator {
    return this.rows.nth(index).getByRole("link");
  }

  /** The list is asked for once the page has hydrated: on a busy machine that alone has taken over 10 s. */
  async goto() {
    await this.page.goto("/threads");
    await expect(this.rows.first()).toBeVisible({ timeout: FIRST_LOAD_MS });
  }

  /**
   * The thread list with the app's scripts held back until `release()`: the page as it is before it has hydrated,
   * which a person on a slow connection (or a slow machine) already types into. No fixed wait: nothing can hydrate
   * before the scripts are let through.
   */
  gotoBeforeHydration(): Promise<{ release: () => Promise<void> }> {
    return this.beforeHydration(() => this.page.goto("/threads", { waitUntil: "domcontentloaded" }));
  }

  /** `navigate` (a page load: a goto, a Back) with the app's scripts held back until `release()` (see above). */
  async beforeHydration(navigate: () => Promise<unknown>): Promise<{ release: () => Promise<void> }> {
    const scripts = "**/_next/static/chunks/**/*.js";
    const held: Route[] = [];
    let releasing = false;
    const hold = async (route: Route) => {
      if (releasing) await route.continue();
      else held.push(route);
    };
    await this.page.route(scripts, hold);
    await navigate();
    return {
      release: async () => {
        releasing = true;
        await Promise.all(held.map((route) => route.continue()));
        await this.page.unroute(scripts, hold);
      },
    };
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

  /**
   * A row's Rename or Delete: from its ⋯ menu (what the keyboard and screen readers have), or with the mouse's quick
   * button beside it (shown on hover, neither a Tab stop nor read out, so found by its tooltip).
   */
  private async rowAction(name: string, item: "Rename" | "Delete", how: "menu" | "quick") {
    if (how === "menu") return this.chooseFromRowMenu(name, item, "mouse");
    const row = this.row(name);
    await row.hover();
    await row.getByTitle(`${item} “${name}”`, { exact: true }).click();
  }

  async rename(name: string, next: string, how: "menu" | "quick" = "menu") {
    await this.rowAction(name, "Rename", how);
    const input = this.page.getByRole("textbox", { name: "Thread name" });
    await expect(input).toBeFocused();
    await input.fill(next);
    return input;
  }

  /** The Pinned section above the date groups (docs/data-layer.md, "Pinned threads"). */
  readonly pinnedSection = this.list.getByTestId("pinned-threads");

  /** The names in the Pinned section, in order. */
  async pinnedNames(): Promise<string[]> {
    return this.pinnedSection.locator(".thread-name").allTextContents();
  }

  /** The headings of the list's sections, in order ("Pinned", "Today", …). */
  async sectionTitles(): Promise<string[]> {
    return this.list.getByRole("heading", { level: 2 }).allTextContents();
  }

  /**
   * Picks an item of a row's menu ("More actions for …"): with the mouse, or from the keyboard alone (the button
   * focused, Enter opens the menu on its first item, arrows move, Enter picks). `within` narrows to a section's rows.
   */
  async chooseFromRowMenu(name: string, item: "Pin" | "Unpin" | "Rename" | "Delete", how: "mouse" | "keyboard", within: Locator = this.list) {
    const row = within.getByTestId("thread-list-item").filter({ has: this.page.getByRole("link", { name, exact: true }) });
    const button = row.getByRole("button", { name: `More actions for “${name}”` });
    const menuItem = this.page.getByRole("menu", { name: `More actions for “${name}”` }).getByRole("menuitem", { name: item, exact: true });
    if (how === "mouse") {
      await row.hover();
      await button.click();
      await menuItem.click();
    } else {
      await button.focus();
      await this.page.keyboard.press("Enter");
      await expect(this.page.getByRole("menuitem").first()).toBeFocused();
      while (!(await menuItem.evaluate((element) => element === document.activeElement))) await this.page.keyboard.press("ArrowDown");
      await this.page.keyboard.press("Enter");
    }
    await expect(this.page.getByRole("menu")).toHaveCount(0);
  }

  async startDelete(name: string, how: "menu" | "quick" = "menu"): Promise<Locator> {
    await this.rowAction(name, "Delete", how);
    const dialog = this.page.getByRole("dialog", { name: "Delete this thread?" });
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
