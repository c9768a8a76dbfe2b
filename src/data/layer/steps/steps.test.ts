import { beforeAll, describe, expect, it } from "vitest";
import { isDataError } from "../../errors";
import { countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

async function newThread() {
  const threadId = uid("t-");
  await table.layer().updateThread(threadId, { userId: uid("u-"), name: "steps" });
  return threadId;
}

describe("createStep / updateStep", () => {
  it("createStep of a new step is one PutItem storing Chainlit's step item; nulls are NULL", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const id = uid("s-");
    const { byOperation } = await countOf(table, () =>
      layer.createStep({ id, threadId, name: "on_message", type: "run", parentId: null, input: "q", output: "a", createdAt: "2026-01-01T00:00:00.000Z", metadata: { n: 1 } }),
    );
    expect(byOperation).toEqual({ PutItemCommand: 1 });
    expect(await table.raw(`THREAD#${threadId}`, `STEP#${id}`)).toEqual({
      PK: { S: `THREAD#${threadId}` },
      SK: { S: `STEP#${id}` },
      id: { S: id },
      threadId: { S: threadId },
      name: { S: "on_message" },
      type: { S: "run" },
      parentId: { NULL: true },
      input: { S: "q" },
      output: { S: "a" },
      createdAt: { S: "2026-01-01T00:00:00.000Z" },
      metadata: { M: { n: { N: "1" } } },
    });
  });

  it("updateStep sets only the given fields in one request; nothing to set sends nothing", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const id = uid("s-");
    await layer.createStep({ id, threadId, input: "q", output: "", streaming: true });
    const update = await countOf(table, () => layer.updateStep({ id, threadId, output: "done", streaming: false, end: undefined }));
    expect(update.count).toBe(1);
    const empty = await countOf(table, () => layer.updateStep({ id, threadId, output: undefined }));
    expect(empty.count).toBe(0);
    expect((await layer.getThread(threadId))?.steps[0]).toMatchObject({ id, input: "q", output: "done", streaming: false });
  });

  it("a re-sent createStep keeps the step's feedback (Chainlit's PutItem dropped it)", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const id = uid("s-");
    await layer.createStep({ id, threadId, output: "a" });
    await layer.upsertFeedback({ forId: id, threadId, value: 1 });
    // The conditional PutItem finds the step and leaves it alone; the UpdateItem then sets what was sent.
    const resent = await countOf(table, () => layer.createStep({ id, threadId, output: "a again" }));
    expect(resent.byOperation).toEqual({ PutItemCommand: 1, UpdateItemCommand: 1 });
    expect((await layer.getThread(threadId))?.steps[0]).toMatchObject({ output: "a again", feedback: { value: 1 } });
  });

  it("applies fire-and-forget writes to one step in the order they were made", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const ids = Array.from({ length: 10 }, () => uid("s-"));
    const writes: Promise<unknown>[] = [];
    for (const id of ids) {
      writes.push(layer.createStep({ id, threadId, output: "", streaming: true }));
      for (let i = 1; i <= 5; i++) writes.push(layer.updateStep({ id, threadId, output: `token ${i}`, streaming: i < 5 }));
    }
    await Promise.all(writes);
    const steps = (await layer.getThread(threadId))!.steps;
    expect(steps).toHaveLength(ids.length);
    for (const step of steps) expect(step).toMatchObject({ output: "token 5", streaming: false });
    // Each step's chain is dropped once it drains: the queue holds only steps with writes in flight.
    await new Promise((resolve) => setImmediate(resolve));
    expect(layer.context.queue.size).toBe(0);
  });

  it("keeps writing after a failed write to the same step", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const id = uid("s-");
    const bad = layer.createStep({ id, threadId, metadata: { big: "x".repeat(390_000) } });
    const good = layer.updateStep({ id, threadId, output: "ok" });
    await expect(bad).rejects.toSatisfy((e) => isDataError(e, "too_large"));
    await good;
    expect((await layer.getThread(threadId))?.steps[0]?.output).toBe("ok");
  });

  it("updateExistingStep writes only while the step exists, in one request; a deleted step is not made again, and what its write filed goes", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const owner = uid("u-");
    const id = uid("s-");
    await layer.createStep({ id, threadId, type: "assistant_message", output: "", streaming: true }, { owner });
    const update = await countOf(table, () => layer.updateExistingStep({ id, threadId, output: "quokka", streaming: true }, { owner }));
    expect(update.result).toBe(true);
    expect(update.byOperation.UpdateItemCommand).toBe(1);
    expect((await layer.getThread(threadId))?.steps[0]).toMatchObject({ id, output: "quokka" });

    await layer.deleteStep(id, threadId);
    // A long output too: its parts are written before the step item's update, and go with the failed update.
    const long = `quokka ${"w".repeat(400_000)}`;
    const late = await countOf(table, () => layer.updateExistingStep({ id, threadId, output: long, streaming: false }, { owner }));
    expect(late.result).toBe(false);
    expect(late.byOperation.UpdateItemCommand).toBe(1);
    expect(await table.partitionSks(threadId)).toEqual(["THREAD"]);
    expect(await table.postingsOf(owner)).toEqual([]);
    // Chainlit's update_step keeps its meaning: an UpdateItem that makes the step when it is missing.
    await layer.updateStep({ id, threadId, output: "remade" });
    expect((await layer.getThread(threadId))?.steps.map((s) => s.output)).toEqual(["remade"]);
  });

  it("rejects a step without ids", async () => {
    await expect(table.layer().createStep({ id: "", threadId: "t" })).rejects.toSatisfy((e) => isDataError(e, "validation"));
  });
});

