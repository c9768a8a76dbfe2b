import { expect, snap, test } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";
import { FIRST_LOAD_MS } from "./pages/threads-page";

test.describe("thread list", () => {
  test("groups alice's threads by date and keeps loading past two pages on scroll", async ({ page, threads }) => {
    await threads.goto();
    await expect(threads.currentUser).toHaveText("alice@example.com");
    // The newest thread (20 minutes old) heads the list, in Today; older ones fall into month groups.
    await expect(threads.groupHeading(/^(Today|Yesterday)$/).first()).toBeVisible();
    await expect(threads.rows.first()).toContainText("Q3 sales by region");
    await snap(page, "list-first-page");

    const firstPage = await threads.rows.count();
    expect(firstPage).toBeGreaterThanOrEqual(30);
    await threads.scrollUntilMoreThan(60);
    await expect(threads.groupHeading(/^[A-Z][a-z]+ \d{4}$/).first()).toBeVisible();
    // No thread twice across pages.
    const names = await threads.rows.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(new Set(names).size).toBe(names.length);
    await snap(page, "list-scrolled");
  });

  test.describe("on a tall screen", () => {
    test.use({ viewport: { width: 1280, height: 2400 } });
    test("loads the next page by itself when the first does not fill the panel (Chainlit #2100)", async ({ page, threads }) => {
      await threads.goto();
      // No scroll at all: the sentinel is in view, so page 2 is fetched until the panel overflows or pages run out.
      await expect.poll(() => threads.rows.count()).toBeGreaterThan(30);
      await snap(page, "list-tall-screen");
    });
  });

  test("search is case-insensitive, debounced, and its results page too", async ({ page, threads }) => {
    await threads.goto();
    await threads.search.fill("kyoto");
    await expect(threads.rows).toHaveCount(5);
    for (const name of await threads.rowNames()) expect(name).toMatch(/Kyoto/);
    await snap(page, "search-kyoto");

    // A word inside every seeded answer (search.spec.ts has the rest of the full-text search).
    await threads.search.fill("ESSENTIALS");
    // The debounced search has applied once every row shown is a hit with the word in its snippet (until then the
    // "kyoto" rows are still there, and get replaced under the scrolling).
    const snippets = () => threads.snippetTexts();
    await expect.poll(async () => (await snippets()).length > 0 && (await snippets()).every((s) => s.toLowerCase().includes("essentials"))).toBe(true);
    await threads.scrollUntilMoreThan(30);
    for (const snippet of await threads.snippetTexts()) expect(snippet.toLowerCase()).toContain("essentials");

    await threads.search.fill("no thread is called this");
    await expect(threads.noMatches).toBeVisible();
    await threads.search.press("Escape");
    await expect(threads.search).toHaveValue("");
    await expect(threads.rows.first()).toBeVisible();
  });

  test("a list that fails to load says so and retries", async ({ page, threads }) => {
    // The list's first page travels in one batch with the Pinned section's request (`/api/trpc/threads.pinned,threads.list`).
    const listRequests = (url: URL) => url.pathname.startsWith("/api/trpc/") && url.pathname.split("/").at(-1)!.split(",").includes("threads.list");
    await page.route(listRequests, (route) => route.fulfill({ status: 503, contentType: "application/json", body: "{}" }));
    await page.goto("/threads");
    const alert = threads.loadError;
    // Asked for once the page has hydrated, then retried twice with a back-off (1 s, 2 s) before it says so.
    await expect(alert).toContainText("Couldn't load your threads.", { timeout: FIRST_LOAD_MS });
    await snap(page, "list-error");
    await page.unroute(listRequests);
    await alert.getByRole("button", { name: "Retry" }).click();
    await expect(threads.rows.first()).toBeVisible();
  });

  test("Ctrl+K focuses the search box", async ({ page, threads }) => {
    await threads.goto();
    await threads.clickPageBackground();
    await page.keyboard.press("Control+K");
    await expect(threads.search).toBeFocused();
  });

  test("filters by thumbs up and thumbs down", async ({ page, threads, thread }) => {
    await threads.goto();
    const all = threads.filter("All");
    const up = threads.filter("Thumbs up");
    const down = threads.filter("Thumbs down");
    await expect(all).toHaveAttribute("aria-pressed", "true");

    await up.click();
    await expect(up).toHaveAttribute("aria-pressed", "true");
    await expect(all).toHaveAttribute("aria-pressed", "false");
    await expect(threads.rows.first()).toBeVisible();
    // The filtered list has replaced the whole one (its rows were read before that once, on a busy machine).
    await expect(threads.rows.filter({ hasText: /^Plan a three-day trip to Kyoto/ })).toHaveCount(0);
    await expect.poll(() => threads.rows.count()).toBeGreaterThanOrEqual(15);
    await snap(page, "filter-up");
    await threads.rowLink(1).click();
    await expect(thread.heading).toBeVisible();
    await expect(thread.pressedThumbs("Helpful")).not.toHaveCount(0);

    await down.click();
    await expect(down).toHaveAttribute("aria-pressed", "true");
    await expect(threads.rows).toHaveCount(8);
    for (const index of [0, 7]) {
      const name = (await threads.rowNames())[index]!;
      await threads.rowLink(index).click();
      await expect(thread.heading).toHaveText(name);
      await expect(thread.pressedThumbs("Not helpful")).toHaveCount(1);
      await expect(thread.pressedThumbs("Helpful")).toHaveCount(0);
    }
    await snap(page, "filter-down");
  });

  test("highlights the open thread", async ({ threads }) => {
    await threads.goto();
    await threads.open("Q3 sales by region");
    await expect(threads.link("Q3 sales by region")).toHaveAttribute("aria-current", "page");
    await expect(threads.currentRow).toHaveCount(1);
  });

  test("the theme toggle switches and survives a reload without a flash", async ({ page, threads }) => {
    await threads.goto();
    const html = threads.root;
    await threads.themeButton("System").click();
    await expect(html).toHaveAttribute("data-theme", "light");
    await threads.themeButton("Light").click();
    await expect(html).toHaveAttribute("data-theme", "dark");
    await snap(page, "theme-dark");
    // The head script sets the attribute before React runs: check it on the raw document.
    await page.reload({ waitUntil: "commit" });
    await page.waitForFunction(() => document.documentElement.getAttribute("data-theme") === "dark");
    await threads.themeButton("Dark").click();
    await expect(html).not.toHaveAttribute("data-theme", /.+/);
  });
});

