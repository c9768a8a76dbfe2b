/**
 * Bounded requests against the running app (docs/security.md, "Limits and timeouts"): the upload route takes only
 * same-origin requests, /api/trpc refuses a mutation from another site, an oversize body and an oversize batch while
 * staying up, a path that does not decode is a 400 (not Next's 500), and "Export all" refuses a download another site started; and a new chat past its per-minute budget
 * (as a user of its own: the budget is per user) tells the reader to wait, keeping what they wrote; a data-layer refusal
 * (a forged cursor) keeps its 400 in the built server.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";
import { ownUser } from "./fresh-user";

test.use({ user: "bob@example.com" });

const uploadUrl = () => `/api/threads/${randomUUID()}/elements?elementId=${randomUUID()}&forId=${randomUUID()}&name=note.txt`;

test.describe("bounded requests", () => {
  test("uploads, API mutations and Export all refuse a signed-in request another site started (403), and name why", async ({ page, baseURL }) => {
    await page.goto("/");
    const foreign = await page.request.post(uploadUrl(), { headers: { "content-type": "text/plain", origin: "https://evil.example" }, data: "forged" });
    expect(foreign.status()).toBe(403);
    expect(await foreign.json()).toEqual({ error: "Uploads are accepted only from Threadbook's own pages." });
    const crossSite = await page.request.post(uploadUrl(), { headers: { "content-type": "text/plain", origin: baseURL!, "sec-fetch-site": "cross-site" }, data: "forged" });
    expect(crossSite.status()).toBe(403);
    // The app's own origin gets past the check (whatever the upload itself then answers).
    const own = await page.request.post(uploadUrl(), { headers: { "content-type": "text/plain", origin: baseURL!, "sec-fetch-site": "same-origin" }, data: "fine" });
    expect(own.status()).not.toBe(403);

    const mutation = await page.request.post("/api/trpc/threads.create?batch=1", { headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" }, data: { 0: { json: {} } } });
    expect(mutation.status()).toBe(403);
    expect(JSON.stringify(await mutation.json())).toContain("Changes are accepted only from Threadbook's own pages.");
    const exported = await page.request.get("/api/export", { headers: { "sec-fetch-site": "cross-site" } });
    expect(exported.status()).toBe(403);
    expect(exported.headers()["content-type"]).toContain("text/html");
  });

  test("a path whose % escapes do not decode is a 400 saying so, not Next's 500, and a page path's 400 carries the page headers", async ({ page }) => {
    await page.goto("/");
    for (const [method, path] of [
      ["GET", "/threads/%ZZ"],
      ["GET", "/share/%E0%A4%A"],
      ["GET", "/api/trpc/threads.get%ZZ"],
      ["POST", "/api/threads/%C3/elements?elementId=a&forId=b&name=note.txt"],
    ] as const) {
      const answer = await page.request.fetch(path, { method, ...(method === "POST" && { headers: { "content-type": "text/plain" }, data: "note" }) });
      expect([path, answer.status(), await answer.text()]).toEqual([path, 400, "Bad request: the address has a % escape that does not decode."]);
      if (!path.startsWith("/api/")) expect(answer.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    }
  });

  test("/api/trpc answers a 50 MB body with 413 and a 1,000-call batch with 400, and keeps serving", async ({ page }) => {
    await page.goto("/");
    const big = await page.request.post("/api/trpc/threads.rename?batch=1", { headers: { "content-type": "application/json" }, data: Buffer.alloc(50 * 1024 * 1024, 0x20) });
    expect(big.status()).toBe(413);
    expect(JSON.stringify(await big.json())).toContain("The request body is larger than the 1 MB limit.");

    const paths = Array.from({ length: 1000 }, () => "threads.list").join(",");
    const batch = await page.request.get(`/api/trpc/${paths}?batch=1&input=%7B%7D`);
    expect(batch.status()).toBe(400);
    expect(JSON.stringify(await batch.json())).toContain("A request may batch at most 20 calls; this one has 1000.");

    expect((await page.request.get("/api/health")).status()).toBe(200);
  });

  test("a refusal of the data layer (a cursor that is not this list's) is its 400 and fixed message in the built server, not a 500", async ({ page }) => {
    await page.goto("/");
    // The built server holds the data module more than once (src/data/errors.ts): each refusal must keep its code.
    const input = (json: object) => encodeURIComponent(JSON.stringify({ 0: { json } }));
    for (const [path, json] of [["threads.list", { first: 1, cursor: "e30.forged" }], ["search.query", { query: "trip", tag: "work", cursor: "e30.forged" }]] as const) {
      const answer = await page.request.get(`/api/trpc/${path}?batch=1&input=${input(json)}`);
      expect(answer.status(), path).toBe(400);
      const text = JSON.stringify(await answer.json());
      expect(text).toContain("This list is out of date. Please reload it.");
      expect(text).not.toMatch(/signature|stack|at \//);
    }
  });
});

/** A user of this test's own, with no threads: it spends its whole new-chat budget for the minute. */
const budgetTest = ownUser("new-chat-budget");

budgetTest("a new chat past the minute's new-chat budget says to wait a minute and keeps the message", async ({ page, baseURL }) => {
  await page.goto("/threads");
  // CHAT_MESSAGES_PER_MINUTE (30 by default) new threads made as the composer makes them, all at once.
  const made = await Promise.all(
    Array.from({ length: 30 }, () =>
      page.request.post("/api/trpc/threads.create?batch=1", { headers: { "content-type": "application/json", origin: baseURL!, "sec-fetch-site": "same-origin" }, data: { 0: { json: null } } }),
    ),
  );
  expect(made.map((response) => response.status())).toEqual(Array(30).fill(200));
  const composer = page.getByRole("textbox", { name: "Message", exact: true });
  await composer.fill("One more chat, please");
  await composer.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "You are starting new chats faster than this app allows. Wait a minute, then try again." })).toBeVisible();
  await expect(composer).toHaveValue("One more chat, please");
});
