import { beforeAll, describe, expect, it } from "vitest";
import { type DynamoDBDataLayer } from "../data-layer";
import { CATCH_UP_REBUILDS } from "./feedback-catch-up";
import {
  chainlitDeleteFeedback,
  chainlitDeleteThread,
  chainlitThread,
  chainlitUpdateThread,
  chainlitUpsertFeedback,
  countOf,
  testTable,
  uid,
  type TestTable,
} from "../../../../test/data-fixtures";
import { chainlitClock, tickingClock } from "../../../../test/clocks";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

/** Threadbook's clock ticks one second per call from 2026-03-01; Chainlit's sessions happen later, in June. */
const tickingLayer = () => table.layer({ clock: tickingClock() });
const chainlitNow = chainlitClock();

async function threadbookThread(layer: DynamoDBDataLayer, userId: string) {
  const threadId = uid("t-");
  const stepId = uid("s-");
  await layer.updateThread(threadId, { userId, name: `thread ${threadId.slice(2, 8)}` });
  await layer.createStep({ id: stepId, threadId, type: "run", output: "answer" });
  return { threadId, stepId };
}

/** A Chainlit session on the thread: update_thread at its start, the writes, update_thread at its end. */
async function chainlitSession(threadId: string, userId: string, writes: () => Promise<void>) {
  await chainlitUpdateThread(table, threadId, { at: chainlitNow(), userId });
  await writes();
  await chainlitUpdateThread(table, threadId, { at: chainlitNow(), userId });
}

const filtered = async (layer: DynamoDBDataLayer, userId: string, feedback: 0 | 1) =>
  (await layer.listThreads({ first: 20 }, { userId, feedback })).data.map((t) => t.id);

describe("the feedback filter catches up with what Chainlit wrote", () => {
  it("lists a thread Chainlit rated, without any backfill", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const rated = chainlitThread(userId, uid("t-"), { at: chainlitNow() });
    for (const item of rated.items) await table.putRaw(item);
    const threadId = rated.thread.id!.S!;

    expect(await filtered(layer, userId, 1)).toEqual([threadId]);
    expect(await filtered(layer, userId, 0)).toEqual([]);
    expect(await table.plain(`THREAD#${threadId}`, "FEEDBACK#1")).toMatchObject({
      stepIds: new Set([rated.stepB]),
      UserThreadPK: `USER#${userId}#FEEDBACK#1`,
      UserThreadSK: rated.thread.UserThreadSK!.S,
    });
  });

  it("a 👍 Chainlit removes leaves the filter; one it turns into 👎 moves", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const removed = await threadbookThread(layer, userId);
    const flipped = await threadbookThread(layer, userId);
    for (const t of [removed, flipped]) await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 1 }, { threadUserId: userId });
    expect(await filtered(layer, userId, 1)).toEqual([flipped.threadId, removed.threadId]);

    await chainlitSession(removed.threadId, userId, () => chainlitDeleteFeedback(table, removed.threadId, removed.stepId));
    await chainlitSession(flipped.threadId, userId, () => chainlitUpsertFeedback(table, { threadId: flipped.threadId, forId: flipped.stepId, value: 0 }));

    expect(await filtered(layer, userId, 1)).toEqual([]);
    expect(await filtered(layer, userId, 0)).toEqual([flipped.threadId]);
    // Markers gone; the search docs (name, step) stay: the thread and its text still exist.
    expect(await table.partitionSks(removed.threadId)).toEqual(["SEARCH#name", `SEARCH#step.${removed.stepId}`, "STEP#" + removed.stepId, "THREAD"]);
  });

  it("catches up a thread Chainlit bumped with a clock behind the watermark, when the listing reaches its marker", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const t = await threadbookThread(layer, userId);
    await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 1 }, { threadUserId: userId });
    await threadbookThread(layer, userId); // newer activity: the watermark passes t
    expect(await filtered(layer, userId, 1)).toEqual([t.threadId]);

    // A Chainlit host on local time west of UTC: its "now" sorts below Threadbook's times, under the watermark.
    await chainlitDeleteFeedback(table, t.threadId, t.stepId);
    await chainlitUpdateThread(table, t.threadId, { at: "2026-03-01T00:00:01.500000Z", userId });
    expect(await filtered(layer, userId, 1)).toEqual([]);
  });

  it("Threadbook's own feedback keeps the index exact and triggers no rebuild", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const t = await threadbookThread(layer, userId);
    await filtered(layer, userId, 1); // the first listing builds the watermark
    await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 1 }, { threadUserId: userId });
    const listed = await countOf(table, () => filtered(layer, userId, 1));
    expect(listed.result).toEqual([t.threadId]);
    expect(listed.byOperation).toEqual({ GetItemCommand: 1, QueryCommand: 2, BatchGetItemCommand: 1 });
  });

  it("a thread made in Threadbook (createThread) starts caught up: listing it rebuilds nothing", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    await filtered(layer, userId, 1); // the first listing builds the watermark
    const threadId = uid("t-");
    await layer.createThread(threadId, userId);
    const listed = await countOf(table, () => filtered(layer, userId, 1));
    expect(listed.result).toEqual([]);
    // The walk meets the new thread and finds it current: no partition Query, no marker or state write; only the
    // watermark moves past it.
    expect(listed.byOperation).toEqual({ GetItemCommand: 1, QueryCommand: 2, BatchGetItemCommand: 1, UpdateItemCommand: 1 });
  });

  it.each([
    // watermark GetItem + walk Query + marker Query + BatchGetItem of the page's threads
    [0, { GetItemCommand: 1, QueryCommand: 2, BatchGetItemCommand: 1 }],
    // + BatchGetItem of the walked threads' states; per thread one partition Query (for both indexes), the marker's
    // and the two states' UpdateItem (its text was indexed before: the search rebuild writes nothing else);
    // + the watermark's UpdateItem
    [1, { GetItemCommand: 1, QueryCommand: 3, BatchGetItemCommand: 2, UpdateItemCommand: 4 }],
    [20, { GetItemCommand: 1, QueryCommand: 22, BatchGetItemCommand: 2, UpdateItemCommand: 61 }],
  ])("a filtered page with %i threads to catch up costs a bounded number of requests", async (stale, expected) => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const threads = [];
    for (let i = 0; i < 25; i++) threads.push(await threadbookThread(layer, userId));
    // Some Threadbook 👍 so the page has rows to look up, then a listing that catches everything up.
    for (const t of threads.slice(20)) await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 1 }, { threadUserId: userId });
    await filtered(layer, userId, 1);
    for (const t of threads.slice(0, stale)) {
      await chainlitSession(t.threadId, userId, () => chainlitUpsertFeedback(table, { threadId: t.threadId, forId: t.stepId, value: 1 }));
    }

    const page = await countOf(table, () => filtered(layer, userId, 1));
    expect(page.result).toHaveLength(Math.min(20, 5 + stale)); // a page holds 20
    expect(page.byOperation).toEqual(expected);
    // Caught up: the next page costs what a page with nothing to catch up costs.
    expect((await countOf(table, () => filtered(layer, userId, 1))).count).toBe(4);
  });

  it("spreads a large catch-up over listings, never losing a thread", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const ids: string[] = [];
    for (let i = 0; i < CATCH_UP_REBUILDS + 3; i++) {
      const rated = chainlitThread(userId, uid("t-"), { at: chainlitNow() });
      for (const item of rated.items) await table.putRaw(item);
      ids.push(rated.thread.id!.S!);
    }
    const first = await layer.listThreads({ first: 100 }, { userId, feedback: 1 });
    expect(first.data).toHaveLength(CATCH_UP_REBUILDS);
    const second = await layer.listThreads({ first: 100 }, { userId, feedback: 1 });
    expect(new Set(second.data.map((t) => t.id))).toEqual(new Set(ids));
  });
});