/** Renaming and deleting change a list: a user of this spec's own, with three of the demo topic threads. */
test.describe("renaming and deleting", () => {
  // Topics 7 and 12, and the second round of 12 ("… (2)"), as the demo seed names them.
  const asOwnUser = ownUser("threads", (data, identifier) => seedThreads(data, [7, 12, 28].map((i) => topicThreadOf(identifier, i))));

  asOwnUser("renames a thread inline: Escape cancels, Enter saves", async ({ page, threads }) => {
    await threads.goto();
    await threads.searchFor("haiku");
    const original = "Write a haiku about autumn rain";
    await expect(threads.row(original)).toBeVisible();

    // The mouse's quick pencil first, then the row menu's Rename.
    const input = await threads.rename(original, "Never saved", "quick");
    await input.press("Escape");
    await expect(threads.row(original)).toBeVisible();
    await expect(threads.link(original)).toBeFocused();

    const again = await threads.rename(original, "Autumn rain haiku, renamed");
    await snap(page, "rename-editing");
    await again.press("Enter");
    await expect(threads.row("Autumn rain haiku, renamed")).toBeVisible();
    await page.reload();
    await threads.searchFor("renamed");
    await expect(threads.row("Autumn rain haiku, renamed")).toBeVisible();
  });

  asOwnUser("deletes a thread after confirmation; Escape cancels", async ({ page, threads }) => {
    await threads.goto();
    const name = "Budget for a kitchen renovation";
    await threads.searchFor("kitchen");
    await expect(threads.row(name)).toBeVisible();

    // The mouse's quick trash first, then the row menu's Delete.
    let dialog = await threads.startDelete(name, "quick");
    await expect(dialog).toHaveAttribute("aria-modal", "true");
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    // Focus stays inside the dialog.
    await page.keyboard.press("Tab");
    await expect(dialog.getByRole("button", { name: "Delete" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await snap(page, "delete-dialog");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(threads.row(name)).toBeVisible();

    dialog = await threads.startDelete(name);
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(dialog).toBeHidden();
    await expect(threads.row(name)).toHaveCount(0);
    await page.reload();
    await threads.searchFor("kitchen");
    await expect(threads.row(`${name} (2)`)).toBeVisible();
    await expect(threads.row(name)).toHaveCount(0);
  });
});

test.describe("in Simplified Chinese", () => {
  test.use({ locale: "zh-CN" });

  test("Accept-Language picks zh-CN, and the switcher goes back to English", async ({ page, threads }) => {
    await page.goto("/threads");
    await expect(threads.root).toHaveAttribute("lang", "zh-CN");
    // The tab's title too, as a browser's tab strip and history show it.
    await expect(page).toHaveTitle("新对话 · Threadbook");
    // The newest seeded thread is 20 minutes old: "Today", or "Yesterday" in a run just after midnight.
    await expect(threads.groupHeading(/^(今天|昨天)$/).first()).toBeVisible();
    await expect(threads.signOutButton("退出登录")).toBeVisible();
    await expect(threads.searchBoxNamed("搜索对话")).toBeVisible();
    await snap(page, "zh-CN");

    await threads.languageSwitch("语言").selectOption("en");
    await expect(threads.groupHeading(/^(Today|Yesterday)$/).first()).toBeVisible();
    await expect(threads.root).toHaveAttribute("lang", "en");
    await page.reload();
    await expect(threads.groupHeading(/^(Today|Yesterday)$/).first()).toBeVisible();
  });

  test("a thread that is not there is titled in Chinese", async ({ page, thread }) => {
    await page.goto("/threads/00000000-0000-4000-8000-000000000000");
    await expect(thread.notFoundHeadingNamed("找不到该对话")).toBeVisible();
    await expect(page).toHaveTitle("找不到该对话 · Threadbook");
  });
});

test.describe("the tb-locale cookie", () => {
  test("wins over the browser language", async ({ page, context, baseURL, threads }) => {
    await context.addCookies([{ name: "tb-locale", value: "zh-CN", url: baseURL! }]);
    await page.goto("/threads");
    await expect(threads.root).toHaveAttribute("lang", "zh-CN");
    await expect(threads.groupHeading(/^(今天|昨天)$/).first()).toBeVisible();
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  // "Reduce motion" on: focus still moves into the drawer as it opens and back to the menu button as it closes (a
  // transition made tiny, not off, left the drawer's buttons hidden at the instant they were focused).
  test.describe("with reduced motion", () => {
    test.use({ reducedMotion: "reduce" });

    test("the drawer takes the focus as it opens and gives it back as it closes", async ({ page, threads }) => {
      await page.goto("/threads");
      await threads.menuButton.click();
      await expect(threads.drawer).toBeVisible();
      await expect(threads.closeMenuButton).toBeFocused();
      await page.keyboard.press("Escape");
      await expect(threads.drawer).toBeHidden();
      await expect(threads.menuButton).toBeFocused();
    });
  });

  test("the sidebar is a drawer: opens, closes on Escape, and closes when a thread is picked", async ({ page, threads, thread }) => {
    await page.goto("/threads");
    await expect(threads.menuButton).toHaveAttribute("aria-expanded", "false");
    await expect(threads.search).toBeHidden();
    await snap(page, "phone-home");

    await threads.menuButton.click();
    await expect(threads.menuButton).toHaveAttribute("aria-expanded", "true");
    const drawer = threads.drawer;
    await expect(drawer).toBeVisible();
    await expect(threads.closeMenuButton).toBeFocused();
    await expect(threads.rows.first()).toBeVisible();
    await snap(page, "phone-drawer");
    await page.keyboard.press("Escape");
    await expect(drawer).toBeHidden();
    await expect(threads.menuButton).toBeFocused();

    await threads.menuButton.click();
    await threads.link("Q3 sales by region").click();
    await expect(thread.heading).toHaveText("Q3 sales by region");
    await expect(threads.menuButton).toHaveAttribute("aria-expanded", "false");
    await expect(threads.search).toBeHidden();
    await expect(thread.tables().first()).toBeVisible();
    // It opens at its newest turn, far below the title: the header sticks under the bar, so Share and Export stay in
    // reach (icons on a phone, their names still read out).
    await expect(page.getByRole("button", { name: "Share", exact: true })).toBeInViewport();
    await expect(page.getByRole("button", { name: "Export", exact: true })).toBeInViewport();
    await expect(thread.heading).toBeInViewport();
    const [bar, header] = await Promise.all([threads.menuButton.locator("xpath=..").boundingBox(), thread.heading.locator("xpath=ancestor::header[1]").boundingBox()]);
    expect(Math.abs(header!.y - (bar!.y + bar!.height))).toBeLessThanOrEqual(1); // right under the bar, nothing showing between
    await snap(page, "phone-thread");
  });
});

/*
 * A touch screen has no hover to reveal a row's buttons (threads.css): every row shows its ⋯ menu, the open row all
 * three; a desktop shows them on hover or focus only.
 */
test.describe("on a touch screen", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("every row's ⋯ menu is in reach without hover, and a tap opens it", async ({ page, threads, thread }) => {
    await page.goto("/threads");
    expect(await page.evaluate(() => matchMedia("(hover: none)").matches)).toBe(true);
    await threads.menuButton.tap();
    await threads.link("Q3 sales by region").tap();
    await expect(thread.heading).toHaveText("Q3 sales by region");
    await threads.menuButton.tap();
    const current = page.locator('[aria-current="page"]');
    const open = threads.rows.filter({ has: current });
    const other = threads.rows.filter({ hasNot: current }).first();
    await expect(open.getByTitle(/^Delete “/)).toBeVisible();
    await expect(other.locator(".thread-actions")).toHaveCSS("opacity", "1");
    // The rest of a row's actions are in its menu: the row keeps its width for the name and the age.
    await expect(other.getByTitle(/^Delete “/)).toBeHidden();
    await expect(other.locator(".thread-age")).toBeVisible();
    await other.getByRole("button", { name: /^More actions for “/ }).tap();
    await expect(page.getByRole("menu").getByRole("menuitem", { name: "Rename" })).toBeVisible();
    await snap(page, "phone-row-menu");
  });
});

test("on a desktop, a row's buttons show on hover or focus only, its quick Rename and Delete on hover alone", async ({ page, threads }) => {
  await threads.goto();
  const row = threads.rows.nth(1);
  await expect(row.locator(".thread-actions")).toHaveCSS("opacity", "0");
  await row.hover();
  await expect(row.locator(".thread-actions")).toHaveCSS("opacity", "1");
  await expect(row.getByTitle(/^Rename “/)).toBeVisible();
  // The keyboard's focus shows what it can reach: the row's link and its ⋯ (keyboard.spec counts the stops).
  await page.mouse.move(0, 0);
  await row.getByRole("link").focus();
  await expect(row.locator(".thread-actions")).toHaveCSS("opacity", "1");
  await expect(row.getByRole("button", { name: /^More actions for “/ })).toBeVisible();
  await expect(row.getByTitle(/^Rename “/)).toBeHidden();
});
