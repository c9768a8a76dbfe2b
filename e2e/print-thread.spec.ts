/**
 * "Print or save as PDF" (docs/import-export.md): the Export menu's item opens the thread's print view in a new tab,
 * which asks the browser to print once loaded and holds every turn, also those a long thread's page has not loaded;
 * under print media nothing but the thread shows, and Chromium makes a PDF of it. Hostile: another user gets the
 * thread page's 404, a signed-out visitor the sign-in page.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { questionOf, replyOf, seedLongThread } from "../scripts/seed-long-thread";
import { expect, signedInSession } from "./fixtures";
import { XSS_PAYLOAD } from "../scripts/seed";
import { ownUser, seedThreads, showcaseThread } from "./fresh-user";

/** 30 turns: more than the 20 the thread page opens with (docs/long-threads.md). */
const LONG_STEPS = 120;
const test = ownUser("print", async (data, identifier) => {
  const [showcaseId, securityId] = await seedThreads(data, [showcaseThread(identifier), { user: identifier, name: "Security check", index: 1, security: true }]);
  const long = await seedLongThread(data, { userId: identifier, steps: LONG_STEPS, name: "A month of reports" });
  return { showcaseId: showcaseId!, securityId: securityId!, long };
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
