import { beforeAll, describe, expect, it } from "vitest";
import { isDataError } from "../../errors";
import { type DynamoDBDataLayer } from "../data-layer";
import { countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { tickingClock } from "../../../../test/clocks";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

/** A layer whose clock ticks one second per call, so every marker gets its own time. */
function tickingLayer(t: TestTable = table) {
  return t.layer({ clock: tickingClock() });
}

async function threadWithSteps(layer: DynamoDBDataLayer, userId: string, steps: number, name = "thread") {
  const threadId = uid("t-");
  await layer.updateThread(threadId, { userId, name });
  const stepIds = Array.from({ length: steps }, () => uid("s-"));
  await Promise.all(stepIds.map((id) => layer.createStep({ id, threadId, type: "run", output: "answer" })));
  return { threadId, stepIds };
}

const listIds = async (layer: DynamoDBDataLayer, userId: string, feedback: 0 | 1, search?: string) =>
  (await layer.listThreads({ first: 100 }, { userId, feedback, search })).data.map((t) => t.id);

describe("upsertFeedback", () => {
  it("writes the step's feedback map and the thread's marker: 2 requests with threadUserId, 3 without", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await threadWithSteps(layer, userId, 1);
    const stepId = stepIds[0]!;
    const known = await countOf(table, () => layer.upsertFeedback({ forId: stepId, threadId, value: 1, comment: "good" }, { threadUserId: userId }));
    expect(known.result).toBe(`THREAD#${threadId}::STEP#${stepId}`);
    expect(known.byOperation).toEqual({ UpdateItemCommand: 2 });
    const unknown = await countOf(table, () => layer.upsertFeedback({ forId: stepId, threadId, value: 1, comment: "still good" }));
    expect(unknown.byOperation).toEqual({ GetItemCommand: 1, UpdateItemCommand: 2 });

    expect((await table.raw(`THREAD#${threadId}`, `STEP#${stepId}`))?.feedback).toEqual({
      M: {
        id: { S: `THREAD#${threadId}::STEP#${stepId}` },
        forId: { S: stepId },
        threadId: { S: threadId },
        value: { N: "1" },
        comment: { S: "still good" },
      },
    });
    const marker = await table.raw(`THREAD#${threadId}`, "FEEDBACK#1");
    expect(marker).toEqual({
      PK: { S: `THREAD#${threadId}` },
      SK: { S: "FEEDBACK#1" },
      id: { S: threadId },
      stepIds: { SS: [stepId] },
      UserThreadPK: { S: `USER#${userId}#FEEDBACK#1` },
      UserThreadSK: { S: expect.stringMatching(/^TS#2026-03-01T/) },
    });
    // Markers are index data: getThread does not show them, and the plain list does not either.
    const thread = await layer.getThread(threadId);
    expect(thread?.steps).toHaveLength(1);
    expect(thread?.steps[0]?.feedback).toMatchObject({ value: 1, comment: "still good" });
    expect((await layer.listThreads({ first: 10 }, { userId })).data.map((t) => t.id)).toEqual([threadId]);
  });

  it("moves the step between markers when the value changes, deleting an emptied marker", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await threadWithSteps(layer, userId, 2);
    const [a, b] = stepIds as [string, string];
    await layer.upsertFeedback({ forId: a, threadId, value: 1 }, { threadUserId: userId });
    await layer.upsertFeedback({ forId: b, threadId, value: 1 }, { threadUserId: userId });

    const partial = await countOf(table, () => layer.upsertFeedback({ forId: a, threadId, value: 0 }, { threadUserId: userId }));
    expect(partial.count).toBe(3); // step + new marker + old marker DELETE (the set still holds b)
    expect(await listIds(layer, userId, 1)).toEqual([threadId]);
    expect(await listIds(layer, userId, 0)).toEqual([threadId]);

    const emptied = await countOf(table, () => layer.upsertFeedback({ forId: b, threadId, value: 0 }, { threadUserId: userId }));
    expect(emptied.count).toBe(4); // … + the conditional delete of the emptied marker
    expect(await table.raw(`THREAD#${threadId}`, "FEEDBACK#1")).toBeUndefined();
    expect((await table.plain(`THREAD#${threadId}`, "FEEDBACK#0"))?.stepIds).toEqual(new Set([a, b]));
    expect(await listIds(layer, userId, 1)).toEqual([]);
    expect(await listIds(layer, userId, 0)).toEqual([threadId]);
  });

  it("is idempotent when repeated", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await threadWithSteps(layer, userId, 1);
    for (let i = 0; i < 3; i++) await layer.upsertFeedback({ forId: stepIds[0]!, threadId, value: 1 });
    expect(await table.partitionSks(threadId)).toEqual(["FEEDBACK#1", `STEP#${stepIds[0]}`, "THREAD"]);
    expect((await table.plain(`THREAD#${threadId}`, "FEEDBACK#1"))?.stepIds).toEqual(new Set(stepIds));
    expect(await listIds(layer, userId, 1)).toEqual([threadId]);
  });

  it("fails with not_found on a missing step or thread and creates nothing", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await threadWithSteps(layer, userId, 1);
    const ghost = uid("ghost-");
    const notFound = (e: unknown) => isDataError(e, "not_found");
    await expect(layer.upsertFeedback({ forId: ghost, threadId, value: 1 })).rejects.toSatisfy(notFound);
    await expect(layer.upsertFeedback({ forId: ghost, threadId, value: 1 }, { threadUserId: userId })).rejects.toSatisfy(notFound);
    expect(await table.raw(`THREAD#${threadId}`, `STEP#${ghost}`)).toBeUndefined();
    expect(await table.raw(`THREAD#${threadId}`, "FEEDBACK#1")).toBeUndefined();

    const noThread = uid("t-");
    await expect(layer.upsertFeedback({ forId: ghost, threadId: noThread, value: 0 })).rejects.toSatisfy(notFound);
    expect(await table.raw(`THREAD#${noThread}`, `STEP#${ghost}`)).toBeUndefined();
    expect(await table.raw(`THREAD#${noThread}`, "FEEDBACK#0")).toBeUndefined();
  });
});

