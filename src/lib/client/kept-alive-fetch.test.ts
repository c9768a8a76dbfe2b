import { afterEach, describe, expect, it, vi } from "vitest";
import { KEPT_ALIVE_BUDGET_BYTES, keptAliveFetch } from "./kept-alive-fetch";

afterEach(() => vi.unstubAllGlobals());

/** The browser's fetch: records what each request asked for, and answers when the test says. */
function heldFetch() {
  const calls: { keepalive: boolean | undefined; answer: () => void }[] = [];
  vi.stubGlobal("fetch", (_input: RequestInfo | URL, init?: RequestInit) => new Promise<Response>((resolve) => calls.push({ keepalive: init?.keepalive, answer: () => resolve(new Response("{}")) })));
  return calls;
}

const post = (bytes: number) => keptAliveFetch("/api/trpc/feedback.upsert?batch=1", { method: "POST", body: "x".repeat(bytes) });

describe("keptAliveFetch", () => {
  it("sends a small change kept alive, so a reload right after it does not cancel it", async () => {
    const calls = heldFetch();
    const answered = post(200);
    expect(calls.map((c) => c.keepalive)).toEqual([true]);
    calls[0]!.answer();
    await expect(answered).resolves.toBeInstanceOf(Response);
  });

  it("stays inside the budget Chrome allows for bodies in flight, and gives it back once answered", async () => {
    const calls = heldFetch();
    const first = post(KEPT_ALIVE_BUDGET_BYTES - 100);
    // Past the budget while the first is in flight: sent as a plain request, never refused by the browser.
    const second = post(200);
    expect(calls.map((c) => c.keepalive)).toEqual([true, undefined]);
    calls[0]!.answer();
    calls[1]!.answer();
    await Promise.all([first, second]);
    // Both answered: the whole budget is free again.
    const third = post(KEPT_ALIVE_BUDGET_BYTES);
    expect(calls[2]!.keepalive).toBe(true);
    calls[2]!.answer();
    await third;
  });

  it("counts bytes, not characters", async () => {
    const calls = heldFetch();
    // Three bytes a character in UTF-8: over the budget though its length is under it.
    const wide = keptAliveFetch("/api/trpc/threads.rename?batch=1", { method: "POST", body: "€".repeat(KEPT_ALIVE_BUDGET_BYTES / 2) });
    expect(calls[0]!.keepalive).toBeUndefined();
    calls[0]!.answer();
    await wide;
  });

  it("gives the budget back when the request fails", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    await expect(post(KEPT_ALIVE_BUDGET_BYTES)).rejects.toThrow("Failed to fetch");
    const calls = heldFetch();
    const next = post(KEPT_ALIVE_BUDGET_BYTES);
    expect(calls[0]!.keepalive).toBe(true);
    calls[0]!.answer();
    await next;
  });
});
