import { type Page } from "@playwright/test";
import { expect, snap, test, trpcCallEnded } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";
import { FIRST_LOAD_MS } from "./pages/threads-page";

/** The search's words marked inside the opened message (CSS highlights, search-words.ts), with whether each is in view. */
const searchMarks = (page: Page) =>
  page.evaluate(() =>
    [...(CSS.highlights.get("threadbook-search") ?? [])].map((range) => {
      const box = (range as Range).getBoundingClientRect();
      return { text: range.toString(), inView: box.top >= 0 && box.bottom <= window.innerHeight };
    }),
  );

/** Full-text search from the sidebar's search box (docs/search.md). */
test.describe("full-text search", () => {
  test("finds words from inside a message, marks them in the snippet, opens the message highlighted", async ({ page, threads, thread }) => {
    // Typed before the page has hydrated (its scripts held back; the sidebar hydrates after the main pane): the
    // query is kept and searched once they run.
    const { release } = await threads.gotoBeforeHydration();
    // Words of the seeded answers only ("Check the details. 3. Iterate."), the last one typed half way.
    await threads.search.fill("details itera");
    await release();
    const first = threads.rows.first();
    await expect(threads.snippetMarks(first)).toHaveText(["details", "Iterate"], { timeout: FIRST_LOAD_MS });
    await expect(threads.search).toHaveValue("details itera");
    await expect(threads.searchStatus).toHaveText(/^\d+\+? results$/);
    // Every hit holds both words; the newest activity comes first.
    for (const snippet of await threads.snippetTexts()) expect(snippet).toMatch(/details.*Iterate/);
    await snap(page, "search-results");
    // A hit's buttons shown on hover sit on its name line, clear of the snippet (they covered its first line).
    await first.hover();
    const boxes = [threads.snippet(first), first.getByTitle(/^Delete/), first.getByRole("button", { name: /^More actions/ })].map((part) => part.boundingBox());
    const [snippet, ...buttons] = await Promise.all(boxes);
    for (const button of buttons) expect(button!.y + button!.height).toBeLessThanOrEqual(snippet!.y);
    if (process.env.UPDATE_DOCS_SCREENSHOT) await page.screenshot({ path: "docs/search.png", animations: "disabled" });

    // ↓ then Enter opens the first hit at its message, which is scrolled to and highlighted.
    const name = (await threads.rowNames())[0]!;
    await threads.search.press("ArrowDown");
    await expect(first).toHaveAttribute("data-selected", "true");
    await expect(threads.search).toHaveAttribute("aria-activedescendant", "search-hit-0");
    await threads.search.press("Enter");
    await expect(thread.heading).toHaveText(name);
    await expect(page).toHaveURL(/#step-[\w-]+$/);
    const stepId = decodeURIComponent(new URL(page.url()).hash.slice("#step-".length));
    const highlighted = thread.highlighted;
    await expect(highlighted).toHaveCount(1);
    await expect(highlighted).toHaveAttribute("id", `step-${stepId}`);
    await expect(highlighted).toContainText("Check the details");
    await expect(highlighted).toBeInViewport();
    // The search's words are marked inside the message too (CSS highlights, search-words.ts), the first one in view.
    const marks = () => searchMarks(page);
    await expect.poll(async () => (await marks()).map((mark) => mark.text)).toEqual(expect.arrayContaining(["details", "Iterate"]));
    expect((await marks())[0]!.inView).toBe(true);
    await snap(page, "search-opened");

    // Esc clears the highlight and the marks; the next search would too.
    await thread.pressEscape();
    await expect(highlighted).toHaveCount(0);
    expect(await marks()).toEqual([]);
  });

  test.describe("as a user of this spec's own (a new thread would head alice's list, which other specs check)", () => {
    const asOwnUser = ownUser("search", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0)]));
    asOwnUser("a message just sent is found, and the next search clears an opened hit's highlight", async ({ threads, thread }) => {
      await threads.goto();
      await threads.newChat();
      const word = `zephyr${Date.now().toString(36)}`;
      // The new chat's move to its own URL is held until the reader has gone on to the search box: when it lands,
      // the thread's composer must not take the focus back (what was typed next would go into the message box).
      const { page } = threads;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held!: () => void;
      const navigationHeld = new Promise<void>((resolve) => (held = resolve));
      await page.route(/\/threads\/[0-9a-f-]{36}/, async (route) => {
        if (route.request().headers()["rsc"] !== "1") return route.continue();
        held();
        await released;
        await route.continue();
      });
      // The stored thread is fetched once the reply ends, while the move to its URL is still held: the finished reply
      // must stay on screen through that (it used to vanish, the new chat's greeting back, until the move landed).
      const storedFetched = trpcCallEnded(page, "threads.get");
      await thread.send(`Remember the ${word} project`);
      await expect(thread.lastReplyText()).toHaveText(`Echo: Remember the ${word} project`);
      await navigationHeld;
      await storedFetched;
      // What the client does with the answer (the turn leaves the store, the view draws again) is done well within this.
      await page.waitForTimeout(500);
      await expect(thread.lastReplyText()).toHaveText(`Echo: Remember the ${word} project`, { timeout: 100 });
      await threads.search.fill(word);
      release();
      await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
      await page.unroute(/\/threads\/[0-9a-f-]{36}/);
      // The landed page's effects run and the frame after them, when a composer would take the focus.
      await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))));
      await expect(threads.search).toBeFocused();
      await expect(threads.search).toHaveValue(word);
      await expect(threads.rows).toHaveCount(1);
      await expect(threads.snippetMarks(threads.rows.first()).first()).toHaveText(word);
      await threads.rowLink(0).click();
      await expect(thread.highlighted).toContainText(word);
      await threads.search.fill(`${word} x`);
      await expect(thread.highlighted).toHaveCount(0);
    });
  });

  test("works with the thumbs filter and says when nothing matches", async ({ threads }) => {
    await threads.goto();
    await threads.filter("Thumbs down").click();
    await threads.search.fill("essentials");
    // Counted once the search has answered: until then the rows are the unsearched thumbs-down list.
    await expect(threads.searchStatus).toHaveText(/^\d+\+? results?$/);
    const filtered = await threads.rows.count();
    await threads.filter("All").click();
    await expect.poll(() => threads.rows.count()).toBeGreaterThan(filtered);
    await threads.search.fill("qwxzv nothing like this");
    await expect(threads.noMatches).toBeVisible();
    await expect(threads.searchStatus).toHaveText("No results");
  });

  test("a quoted phrase finds its words together, marked as one; a typo is offered its correction, which searches", async ({ page, threads, thread }) => {
    await threads.goto();
    // "How do presigned S3 URLs work?": the words in that order, in the question and in the answer.
    await threads.search.fill('"presigned s3 urls"');
    await expect(threads.searchStatus).toHaveText(/^\d+\+? results?$/);
    // Every mark is the phrase whole (a tool step holds it twice: its input and its output).
    for (const row of await threads.rows.all()) {
      await expect(threads.snippetMarks(row).first()).toBeVisible();
      for (const mark of await threads.snippetMarks(row).allTextContents()) expect(mark).toMatch(/^presigned s3 urls$/i);
    }
    // Opened, the message marks the phrase whole too (the answer's is in bold: across elements).
    await threads.rowLink(0).click();
    await expect(thread.highlighted).toHaveCount(1);
    await expect.poll(async () => [...new Set((await searchMarks(page)).map((mark) => mark.text.toLowerCase()))]).toEqual(["presigned s3 urls"]);
    // The same words out of order are in no message: nothing, and no correction to offer (every word is known).
    await threads.search.fill('"urls presigned s3"');
    await expect(threads.noMatches).toBeVisible();
    await expect(threads.suggestion).toHaveCount(0);
    // An unclosed quote is the phrase being typed, never an error.
    await threads.search.fill('"presigned s3 ur');
    await expect(threads.searchStatus).toHaveText(/^\d+\+? results?$/);

    await threads.search.fill("presgined");
    await expect(threads.noMatches).toBeVisible();
    await expect(threads.suggestion).toHaveText("Did you mean presigned?");
    await expect(threads.searchStatus).toHaveText("No results Did you mean presigned?");
    await threads.suggestion.getByRole("button", { name: "presigned" }).click();
    await expect(threads.search).toHaveValue("presigned");
    await expect(threads.search).toBeFocused();
    await expect(threads.searchStatus).toHaveText(/^\d+\+? results?$/);
    await expect(threads.snippetMarks(threads.rows.first()).first()).toHaveText(/^presigned$/i);
    await expect(threads.suggestion).toHaveCount(0);
  });
});
