/**
 * "Print or save as PDF" (docs/import-export.md): the Export menu's item opens the thread's print view in a new tab,
 * which asks the browser to print once loaded and holds every turn, also those a long thread's page has not loaded;
 * under print media nothing but the thread shows, and Chromium makes a PDF of it. Hostile: another user gets the
 * thread page's 404, a signed-out visitor the sign-in page. Dates are the reader's (Tokyo, Los Angeles). A share link
 * prints too (docs/sharing.md, "Print"): from the share page's link, its snapshot only, with the share page's headers,
 * and the page's 404 for a stopped, expired or unshared thread. A thread past the bound prints under its note.
 */
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { questionOf, replyOf, seedLongThread } from "../scripts/seed-long-thread";
import { expect, signedInSession } from "./fixtures";
import { XSS_PAYLOAD } from "../scripts/seed";
import { onTable, ownUser, seedThreads, showcaseThread, topicThreadOf } from "./fresh-user";
import { PrintView } from "./pages/print-view";
import { SharedThreadPage } from "./pages/share-page";

/** 30 turns: more than the 20 the thread page opens with (docs/long-threads.md). */
const LONG_STEPS = 120;
const SHARED = topicThreadOf("", 2).name;
const STOPPED = topicThreadOf("", 3).name;
const test = ownUser("print", async (data, identifier) => {
  const [showcaseId, securityId, sharedId, stoppedId, unsharedId] = await seedThreads(data, [
    showcaseThread(identifier),
    { user: identifier, name: "Security check", index: 1, security: true },
    topicThreadOf(identifier, 2),
    topicThreadOf(identifier, 3),
    topicThreadOf(identifier, 4),
  ]);
  const long = await seedLongThread(data, { userId: identifier, steps: LONG_STEPS, name: "A month of reports" });
  // Two turns whose tool logs hold 1,600,000 characters each: past the 3,000,000 printed (PRINT_MAX_CHARS), cheaply.
  const tooLong = await seedLongThread(data, { userId: identifier, steps: 8, name: "Logs past the bound", toolLogChars: 1_600_000 });
  await data.shareThread(tooLong.threadId, identifier, { access: "public", expiresAt: null });
  // Public links: the showcase (its chart signed through the share) and a topic thread that gets a turn after.
  await data.shareThread(showcaseId!, identifier, { access: "public", expiresAt: null });
  await data.shareThread(sharedId!, identifier, { access: "public", expiresAt: null });
  const later = { question: `A question after the share ${randomUUID()}`, id: randomUUID() };
  const after = new Date(Date.now() + 60_000).toISOString();
  await data.createStep({ id: later.id, threadId: sharedId!, type: "user_message", name: identifier, output: later.question, createdAt: after }, { owner: identifier });
  return { showcaseId: showcaseId!, securityId: securityId!, sharedId: sharedId!, stoppedId: stoppedId!, unsharedId: unsharedId!, long, tooLong, later };
});

