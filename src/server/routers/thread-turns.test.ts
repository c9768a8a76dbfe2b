/**
 * threads.get and threads.turns on a long thread (docs/long-threads.md), against dynalite and s3rver: the window's
 * boundaries, paging by cursor covering every step exactly once in both directions, the window around a linked step,
 * links signed only for the turns sent, and one Query per call (round trips counted, not time).
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedLongThread, STEPS_PER_TURN, type SeededLongThread } from "../../../scripts/seed-long-thread";
import { callerFor, createTestServices, expectNoInternals, sessionUser, type Caller } from "../../../test/callers";
import { LATEST_TURNS, PAGE_TURNS } from "../thread/thread-window";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`);
let long: SeededLongThread;
let other: SeededLongThread;
let asAlice: Caller;
const TURNS = 53;
let firstFileId: string;
let orphanFileId: string;

beforeAll(async () => {
  services = await createTestServices();
  long = await seedLongThread(services.data, { userId: alice.id, steps: TURNS * STEPS_PER_TURN });
  // Her other thread is a copy of this one's first 30 turns under the same step ids (imported, or forked).
  other = await seedLongThread(services.data, { userId: alice.id, steps: 30 * STEPS_PER_TURN, sameIdsAs: long });
  // A file on the first turn's reply (far from the latest window), and one that belongs to no step.
  firstFileId = randomUUID();
  orphanFileId = randomUUID();
  await services.data.createElement({ id: firstFileId, threadId: long.threadId, forId: long.turns[0]!.replyId, type: "file", name: "first.csv", mime: "text/csv", content: "a,b\n1,2\n" });
  await services.data.createElement({ id: orphanFileId, threadId: long.threadId, type: "file", name: "loose.txt", mime: "text/plain", content: "loose" });
  asAlice = callerFor(services, alice);
});
afterAll(() => services.close());

const turnStepIds = (from: number, to: number) => long.turns.slice(from, to).flatMap((t) => [t.messageId, t.runId, t.toolId, t.replyId]);

async function requestsOf<T>(action: () => Promise<T>): Promise<{ result: T; requests: Record<string, number> }> {
  services.requests.reset();
  const result = await action();
  return { result, requests: Object.fromEntries(services.requests.byOperation) };
}

const code = (error: unknown) => (error instanceof TRPCError ? error.code : String(error));

describe("threads.get on a long thread", () => {
  it("returns the latest turns whole, with the thread's totals and a cursor to older turns, in one Query", async () => {
    const { result, requests } = await requestsOf(() => asAlice.threads.get({ threadId: long.threadId }));
    expect(requests).toEqual({ QueryCommand: 1 });
    expect(result.steps.map((s) => s.id)).toEqual(turnStepIds(TURNS - LATEST_TURNS, TURNS));
    expect(result.window).toMatchObject({ start: TURNS - LATEST_TURNS, end: TURNS, total: TURNS, messages: TURNS * 2, newerCursor: null });
    expect(result.window.olderCursor).toEqual(expect.any(String));
    expectNoInternals(result);
  });

  it("sends the links of its own turns' files only, and the file that belongs to no step, signed", async () => {
    const latest = await asAlice.threads.get({ threadId: long.threadId });
    expect(latest.elements.map((e) => e.id)).toEqual([orphanFileId]);
    expect(latest.elements[0]!.url).toMatch(/^http/);
  });
});

describe("threads.turns by cursor", () => {
  it("pages back from the latest window to the first turn: every step exactly once, one Query a page", async () => {
    const latest = await asAlice.threads.get({ threadId: long.threadId });
    const seen = [...latest.steps.map((s) => s.id)];
    let cursor = latest.window.olderCursor;
    let end = latest.window.start;
    let pages = 0;
    while (cursor) {
      const { result: page, requests } = await requestsOf(() => asAlice.threads.turns({ threadId: long.threadId, cursor: cursor! }));
      expect(requests).toEqual({ QueryCommand: 1 });
      expect(page.window.end).toBe(end);
      expect(page.window.end - page.window.start).toBe(Math.min(PAGE_TURNS, end));
      expect(page.steps.map((s) => s.id)).toEqual(turnStepIds(page.window.start, page.window.end));
      seen.unshift(...page.steps.map((s) => s.id));
      ({ olderCursor: cursor, start: end } = page.window);
      pages++;
    }
    expect(pages).toBe(Math.ceil((TURNS - LATEST_TURNS) / PAGE_TURNS));
    expect(seen).toEqual(turnStepIds(0, TURNS));
    expect(new Set(seen).size).toBe(TURNS * STEPS_PER_TURN);
  });

  it("the page with the first turn carries its file, signed now", async () => {
    const page = await asAlice.threads.turns({ threadId: long.threadId, stepId: long.turns[0]!.messageId });
    expect(page.elements.map((e) => e.id)).toEqual([firstFileId]);
    expect(page.elements[0]!.url).toMatch(/^http/);
    expect(page.elements[0]!.urlExpiresAt).toEqual(expect.any(String));
  });

  it("a cursor from another thread of the same user, or a tampered one, is BAD_REQUEST", async () => {
    const fromOther = (await asAlice.threads.get({ threadId: other.threadId })).window.olderCursor!;
    const [body, signature] = fromOther.split(".") as [string, string];
    const moved = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), t: long.threadId })).toString("base64url");
    for (const cursor of [fromOther, `${moved}.${signature}`, `${body}.${signature.slice(2)}`, "garbage"]) {
      await expect(asAlice.threads.turns({ threadId: long.threadId, cursor }).catch(code)).resolves.toBe("BAD_REQUEST");
    }
  });

  it("needs exactly one of cursor and stepId", async () => {
    await expect(asAlice.threads.turns({ threadId: long.threadId }).catch(code)).resolves.toBe("BAD_REQUEST");
    const both = { threadId: long.threadId, cursor: "x.y", stepId: long.turns[0]!.messageId };
    await expect(asAlice.threads.turns(both).catch(code)).resolves.toBe("BAD_REQUEST");
  });
});

describe("threads.turns around a step (a #step- link)", () => {
  it("returns the turns around any step of a turn, then newer pages reach the latest turn exactly once each", async () => {
    const target = 12;
    const around = await asAlice.threads.turns({ threadId: long.threadId, stepId: long.turns[target]!.toolId });
    expect(around.window.start).toBeLessThanOrEqual(target);
    expect(around.window.end).toBeGreaterThan(target);
    expect(around.window.newerCursor).toEqual(expect.any(String));
    const seen = around.steps.map((s) => s.id);
    let { newerCursor: cursor, end } = around.window;
    while (cursor) {
      const page = await asAlice.threads.turns({ threadId: long.threadId, cursor });
      expect(page.window.start).toBe(end);
      seen.push(...page.steps.map((s) => s.id));
      ({ newerCursor: cursor, end } = page.window);
    }
    expect(seen).toEqual(turnStepIds(around.window.start, TURNS));
  });

  it("a step near the end gives one block that runs to the latest turn", async () => {
    const around = await asAlice.threads.turns({ threadId: long.threadId, stepId: long.turns[TURNS - LATEST_TURNS - 3]!.replyId });
    expect(around.window).toMatchObject({ end: TURNS, newerCursor: null });
  });

  it("a step that is not in the thread is NOT_FOUND", async () => {
    for (const stepId of [randomUUID()]) {
      await expect(asAlice.threads.turns({ threadId: long.threadId, stepId }).catch(code)).resolves.toBe("NOT_FOUND");
    }
  });
});
