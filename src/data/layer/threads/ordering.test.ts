import { beforeAll, describe, expect, it } from "vitest";
import { utcNow } from "../../clock";
import { chainlitThread, chainlitTurn, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

async function newThread(userId = uid("u-")) {
  const threadId = uid("t-");
  await table.layer().updateThread(threadId, { userId, name: "order" });
  return threadId;
}

describe("step order", () => {
  it("steps stamped in a tight loop and written at once read back in creation order", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    // Stamped back to back (the same millisecond, mostly): only the microsecond digits order them. Ids are random,
    // so the partition's own order (by SK) is no help.
    const steps = Array.from({ length: 60 }, (_, i) => ({ id: uid("s-"), threadId, type: "assistant_message", output: String(i), createdAt: utcNow() }));
    await Promise.all(steps.map((step) => layer.createStep(step)));
    const read = await layer.getThread(threadId);
    expect(read!.steps.map((s) => s.output)).toEqual(steps.map((s) => s.output));
  });

  it("orders Chainlit's mixed formats by instant, not as strings", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    const threadId = await newThread(userId);
    // The browser's millisecond message and the run's microsecond time share a millisecond: as strings the run
    // ("…345678Z") sorts before the message ("…345Z"). The reply has no fraction at all (…:13Z, microsecond 0),
    // which as a string sorts after the run's end-of-turn step at …:13.000001Z.
    const turn = chainlitTurn(userId, threadId, { askedAt: "2025-03-04T10:11:12.345Z", ranAt: "2025-03-04T10:11:12.345678Z", repliedAt: "2025-03-04T10:11:13Z" });
    for (const item of turn.steps) await table.putRaw(item);
    const later = uid("s-");
    await layer.createStep({ id: later, threadId, type: "assistant_message", output: "later", createdAt: "2025-03-04T10:11:13.000001Z" });
    // A phantom step (Chainlit's feedback on a bad id: keys and feedback only) has no time and comes first.
    const phantom = uid("p-");
    await table.putRaw({ PK: { S: `THREAD#${threadId}` }, SK: { S: `STEP#${phantom}` } });
    const ids = (await layer.getThread(threadId))!.steps.map((s) => s.id);
    expect(ids).toEqual([phantom, turn.messageId, turn.runId, turn.replyId, later]);
  });

  it("equal times fall back to start, then to the partition's order, the same on every read", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const at = "2025-03-04T10:00:00.000000Z";
    const [a, b, c] = [uid("s-"), uid("s-"), uid("s-")];
    await layer.createStep({ id: a, threadId, createdAt: at, start: "2025-03-04T10:00:00.000002Z" });
    await layer.createStep({ id: b, threadId, createdAt: "2025-03-04T10:00:00.000Z", start: "2025-03-04T10:00:00.000001Z" });
    await layer.createStep({ id: c, threadId, createdAt: at });
    const first = (await layer.getThread(threadId))!.steps.map((s) => s.id);
    // c has no start: it sorts before those that have one; b's start is earlier than a's.
    expect(first).toEqual([c, b, a]);
    expect((await layer.getThread(threadId))!.steps.map((s) => s.id)).toEqual(first);
  });

  it("refuses a step time Threadbook could not order, and still reads one another writer stored", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    await expect(layer.createStep({ id: uid("s-"), threadId, createdAt: "yesterday" })).rejects.toMatchObject({ code: "validation" });
    const odd = uid("s-");
    await table.putRaw({ PK: { S: `THREAD#${threadId}` }, SK: { S: `STEP#${odd}` }, id: { S: odd }, threadId: { S: threadId }, createdAt: { S: "yesterday" } });
    expect((await layer.getThread(threadId))!.steps.map((s) => s.id)).toEqual([odd]);
  });
});

describe("thread list order", () => {
  it("interleaves Threadbook's and Chainlit's threads by time, down to the microsecond", async () => {
    const userId = uid("u-");
    const at = (ms: number) => table.layer({ clock: () => new Date(Date.UTC(2025, 2, 4, 10, 11, 12, ms)) });
    const [older, newer] = [uid("tb-"), uid("tb-")];
    // Threadbook, at …12.123 and …12.124; Chainlit in between, at …12.123456 (update_thread's item, PutItem'd here).
    await at(123).updateThread(older, { userId, name: "older" }, { touch: true });
    await at(124).updateThread(newer, { userId, name: "newer" }, { touch: true });
    const chainlit = chainlitThread(userId, uid("cl-"), { name: "chainlit", at: "2025-03-04T10:11:12.123456Z" });
    await table.putRaw(chainlit.thread);
    expect((await table.plain(`THREAD#${older}`, "THREAD"))?.UserThreadSK).toBe("TS#2025-03-04T10:11:12.123000Z");
    const page = await table.layer().listThreads({ first: 10 }, { userId });
    // With milliseconds, "TS#…12.123Z" sorted above "TS#…12.123456Z" ('Z' > '4'): the older thread came first.
    expect(page.data.map((t) => t.name)).toEqual(["newer", "chainlit", "older"]);
  });
});