describe("leftovers of threads Chainlit deleted are removed on the way", () => {
  it("by the feedback listing that meets their marker", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const kept = await threadbookThread(layer, userId);
    const gone = await threadbookThread(layer, userId);
    for (const t of [kept, gone]) await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 1 }, { threadUserId: userId });
    await filtered(layer, userId, 1);
    await table.putRaw({ PK: { S: `THREAD#${gone.threadId}` }, SK: { S: `PART#${gone.stepId}#output#0000` }, text: { S: "x" } });
    await chainlitDeleteThread(table, gone.threadId);
    expect(await table.partitionSks(gone.threadId)).toEqual(["FEEDBACK#1", `PART#${gone.stepId}#output#0000`, "SEARCH#name", `SEARCH#step.${gone.stepId}`]);

    const listed = await countOf(table, () => filtered(layer, userId, 1));
    expect(listed.result).toEqual([kept.threadId]);
    // + a strongly consistent keys-only Query of the deleted thread's partition and one BatchWriteItem
    expect(listed.byOperation).toEqual({ GetItemCommand: 1, QueryCommand: 3, BatchGetItemCommand: 1, BatchWriteItemCommand: 1 });
    expect(await table.partitionSks(gone.threadId)).toEqual([]);
  });

  it("by getThread when the partition has no THREAD item, sparing Chainlit's own items", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const t = await threadbookThread(layer, userId);
    await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 0 }, { threadUserId: userId });
    await table.putRaw({ PK: { S: `THREAD#${t.threadId}` }, SK: { S: `PART#${t.stepId}#input#0000` }, text: { S: "x" } });
    await table.deleteRaw(`THREAD#${t.threadId}`, "THREAD"); // an interrupted Chainlit delete_thread: the step stays

    const read = await countOf(table, () => layer.getThread(t.threadId));
    expect(read.result).toBeNull();
    expect(read.byOperation).toEqual({ QueryCommand: 1, BatchWriteItemCommand: 1 });
    expect(await table.partitionSks(t.threadId)).toEqual([`STEP#${t.stepId}`]);
  });
});