describe("deleteFeedback", () => {
  it("removes the feedback and the thread from the filter; false when there was none", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await threadWithSteps(layer, userId, 1);
    const id = await layer.upsertFeedback({ forId: stepIds[0]!, threadId, value: 0, comment: "meh" });
    expect(await layer.deleteFeedback(id)).toBe(true);
    expect((await layer.getThread(threadId))?.steps[0]?.feedback).toBeUndefined();
    expect(await table.raw(`THREAD#${threadId}`, "FEEDBACK#0")).toBeUndefined();
    expect(await listIds(layer, userId, 0)).toEqual([]);
    expect(await layer.deleteFeedback(id)).toBe(false);
    // A missing step: false, and no phantom step is created by the REMOVE.
    const ghost = uid("ghost-");
    expect(await layer.deleteFeedback(`THREAD#${threadId}::STEP#${ghost}`)).toBe(false);
    expect(await table.raw(`THREAD#${threadId}`, `STEP#${ghost}`)).toBeUndefined();
  });

  it("cuts prefixes instead of Chainlit's character strip, and rejects malformed ids", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const threadId = `THREAD-${uid()}-TS`;
    await layer.updateThread(threadId, { userId });
    const stepId = `STEP-${uid()}-DEAR`;
    await layer.createStep({ id: stepId, threadId });
    const id = await layer.upsertFeedback({ forId: stepId, threadId, value: 1 });
    expect(await layer.deleteFeedback(id)).toBe(true);
    for (const bad of ["", "nonsense", "THREAD#a", "THREAD#a::STEP#", "THREAD#a::STEP#b::x", "STEP#b::THREAD#a"]) {
      await expect(layer.deleteFeedback(bad)).rejects.toSatisfy((e) => isDataError(e, "validation"));
    }
  });
});

