import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { directSenderOf } from "../../dynamo/dynamo-direct";
import { chainlitThread, countOf, testTable, uid } from "../../../../test/data-fixtures";
import { type DynamoDBDataLayer } from "../data-layer";
import { splitBelow } from "./thread-outline";

/** A UUID-shaped id that is the same every run (a hash of `seed`), spread over the hex space as random ones are. */
function fixedUuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Steps for a partition of three pages (~2.7 MB): big ones stored in PART items, and 150 plain ones of 10 KB (some
 * sharing a time, to check that ties fall as in getThread).
 */
async function pastOneMegabyte(layer: DynamoDBDataLayer, threadId: string, parentId: string) {
  const big = Array.from({ length: 3 }, () => uid("big-"));
  for (const [i, id] of big.entries()) await layer.createStep({ id, threadId, parentId, type: "tool", output: String(i).repeat(420_000), createdAt: `2025-03-04T10:12:0${i}Z` });
  const plain = Array.from({ length: 150 }, () => uid("s-"));
  for (let i = 0; i < plain.length; i += 25)
    await Promise.all(plain.slice(i, i + 25).map((id, j) => layer.createStep({ id, threadId, type: "assistant_message", output: `${i + j} ${"y".repeat(10_000)}`, createdAt: `2025-03-04T10:13:${String((i + j) % 50).padStart(2, "0")}Z` })));
  return { big, plain };
}

