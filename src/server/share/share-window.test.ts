/**
 * A long share in windows (docs/sharing.md, "Long shares"), against dynalite and s3rver: the page's first turns,
 * paging by cursor to the last, the turns around a linked step and back from there, what each page sends (only drawn
 * fields, links for its own files), and the DynamoDB requests of a view, counted (round trips, not time): a window's,
 * against the whole snapshot's that "Continue in my history" still reads.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/root";
import { createInnerContext } from "@/server/context";
import { seedLongThread, STEPS_PER_TURN, type SeededLongThread } from "../../../scripts/seed-long-thread";
import { callerFor, createTestServices, expectNoInternals, sessionUser } from "../../../test/callers";
import { readShare, readSharePage } from "./shared-thread";
import { SHARE_PAGE_TURNS } from "./share-window";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`, "Alice");
const TURNS = 50;
const SECRET = `secret-${randomUUID()}`;
let long: SeededLongThread;
let fileId: string;
let llmId: string;

beforeAll(async () => {
  services = await createTestServices();
  // Tool logs past 1 MB: the partition takes more than one Query, as a long Chainlit thread's does.
  long = await seedLongThread(services.data, { userId: alice.id, steps: TURNS * STEPS_PER_TURN, toolLogChars: 25_000 });
  // Under turn 45's run: an LLM step carrying the owner's prompt, and a file on its reply.
  llmId = randomUUID();
  const run = long.turns[45]!;
  const createdAt = (await services.data.getThread(long.threadId))!.steps.find((step) => step.id === run.toolId)!.createdAt!;
  await services.data.createStep({ id: llmId, threadId: long.threadId, parentId: run.runId, type: "llm", name: "gpt", input: "asked", output: "answered", createdAt, generation: { messages: [{ role: "system", content: SECRET }] }, metadata: { token: SECRET }, tags: [SECRET] });
  fileId = randomUUID();
  await services.data.createElement({ id: fileId, threadId: long.threadId, forId: run.replyId, type: "file", name: "late.csv", mime: "text/csv", content: "a,b\n" });
  await callerFor(services, alice).share.create({ threadId: long.threadId, access: "public", expiry: "never" });
});
afterAll(() => services.close());

/** An anonymous viewer from an address of its own (the share budget is per address). */
const viewer = () => createCaller(createInnerContext({ user: null, services, clientAddress: `198.51.100.${Math.floor(Math.random() * 250)}` }));
const turnStepIds = (from: number, to: number) => long.turns.slice(from, to).flatMap((t) => [t.messageId, t.runId, t.toolId, t.replyId]);
const rootsOf = (steps: readonly { id: string; parentId?: string | null }[]) => steps.filter((step) => !step.parentId).map((step) => step.id);

async function requestsOf<T>(action: () => Promise<T>): Promise<{ result: T; requests: Record<string, number> }> {
  services.requests.reset();
  const result = await action();
  return { result, requests: Object.fromEntries(services.requests.byOperation) };
}

describe("a long share's page", () => {
  it("opens at the first turns, and pages to the last through share.turns, every turn once", async () => {
    const page = await readSharePage(services, long.threadId, null);
    if (page.kind !== "shared") throw new Error(page.kind);
    expect(rootsOf(page.thread.steps)).toEqual(long.turns.slice(0, SHARE_PAGE_TURNS).map((t) => t.messageId));
    expect(page.thread.window).toMatchObject({ start: 0, end: SHARE_PAGE_TURNS, total: TURNS, messages: TURNS * 2, olderCursor: null });
    const seen = [...page.thread.steps.map((s) => s.id)];
    let cursor = page.thread.window.newerCursor;
    while (cursor) {
      const next = await viewer().share.turns({ threadId: long.threadId, cursor });
      seen.push(...next.steps.map((s) => s.id));
      cursor = next.window.newerCursor;
    }
    expect(seen.filter((id) => id !== llmId)).toEqual(turnStepIds(0, TURNS));
    expect(seen.filter((id) => id === llmId)).toHaveLength(1);
  });

  it("opens the turns around a linked step, and pages back from there", async () => {
    const around = await viewer().share.turns({ threadId: long.threadId, stepId: long.turns[40]!.replyId });
    expect(around.window).toMatchObject({ start: 30, end: TURNS, newerCursor: null });
    const older = await viewer().share.turns({ threadId: long.threadId, cursor: around.window.olderCursor! });
    expect(older.window).toMatchObject({ start: 10, end: 30 });
    expect(rootsOf(older.steps)).toEqual(long.turns.slice(10, 30).map((t) => t.messageId));
    // Near the top, the block runs from the first turn, as the page opened.
    expect((await viewer().share.turns({ threadId: long.threadId, stepId: long.turns[25]!.messageId })).window).toMatchObject({ start: 0, end: 36, olderCursor: null });
  });

  it("sends only drawn fields on every page, and links for its own turns' files only", async () => {
    const page = await readSharePage(services, long.threadId, null);
    expect(JSON.stringify(page)).not.toContain(fileId);
    const around = await viewer().share.turns({ threadId: long.threadId, stepId: llmId });
    expect(JSON.stringify(around)).not.toContain(SECRET);
    expect(JSON.stringify(around)).not.toContain(alice.identifier);
    expect(around.steps.find((step) => step.id === llmId)).toMatchObject({ name: "gpt", input: "asked", output: "answered" });
    expect(around.elements.map((element) => element.id)).toEqual([fileId]);
    expect(around.elements[0]!.url).toMatch(/^http/);
    expectNoInternals(around);
  });

  it("reads a window per view: the outline's Queries and two BatchGetItems (the window's steps, the elements), a fraction of the whole read's bytes", async () => {
    const page = await requestsOf(() => readSharePage(services, long.threadId, null));
    const whole = await requestsOf(() => readShare(services, long.threadId, null));
    const queries = whole.requests.QueryCommand!;
    expect(queries).toBeGreaterThan(1);
    // The share's state and the owner's name (BatchGetItem each), the partition's Queries (skimmed past the first
    // page), the window's steps read whole (one BatchGetItem per 100 keys) and the elements the skimmed pages held
    // (one more): a fixed number beside the Queries, whatever the window.
    expect(page.requests).toEqual({ BatchGetItemCommand: 4, QueryCommand: queries });
    expect(whole.requests).toEqual({ BatchGetItemCommand: 2, QueryCommand: queries });
    if (page.result.kind !== "shared" || whole.result.kind !== "shared") throw new Error("not shared");
    // 20 turns of 50: well under half of the snapshot's text.
    expect(JSON.stringify(page.result.thread).length).toBeLessThan(JSON.stringify(whole.result.snapshot.steps).length / 2);
  });
});