describe("listThreads with the feedback filter", () => {
  it("pages both values, newest feedback first, 4 requests per page once caught up", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const threads = [];
    for (let i = 0; i < 27; i++) threads.push(await threadWithSteps(layer, userId, 1, `t${i}`));
    for (const [i, t] of threads.entries()) {
      if (i % 3 !== 2) await layer.upsertFeedback({ forId: t.stepIds[0]!, threadId: t.threadId, value: i % 3 === 0 ? 1 : 0 }, { threadUserId: userId });
    }
    // New threads count as behind the index until a listing has seen them (feedback-catch-up.ts): 27 > one listing's budget.
    for (let i = 0; i < 2; i++) await layer.listThreads({ first: 1 }, { userId, feedback: 1 });
    for (const value of [0, 1] as const) {
      const expected = threads.filter((_, i) => i % 3 === (value === 1 ? 0 : 1)).map((t) => t.threadId).reverse();
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; ; page++) {
        const { result, byOperation } = await countOf(table, () => layer.listThreads({ first: 4, cursor }, { userId, feedback: value }));
        // the catch-up's watermark GetItem and (empty) walk Query, then the marker Query and one BatchGetItem
        expect(byOperation).toEqual({ GetItemCommand: 1, QueryCommand: 2, BatchGetItemCommand: 1 });
        seen.push(...result.data.map((t) => t.id));
        expect(result.data.length).toBeGreaterThan(0);
        if (!result.pageInfo.hasNextPage) break;
        cursor = result.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
    }
    const row = (await layer.listThreads({ first: 1 }, { userId, feedback: 1 })).data[0];
    expect(row).toEqual({ id: threads[24]!.threadId, name: "t24", createdAt: expect.any(String), updatedAt: expect.any(String) });
  });

  it("skips markers whose thread is gone or belongs to someone else, and still fills the page", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const threads = [];
    for (let i = 0; i < 5; i++) threads.push(await threadWithSteps(layer, userId, 1, `t${i}`));
    for (const t of threads) await layer.upsertFeedback({ forId: t.stepIds[0]!, threadId: t.threadId, value: 1 });
    // Chainlit's delete_thread leaves our marker behind; a thread can also change owner.
    await table.deleteRaw(`THREAD#${threads[4]!.threadId}`, "THREAD");
    await layer.updateThread(threads[3]!.threadId, { userId: uid("other-") });
    const page = await layer.listThreads({ first: 2 }, { userId, feedback: 1 });
    expect(page.data.map((t) => t.id)).toEqual([threads[2]!.threadId, threads[1]!.threadId]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await layer.listThreads({ first: 2, cursor: page.pageInfo.endCursor }, { userId, feedback: 1 });
    expect(rest.data.map((t) => t.id)).toEqual([threads[0]!.threadId]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it("combines with search", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const names = ["Tax return", "holiday", "TAX plan", "groceries"];
    const threads = [];
    for (const name of names) threads.push(await threadWithSteps(layer, userId, 1, name));
    for (const t of threads) await layer.upsertFeedback({ forId: t.stepIds[0]!, threadId: t.threadId, value: 1 });
    expect(await listIds(layer, userId, 1, "tax")).toEqual([threads[2]!.threadId, threads[0]!.threadId]);
    const first = await layer.listThreads({ first: 1 }, { userId, feedback: 1, search: "tax" });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await layer.listThreads({ first: 1, cursor: first.pageInfo.endCursor }, { userId, feedback: 1, search: "tax" });
    expect(second.data.map((t) => t.id)).toEqual([threads[0]!.threadId]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("drops a step's membership when the step is deleted", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await threadWithSteps(layer, userId, 1);
    await layer.upsertFeedback({ forId: stepIds[0]!, threadId, value: 1 });
    expect(await layer.deleteStep(stepIds[0]!, threadId)).toBe(true);
    expect(await listIds(layer, userId, 1)).toEqual([]);
    expect(await table.raw(`THREAD#${threadId}`, "FEEDBACK#1")).toBeUndefined();
  });
});