describe("getThreadOutline", () => {
  it("one Query like getThread; every step's place without decoding it, the asked-for steps exactly as getThread gives them", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await Promise.all(fixture.items.map((item) => table.putRaw(item)));
    // A step too large for one item: its output is stored in PART items and joined back on read.
    const big = uid("s-");
    await layer.createStep({ id: big, threadId, parentId: fixture.stepA, type: "assistant_message", output: "x".repeat(420_000), createdAt: "2025-03-04T10:11:20Z" });

    const whole = await layer.getThread(threadId, { signElements: false });
    const told: unknown[] = [];
    const { result: outline, count, byOperation } = await countOf(table, () => layer.getThreadOutline(threadId, { onThreadBeforeRest: (thread) => told.push(thread) }));
    expect(count).toBe(1);
    // One page is the whole read: nothing to tell before it is done.
    expect(told).toEqual([]);
    expect(byOperation).toEqual({ QueryCommand: 1 });
    const { steps, elements, ...thread } = whole!;
    expect(outline!.thread).toEqual(thread);
    expect(outline!.elements).toEqual(elements);
    expect(outline!.steps).toEqual(steps.map((s) => ({ id: s.id, parentId: s.parentId ?? null, type: s.type ?? null, createdAt: s.createdAt ?? null, start: s.start ?? null })));
    // Decoding is per request and in the order asked; asking twice gives the same steps (parts joined each time).
    const ids = [big, fixture.stepA];
    expect(await outline!.fullSteps(ids)).toEqual(ids.map((id) => steps.find((s) => s.id === id)));
    expect((await outline!.fullSteps([big]))[0]!.output).toHaveLength(420_000);
    expect((await outline!.fullSteps(["not-a-step", fixture.stepB])).map((s) => s.id)).toEqual([fixture.stepB]);
  });

  it("past 1 MB: the same Queries, later pages as keys and times; the steps asked for read whole once, with their parts", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await Promise.all(fixture.items.map((item) => table.putRaw(item)));
    const { big, plain } = await pastOneMegabyte(layer, threadId, fixture.stepA);

    const whole = await layer.getThread(threadId, { signElements: false });
    const { result: outline, byOperation: read } = await countOf(table, () => layer.getThreadOutline(threadId));
    const { count: queries } = await countOf(table, () => layer.getThread(threadId, { signElements: false }));
    expect(queries).toBeGreaterThanOrEqual(3);
    // The same Queries; the fixture's elements sort first, so they come skimmed and are read whole (one BatchGetItem).
    expect(read).toEqual({ QueryCommand: queries, BatchGetItemCommand: 1 });
    const { steps, elements, ...thread } = whole!;
    expect(outline!.thread).toEqual(thread);
    expect(outline!.elements).toEqual(elements);
    expect(outline!.steps).toEqual(steps.map((s) => ({ id: s.id, parentId: s.parentId ?? null, type: s.type ?? null, createdAt: s.createdAt ?? null, start: s.start ?? null })));
    const ids = [...big, ...plain, fixture.stepA, fixture.stepB];
    const asked = await countOf(table, () => outline!.fullSteps(ids));
    expect(asked.result).toEqual(ids.map((id) => steps.find((s) => s.id === id)));
    // At most 100 keys a BatchGetItem (steps and their parts); nothing read twice.
    expect(asked.count).toBeLessThanOrEqual(1 + Math.ceil((ids.length + big.length * 2) / 100));
    expect((await countOf(table, () => outline!.fullSteps(ids))).count).toBe(0);
  });

  it("past 1 MB with Chainlit's random step ids: the rest read in key ranges at the same time, the same outline, parts joined to a step read whole", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await Promise.all(fixture.items.map((item) => table.putRaw(item)));
    // ~2.6 MB of steps with UUIDs for ids, as Chainlit writes them, and one of Threadbook's in PART items. The same
    // UUID-shaped ids every run: how many ranges end just past 1 MB (a Query more each) depends on where the ids fall,
    // and with fresh random ones two such ranges now and then made the count 2 over, not 1 (a flaky failure).
    const plain = Array.from({ length: 250 }, (_, i) => fixedUuid(`outline-plain-${i}`));
    for (let i = 0; i < plain.length; i += 25)
      await Promise.all(plain.slice(i, i + 25).map((id, j) => layer.createStep({ id, threadId, type: "assistant_message", output: `${i + j} ${"y".repeat(10_000)}`, createdAt: `2025-03-04T10:13:${String((i + j) % 50).padStart(2, "0")}Z` })));
    // Its key sorts highest: the step item comes whole in the first page, its parts (keys below STEP#) in a later one.
    const big = `ffff${fixedUuid("outline-big").slice(4)}`;
    await layer.createStep({ id: big, threadId, parentId: fixture.stepA, type: "tool", output: "z".repeat(420_000), createdAt: "2025-03-04T10:12:00Z" });

    const whole = await layer.getThread(threadId, { signElements: false });
    const { count: sequential } = await countOf(table, () => layer.getThread(threadId, { signElements: false }));
    // The thread's own fields are told once, after the first Query and before the rest is asked for.
    const told: Array<{ thread: unknown; requestsSoFar: number }> = [];
    const onThreadBeforeRest = (thread: unknown) => told.push({ thread, requestsSoFar: table.requests.count });
    const { result: outline, byOperation: read } = await countOf(table, () => layer.getThreadOutline(threadId, { onThreadBeforeRest }));
    // Told before the steps are read, so with createdAt as stored (the outline's is when the thread began: beganAt).
    expect(told).toEqual([{ thread: { ...outline!.thread, createdAt: expect.any(String) }, requestsSoFar: 1 }]);
    // No more Queries than page by page (give or take the one a range just past 1 MB costs), and the same items.
    expect(read.QueryCommand).toBeGreaterThanOrEqual(3);
    expect(read.QueryCommand).toBeLessThanOrEqual(sequential + 1);
    const { steps, elements, ...thread } = whole!;
    expect(outline!.thread).toEqual(thread);
    expect(outline!.elements).toEqual(elements);
    expect(outline!.steps).toEqual(steps.map((s) => ({ id: s.id, parentId: s.parentId ?? null, type: s.type ?? null, createdAt: s.createdAt ?? null, start: s.start ?? null })));
    const ids = [big, ...plain.slice(0, 30), fixture.stepA];
    expect(await outline!.fullSteps(ids)).toEqual(ids.map((id) => steps.find((s) => s.id === id)));
  });

  it("newestSteps: newest first, as far as the characters or the bytes allow; a step split into many parts is never read past the bound", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    await Promise.all(chainlitThread(userId, threadId).items.map((item) => table.putRaw(item)));
    // An old message of 8 million characters (80 PART items, 8 MB), then 30 ordinary ones.
    const hugeId = uid("huge-");
    await layer.createStep({ id: hugeId, threadId, type: "assistant_message", output: "h".repeat(8_000_000), createdAt: "2025-03-04T10:12:00Z" });
    const recent = Array.from({ length: 30 }, (_, i) => ({ id: uid("r-"), output: `${i} `.padEnd(1_000, "r"), createdAt: `2025-03-04T10:13:${String(i).padStart(2, "0")}Z` }));
    await Promise.all(recent.map((step) => layer.createStep({ ...step, threadId, type: "assistant_message" })));
    const ids = [hugeId, ...recent.map((step) => step.id)];
    const charsOf = (step: { output?: string | null }) => (step.output ?? "").length;

    const read = async (maxChars: number, maxBytes: number) => {
      const outline = (await layer.getThreadOutline(threadId))!;
      const measure = table.requests.measureAnswerBytes();
      const steps = await outline.newestSteps(ids, { maxChars, maxBytes, charsOf });
      return { steps, bytes: measure.stop() };
    };
    // The characters end the read: the 9 newest fit in 9,500, the 10th passes them and is the last read.
    const few = await read(9_500, 16 * 1024 * 1024);
    expect(few.steps.map((s) => s.id)).toEqual(recent.slice(-10).map((s) => s.id));
    // No character bound: every ordinary step, but the huge one's parts could pass 16 MB: it stays unread.
    const bounded = await read(Infinity, 16 * 1024 * 1024);
    expect(bounded.steps.map((s) => s.id)).toEqual(recent.map((s) => s.id));
    expect(bounded.bytes).toBeLessThan(1024 * 1024);
    // Within the bound, it is read whole, parts joined.
    const all = await read(Infinity, 64 * 1024 * 1024);
    expect(all.steps.map((s) => s.id)).toEqual(ids);
    expect(all.steps[0]!.output).toHaveLength(8_000_000);
  });

  it("splitBelow: ranges that cover every key below the first page's last one, about a page each; none when not worth it", () => {
    const last = "STEP#c0000000-0000-4000-8000-000000000000";
    const ranges = splitBelow(last)!;
    // 3/4 of the step keys are left below: about 3 pages, 10% over-split: 4 ranges.
    expect(ranges).toHaveLength(4);
    expect(ranges[0]).toEqual({ to: "STEP#30000000" });
    expect(ranges.at(-1)).toEqual({ from: "STEP#90000000", to: last });
    // Contiguous: each range starts where the one before ended.
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.from).toBe(ranges[i - 1]!.to);
    // Little left, or keys that do not say where they sit: read on page by page.
    expect(splitBelow("STEP#20000000-0000-4000-8000-000000000000")).toBeNull();
    expect(splitBelow("STEP#s-not-hex")).toBeNull();
    expect(splitBelow("PART#c0000000-0000-4000-8000-000000000000#output#0001")).toBeNull();
    expect(splitBelow("STEP#fffffff0-0000-4000-8000-000000000000")).toHaveLength(8);
  });

  it("a step deleted between the read and the asking is left out, as a step that does not parse", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await Promise.all(fixture.items.map((item) => table.putRaw(item)));
    const { plain } = await pastOneMegabyte(layer, threadId, fixture.stepA);
    const outline = await layer.getThreadOutline(threadId);
    // Read backwards, the lowest keys come last: skimmed.
    const [gone, kept] = [...plain].sort();
    await layer.deleteStep(gone!, threadId);
    expect((await outline!.fullSteps([gone!, kept!])).map((s) => s.id)).toEqual([kept]);
  });

  it("the partition's Query goes out through the direct sender, not the SDK's middleware stack", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    await Promise.all(chainlitThread(userId, threadId).items.map((item) => table.putRaw(item)));
    const direct: string[] = [];
    const stop = directSenderOf(table.client)!.intercept(async ({ operation }, next) => (direct.push(operation), next()));
    try {
      expect((await layer.getThreadOutline(threadId))?.steps).toHaveLength(2);
      expect((await layer.getThread(threadId, { signElements: false }))?.steps).toHaveLength(2);
    } finally {
      stop();
    }
    expect(direct).toEqual(["Query", "Query"]);
  });

  it("null for a missing thread, as getThread", async () => {
    const table = await testTable();
    expect(await table.layer().getThreadOutline(uid("none-"))).toBeNull();
  });
});