describe("large step fields", () => {
  it("round-trips a 1.6 MB output through PART items, with a preview in the step item", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const id = uid("s-");
    // Multi-byte text with surrogate pairs, so a careless cut would corrupt it: 1.2 M UTF-16 units, 1.6 MB of UTF-8.
    const output = Array.from({ length: 133_334 }, (_, i) => `${i % 10}é😀abcde`).join("");
    // Over the 1 MB a Query page holds, and under 2 MB, in UTF-8 bytes (DynamoDB's measure) and in UTF-16 units
    // (dynalite's), so both servers page the partition in exactly two Queries.
    expect(Buffer.byteLength(output, "utf8")).toBeLessThan(2 * 1024 * 1024);
    expect(output.length).toBeGreaterThan(1024 * 1024);
    await layer.createStep({ id, threadId, input: "short", output, createdAt: "2026-01-01T00:00:00.000Z" });
    const stored = await table.plain(`THREAD#${threadId}`, `STEP#${id}`);
    expect(stored?.outputParts).toBeGreaterThan(1);
    expect((stored?.output as string).length).toBeLessThan(20_000);
    expect(await table.plain(`THREAD#${threadId}`, `PART#${id}#output#0000`)).toMatchObject({ text: expect.any(String) });

    // One Query per MB of partition, parts included: no extra reads to join them.
    const { result, byOperation } = await countOf(table, () => layer.getThread(threadId));
    expect(byOperation).toEqual({ QueryCommand: 2 });
    expect(result?.steps[0]?.output).toBe(output);
    expect(result?.steps[0]).not.toHaveProperty("outputParts");

    // A shorter rewrite drops the parts it no longer uses; a small one drops them all.
    await layer.updateStep({ id, threadId, output: output.slice(0, 250_000) + "x".repeat(150_000) });
    expect((await layer.getThread(threadId))?.steps[0]?.output).toBe(output.slice(0, 250_000) + "x".repeat(150_000));
    await layer.updateStep({ id, threadId, output: "small" });
    expect(await table.plain(`THREAD#${threadId}`, `PART#${id}#output#0000`)).toBeUndefined();
    expect(await table.plain(`THREAD#${threadId}`, `STEP#${id}`)).not.toHaveProperty("outputParts");
    expect((await layer.getThread(threadId))?.steps[0]).toMatchObject({ input: "short", output: "small" });
  });

  it("deleteStep removes the step and its parts; false for a missing step", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const [big, small] = [uid("s-"), uid("s-")];
    await layer.createStep({ id: big, threadId, input: "i".repeat(400_000) });
    await layer.createStep({ id: small, threadId, output: "keep" });
    expect(await layer.deleteStep(big, threadId)).toBe(true);
    expect(await layer.deleteStep(big, threadId)).toBe(false);
    const thread = await layer.getThread(threadId);
    expect(thread?.steps.map((s) => s.id)).toEqual([small]);
    expect(await table.plain(`THREAD#${threadId}`, `PART#${big}#input#0000`)).toBeUndefined();
  });
});