/** In every page of the context: `window.print` only counts its calls (a real one would block), and CSP violations are kept. */
async function recordPrints(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { __prints: number; __csp: string[] };
    w.__prints = 0;
    w.__csp = [];
    window.print = () => void w.__prints++;
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`));
  });
}
const printsOf = (page: Page) => page.evaluate(() => (window as unknown as { __prints: number }).__prints);
const cspOf = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

test("the Export menu's item opens the whole thread in a new tab, prints it once, and it makes a PDF", async ({ page, context, own }) => {
  const { long } = own.seeded;
  await recordPrints(context);
  await page.goto(`/threads/${long.threadId}`);
  // The thread page holds only its latest turns: the first question is not in it.
  await expect(page.getByText(questionOf(long.turns.length - 1), { exact: true })).toBeVisible();
  await expect(page.getByText(questionOf(0), { exact: true })).toHaveCount(0);

  // By keyboard: the menu button, then the item (a link in a new tab).
  await page.getByRole("button", { name: "Export" }).focus();
  await page.keyboard.press("Enter");
  const item = page.getByRole("menuitem", { name: "Print or save as PDF" });
  await expect(item).toHaveAttribute("target", "_blank");
  await expect(item).toHaveAttribute("rel", "noopener");
  await page.keyboard.press("End");
  await expect(item).toBeFocused();
  const [popup] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("Enter")]);
  await popup.waitForLoadState("load");
  expect(new URL(popup.url()).pathname + new URL(popup.url()).search).toBe(`/threads/${long.threadId}/print?print=1`);
  await expect(popup).toHaveTitle(/A month of reports/);
  // The print dialog was asked for once, when the page had loaded.
  await expect.poll(() => printsOf(popup)).toBe(1);

  // Every turn, the oldest included, each answer's Markdown drawn (its table).
  const view = popup.locator(".print-thread");
  for (let i = 0; i < long.turns.length; i++) {
    await expect(view.getByText(questionOf(i), { exact: true })).toHaveCount(1);
    await expect(view.getByText(replyOf(i).split("\n")[0]!, { exact: true })).toHaveCount(1);
  }
  await expect(view.locator("table")).toHaveCount(long.turns.length);
  await expect(popup.getByTestId("print-cut")).toHaveCount(0);

  // On paper: the thread only, light; no Print button, and no sidebar or message box on the page at all.
  await expect(popup.getByRole("button", { name: "Print" })).toBeVisible();
  await popup.emulateMedia({ media: "print", colorScheme: "dark" });
  await expect(popup.getByRole("button", { name: "Print" })).toBeHidden();
  await expect(popup.getByRole("navigation")).toHaveCount(0);
  await expect(popup.getByRole("textbox")).toHaveCount(0);
  expect(await popup.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(255, 255, 255)");
  const pdf = await popup.pdf();
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  expect(pdf.length).toBeGreaterThan(20_000);
  expect(await cspOf(popup)).toEqual([]);
});

test("a tool step is printed with its input and output, attachments by name, the chart as its image", async ({ page, context, own }) => {
  await recordPrints(context);
  const response = await page.goto(`/threads/${own.seeded.showcaseId}/print`);
  expect(response?.status()).toBe(200);
  // A signed-in page's answer, as the thread page's: never kept by a shared cache.
  const threadPage = await page.request.get(`/threads/${own.seeded.showcaseId}`);
  expect(response?.headers()["cache-control"]).toBe(threadPage.headers()["cache-control"]);
  expect(response?.headers()["cache-control"]).toMatch(/private/);
  expect(response?.headers()["cache-control"]).toMatch(/no-store/);
  await expect(page.locator(".print-thread h1")).toHaveText("Q3 sales by region");
  await expect(page.locator(".print-tool").first()).toBeVisible();
  await expect(page.locator(".print-attachments").getByText("q3-sales.csv")).toBeVisible();
  const chart = page.getByRole("img", { name: "revenue-by-region.png" });
  await expect(chart).toBeVisible();
  await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  // Without ?print=1 it is a page to read: nothing printed until the button is pressed.
  expect(await printsOf(page)).toBe(0);
  await page.getByRole("button", { name: "Print" }).click();
  expect(await printsOf(page)).toBe(1);
  expect(await cspOf(page)).toEqual([]);
});

test("hostile: stored markup is printed as the text it is, through the thread view's sanitised Markdown", async ({ page, own }) => {
  await page.goto(`/threads/${own.seeded.securityId}/print`);
  const view = page.locator(".print-thread");
  // The question (plain text), the tool's output (code) and the answer (Markdown) all show the markup as characters.
  await expect(view.getByText(`Does this render? ${XSS_PAYLOAD}`)).toBeVisible();
  await expect(view.locator("img")).toHaveCount(0);
  await expect(view.locator("script")).toHaveCount(0);
  await expect(view.getByText("click me")).toBeVisible();
  await expect(view.locator('a[href^="javascript:"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
});

test("hostile: bob gets the thread page's 404 for the print view of someone else's thread; signed out goes to sign-in", async ({ browser, own, baseURL }) => {
  const { showcaseId } = own.seeded;
  const bob = await browser.newContext({ baseURL, storageState: await signedInSession(browser, baseURL, "bob@example.com") });
  try {
    const page = await bob.newPage();
    const foreign = await page.goto(`/threads/${showcaseId}/print`);
    expect(foreign?.status()).toBe(404);
    const body = await foreign!.text();
    expect(body).not.toContain("Q3 sales by region");
    expect(body).not.toContain("q3-sales.csv");
    await expect(page.getByRole("heading", { name: "Thread not found" })).toBeVisible();
    // The same answer as for a thread that does not exist.
    const missing = await page.goto(`/threads/00000000-0000-4000-8000-000000000000/print`);
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Thread not found" })).toBeVisible();
  } finally {
    await bob.close();
  }
  const anonymous = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const page = await anonymous.newPage();
    await page.goto(`/threads/${showcaseId}/print`);
    await expect(page).toHaveURL(/\/sign-in/);
  } finally {
    await anonymous.close();
  }
});

/** A context of its own: signed out (`null`) or with `storageState`, in `timezoneId`; closed after `work`. */
async function inContext<T>(browser: Browser, options: { baseURL?: string; storageState?: Awaited<ReturnType<BrowserContext["storageState"]>> | null; timezoneId?: string }, work: (context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL: options.baseURL, timezoneId: options.timezoneId, storageState: options.storageState ?? { cookies: [], origins: [] } });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

// The server knows no reader's time zone: it writes UTC and says so, and the browser writes its own (local-time.tsx).
test("printed dates are the reader's: the same thread in Tokyo and in Los Angeles, the owner's print and the share's", async ({ browser, context, own, baseURL }) => {
  const { showcaseId, sharedId } = own.seeded;
  const storageState = await context.storageState();
  const seen: Record<string, string[]> = {};
  for (const timezoneId of ["Asia/Tokyo", "America/Los_Angeles"]) {
    await inContext(browser, { baseURL, storageState, timezoneId }, async (reader) => {
      const print = new PrintView(await reader.newPage());
      expect(await print.goto(`/threads/${showcaseId}/print`)).toBe(200);
      const created = print.localDate(0);
      await expect(created).toBeVisible();
      const expected = await print.expectedDate((await created.getAttribute("datetime"))!, timezoneId);
      await expect(created).toHaveText(`Created ${expected}`);
      await expect(print.localDate(1)).toHaveText(/^Last activity /);
      // The share's print, signed out: its snapshot's time, in this zone too.
      const shared = await inContext(browser, { baseURL, timezoneId }, async (anonymous) => {
        const sharePrint = new PrintView(await anonymous.newPage());
        expect(await sharePrint.goto(`/share/${sharedId}/print`)).toBe(200);
        const snapshot = sharePrint.localDate(0);
        await expect(snapshot).toBeVisible();
        await expect(snapshot).toHaveText(`As it was on ${await sharePrint.expectedDate((await snapshot.getAttribute("datetime"))!, timezoneId)}`);
        return snapshot.textContent();
      });
      seen[timezoneId] = [(await created.textContent())!, shared!];
    });
  }
  // Tokyo and Los Angeles are 16 or 17 hours apart: never the same text.
  expect(seen["Asia/Tokyo"]![0]).not.toBe(seen["America/Los_Angeles"]![0]);
  expect(seen["Asia/Tokyo"]![1]).not.toBe(seen["America/Los_Angeles"]![1]);
  // The server's HTML: UTC, named.
  const html = await (await context.request.get(`/threads/${showcaseId}/print`)).text();
  expect(html).toMatch(/Created [^<]* UTC</);
});

test("a share link prints what it shows: the Print link on the share page opens its print view, with the share page's headers", async ({ browser, context, own, baseURL }) => {
  const { showcaseId, sharedId, later } = own.seeded;
  await inContext(browser, { baseURL }, async (anonymous) => {
    await recordPrints(anonymous);
    const viewer = new SharedThreadPage(await anonymous.newPage());
    expect(await viewer.goto(`/share/${showcaseId}`)).toBe(200);
    await expect(viewer.printLink).toHaveAttribute("target", "_blank");
    await expect(viewer.printLink).toHaveAttribute("rel", "noopener");
    const [popup] = await Promise.all([anonymous.waitForEvent("page"), viewer.printLink.click()]);
    await popup.waitForLoadState("load");
    expect(new URL(popup.url()).pathname + new URL(popup.url()).search).toBe(`/share/${showcaseId}/print?print=1`);
    await expect.poll(() => printsOf(popup)).toBe(1);
    const print = new PrintView(popup);
    await expect(print.heading).toHaveText("Q3 sales by region");
    await expect(popup).toHaveTitle(/Q3 sales by region/);
    await expect(print.view.locator(".print-tool").first()).toBeVisible();
    await expect(print.view.locator(".print-attachments").getByText("q3-sales.csv")).toBeVisible();
    // The chart through a link the share signed.
    const chart = popup.getByRole("img", { name: "revenue-by-region.png" });
    await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expect(popup.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
    // Neither the owner's identifier nor "You": the viewer did not ask these.
    await expect(print.text(own.identifier)).toHaveCount(0);
    await expect(print.view.getByRole("heading", { name: "You", exact: true })).toHaveCount(0);
    expect(await cspOf(popup)).toEqual([]);

    // The share page's headers: its CSP (a nonce of its own) and Cache-Control.
    const [page, printed] = await Promise.all([anonymous.request.get(`/share/${showcaseId}`), anonymous.request.get(`/share/${showcaseId}/print`)]);
    expect(printed.status()).toBe(200);
    expect(printed.headers()["cache-control"]).toBe(page.headers()["cache-control"]);
    expect(printed.headers()["content-security-policy"]?.replace(/'nonce-[^']+'/g, "")).toBe(page.headers()["content-security-policy"]?.replace(/'nonce-[^']+'/g, ""));

    // The snapshot only: the question the owner asked after sharing is in her own print, never in the share's.
    const share = new PrintView(popup);
    expect(await share.goto(`/share/${sharedId}/print`)).toBe(200);
    await expect(share.heading).toHaveText(SHARED);
    await expect(share.text(later.question)).toHaveCount(0);
    expect(await (await anonymous.request.get(`/share/${sharedId}/print`)).text()).not.toContain(later.question);
  });
  const owner = new PrintView(await context.newPage());
  await owner.goto(`/threads/${sharedId}/print`);
  await expect(owner.text(later.question)).toBeVisible();
});

test("hostile: a stopped or expired share's print view is its page's 404, and so is any thread it does not share", async ({ browser, own, baseURL }) => {
  const { stoppedId, unsharedId } = own.seeded;
  await onTable((data) => data.shareThread(stoppedId, own.identifier, { access: "public", expiresAt: null }));
  await inContext(browser, { baseURL }, async (anonymous) => {
    const print = new PrintView(await anonymous.newPage());
    expect(await print.goto(`/share/${stoppedId}/print`)).toBe(200);
    await expect(print.heading).toHaveText(STOPPED);
    const refused = async (path: string) => {
      const answer = await anonymous.request.get(path);
      expect(answer.status()).toBe(404);
      expect(await answer.text()).not.toContain(STOPPED);
      expect(await print.goto(path)).toBe(404);
      await expect(print.shareNotFound).toBeVisible();
      await expect(print.view).toHaveCount(0);
    };
    // Stopped: the print view answers as the page does.
    await onTable((data) => data.unshareThread(stoppedId));
    await refused(`/share/${stoppedId}`);
    await refused(`/share/${stoppedId}/print`);
    // Shared again, then expired.
    await onTable(async (data) => {
      await data.shareThread(stoppedId, own.identifier, { access: "public", expiresAt: new Date(Date.now() + 60_000).toISOString() });
      await data.changeShare(stoppedId, own.identifier, { access: "public", expiresAt: new Date(Date.now() - 1_000).toISOString() });
    });
    await refused(`/share/${stoppedId}`);
    await refused(`/share/${stoppedId}/print`);
    // The owner's thread that is not shared, one that does not exist, and a malformed id: the same 404.
    await refused(`/share/${unsharedId}/print`);
    await refused(`/share/${randomUUID()}/print`);
    await refused(`/share/${encodeURIComponent(`${stoppedId}#x`)}/print`);
  });
});

test("a thread past the print bound prints its latest whole turns under a note, the owner's and the share's", async ({ browser, page, own, baseURL }) => {
  const { tooLong } = own.seeded;
  const print = new PrintView(page);
  expect(await print.goto(`/threads/${tooLong.threadId}/print`)).toBe(200);
  await expect(print.cut).toHaveText("This thread is too long to print whole: the last 2 of its 4 messages are shown. Export Markdown for all of it.");
  await expect(print.text(questionOf(1), { exact: true })).toBeVisible();
  await expect(print.text(questionOf(0), { exact: true })).toHaveCount(0);
  await inContext(browser, { baseURL }, async (anonymous) => {
    const shared = new PrintView(await anonymous.newPage());
    expect(await shared.goto(`/share/${tooLong.threadId}/print`)).toBe(200);
    // A viewer has no Markdown export to be sent to.
    await expect(shared.cut).toHaveText("This conversation is too long to print whole: the last 2 of its 4 messages are shown.");
    await expect(shared.text(questionOf(1), { exact: true })).toBeVisible();
    await expect(shared.text(questionOf(0), { exact: true })).toHaveCount(0);
  });
});
