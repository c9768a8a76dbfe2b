import type { Page } from "@playwright/test";

const BINDING = "__reportCspViolation";

/**
 * Calls `report` for every Content-Security-Policy violation on the page and every page it navigates to: the
 * `securitypolicyviolation` event (what was blocked, by which directive) and Chromium's "Refused to …" console line.
 * Other origins' pages (an OAuth provider's login page) are not the app's: their own policies are theirs.
 */
export async function watchCspViolations(page: Page, report: (violation: string) => void, appOrigin?: string) {
  const ours = (url: string) => !appOrigin || url.startsWith(appOrigin);
  await page.exposeBinding(BINDING, ({ frame }, text: string) => {
    if (ours(frame.url())) report(text);
  });
  await page.addInitScript((binding) => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as Record<string, (text: string) => void>)[binding]?.(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} on ${e.documentURI}`);
    });
  }, BINDING);
  page.on("console", (message) => {
    if (/Refused to|Content Security Policy/i.test(message.text()) && ours(page.url())) report(`console: ${message.text()}`);
  });
}
