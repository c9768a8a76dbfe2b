import { beforeAll, describe, expect, it } from "vitest";
import { chainlitDeleteThread, chainlitShareThread, chainlitThread, chainlitUpdateThread, countOf, testTable, uid, userWithThreads as userWithThreadsOf, type TestTable } from "../../../../test/data-fixtures";
import { UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { MAX_STORED_TAGS, MAX_TAGS_PER_THREAD } from "../../tag-text";
import { directSenderOf } from "../../dynamo/dynamo-direct";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const userWithThreads = (count: number) => userWithThreadsOf(table, "tag-", count);

/** A thread as Chainlit's update_thread leaves it after `tags=[…]` (its own writes: test/data-fixtures.ts). */
async function chainlitTaggedThread(userId: string, tags: string[]) {
  const id = uid("t-");
  for (const item of chainlitThread(userId, id).items) await table.putRaw(item);
  await chainlitUpdateThread(table, id, { at: "2025-03-05T10:00:00.000001Z", tags });
  return id;
}

const storedTags = async (threadId: string) => (await table.plain(`THREAD#${threadId}`, "THREAD"))?.tags;
const listIds = async (layer: ReturnType<TestTable["layer"]>, userId: string, tag: string, feedback?: 0 | 1) =>
  (await layer.listThreads({ first: 20 }, { userId, tag, feedback })).data.map((row) => row.id);

describe("thread tags", () => {
  it("adds and removes one tag in 1 GetItem + 1 UpdateItem, normalised, case-insensitively unique, without moving the thread", async () => {
    const { layer, userId, ids } = await userWithThreads(2);
    const [older] = ids;
    const before = (await layer.listThreads({ first: 5 }, { userId })).data.map((r) => r.id);
    const added = await countOf(table, () => layer.changeThreadTags(older!, userId, { add: "  Work   Stuff " }));
    expect(added.result).toEqual({ tags: ["Work Stuff"] });
    expect(added.byOperation).toEqual({ GetItemCommand: 1, UpdateItemCommand: 1 });
    // Another spelling of the same tag: nothing written, the first spelling stays.
    const again = await countOf(table, () => layer.changeThreadTags(older!, userId, { add: "work stuff" }));
    expect(again.result).toEqual({ tags: ["Work Stuff"] });
    expect(again.byOperation).toEqual({ GetItemCommand: 1 });
    await layer.changeThreadTags(older!, userId, { add: "b" });
    expect((await layer.listThreads({ first: 5 }, { userId })).data.map((r) => r.id)).toEqual(before);
    expect(await layer.changeThreadTags(older!, userId, { remove: "WORK stuff" })).toEqual({ tags: ["b"] });
    expect(await storedTags(older!)).toEqual(["b"]);
  });

  it("refuses an empty tag, a 41-character one, and a 21st tag (full, nothing written)", async () => {
    const { layer, userId, ids } = await userWithThreads(1);
    const id = ids[0]!;
    await expect(layer.changeThreadTags(id, userId, { add: "   " })).rejects.toMatchObject({ code: "validation" });
    await expect(layer.changeThreadTags(id, userId, { add: "x".repeat(41) })).rejects.toMatchObject({ code: "validation" });
    expect(await layer.changeThreadTags(id, userId, { add: "x".repeat(40) })).toEqual({ tags: ["x".repeat(40)] });
    for (let i = 1; i < MAX_TAGS_PER_THREAD; i++) await layer.changeThreadTags(id, userId, { add: `t${i}` });
    expect(await layer.changeThreadTags(id, userId, { add: "one more" })).toEqual({ full: true });
    expect(((await storedTags(id)) as string[]).length).toBe(MAX_TAGS_PER_THREAD);
  });

  it("is not_found for a thread that is someone else's or missing, and writes nothing (no stub)", async () => {
    const { layer, ids } = await userWithThreads(1);
    const bob = uid("bob-");
    await expect(layer.changeThreadTags(ids[0]!, bob, { add: "mine" })).rejects.toMatchObject({ code: "not_found" });
    expect(await storedTags(ids[0]!)).toBeUndefined();
    const missing = uid("t-");
    await expect(layer.changeThreadTags(missing, bob, { add: "mine" })).rejects.toMatchObject({ code: "not_found" });
    expect(await table.plain(`THREAD#${missing}`, "THREAD")).toBeUndefined();
  });

  it("shows, filters by and keeps the tags Chainlit's update_thread wrote; a later Chainlit SET wins cleanly", async () => {
    const layer = table.layer();
    const userId = uid("tag-");
    const id = await chainlitTaggedThread(userId, ["Research", "odd  spacing", "R&D — 2025 / very long tag written by chainlit itself"]);
    expect((await layer.getThread(id))?.tags).toEqual(["Research", "odd  spacing", "R&D — 2025 / very long tag written by chainlit itself"]);
    // Found by any spelling, with no catch-up: the listing reads the THREAD item.
    expect(await listIds(layer, userId, "research")).toEqual([id]);
    expect(await listIds(layer, userId, "odd spacing")).toEqual([id]);
    expect(await layer.changeThreadTags(id, userId, { add: "mine" })).toEqual({ tags: ["Research", "odd  spacing", "R&D — 2025 / very long tag written by chainlit itself", "mine"] });
    expect(await layer.changeThreadTags(id, userId, { remove: "RESEARCH" })).toEqual({ tags: ["odd  spacing", "R&D — 2025 / very long tag written by chainlit itself", "mine"] });
    // Chainlit SETs the whole list afterwards: its list is what stays, and a tag of ours added then lands once on top.
    await chainlitUpdateThread(table, id, { at: "2025-03-06T10:00:00.000001Z", tags: ["chainlit", "mine"] });
    expect(await listIds(layer, userId, "mine")).toEqual([id]);
    expect(await layer.changeThreadTags(id, userId, { add: "MINE" })).toEqual({ tags: ["chainlit", "mine"] });
    expect(await layer.changeThreadTags(id, userId, { add: "next" })).toEqual({ tags: ["chainlit", "mine", "next"] });
    expect(await storedTags(id)).toEqual(["chainlit", "mine", "next"]);
  });

  it("keeps the tags added here through Chainlit's update_thread that names none (a rename, a session's save, a share); follows its moves and deletes", async () => {
    const layer = table.layer();
    const [userId, other] = [uid("tag-"), uid("tag-")];
    const id = await chainlitTaggedThread(userId, ["chainlit"]);
    const gone = await chainlitTaggedThread(userId, ["chainlit"]);
    expect(await layer.changeThreadTags(id, userId, { add: "mine" })).toEqual({ tags: ["chainlit", "mine"] });
    await layer.changeThreadTags(gone, userId, { add: "mine" });
    // update_thread with tags=None leaves `tags` out of its SET: a rename, the disconnect's save of the session's
    // metadata (a map, replaced whole), and the share route's write of the metadata it read.
    await chainlitUpdateThread(table, id, { at: "2025-03-07T10:00:00.000001Z", name: "Renamed in Chainlit", userId });
    await chainlitUpdateThread(table, id, { at: "2025-03-07T11:00:00.000001Z", metadata: { chat_profile: { S: "default" } } });
    await chainlitShareThread(table, id, { isShared: true, at: "2025-03-07T12:00:00.000001Z" });
    expect(await storedTags(id)).toEqual(["chainlit", "mine"]);
    expect((await layer.getThread(id))?.tags).toEqual(["chainlit", "mine"]);
    // Found by the tag, the thread Chainlit moved up first.
    expect(await listIds(layer, userId, "MINE")).toEqual([id, gone]);
    // Chainlit's delete_thread: the tagged thread is never listed again, and a change here makes no stub.
    await chainlitDeleteThread(table, gone);
    expect(await listIds(layer, userId, "mine")).toEqual([id]);
    await expect(layer.changeThreadTags(gone, userId, { add: "again" })).rejects.toMatchObject({ code: "not_found" });
    expect(await table.partitionSks(gone)).toEqual([]);
    // update_thread with another user id: the thread is theirs, with its tags; the old owner neither lists nor changes it.
    await chainlitUpdateThread(table, id, { at: "2025-03-08T10:00:00.000001Z", userId: other });
    expect(await listIds(layer, userId, "mine")).toEqual([]);
    await expect(layer.changeThreadTags(id, userId, { remove: "mine" })).rejects.toMatchObject({ code: "not_found" });
    expect(await listIds(layer, other, "chainlit")).toEqual([id]);
    expect(await storedTags(id)).toEqual(["chainlit", "mine"]);
  });

  it("a Chainlit SET landing between our read and our write fails our condition: the change is made again over Chainlit's list", async () => {
    const layer = table.layer();
    const userId = uid("tag-");
    const id = await chainlitTaggedThread(userId, ["a", "b"]);
    let raced = false;
    // The race, made deterministic: Chainlit's SET lands right after our GetItem, once.
    const stop = directSenderOf(table.client)!.intercept(async ({ operation }, next) => {
      const out = await next();
      if (!raced && operation === "GetItem") {
        raced = true;
        await chainlitUpdateThread(table, id, { at: "2025-03-07T10:00:00.000001Z", tags: ["a", "c"] });
      }
      return out;
    });
    try {
      expect(await layer.changeThreadTags(id, userId, { remove: "a" })).toEqual({ tags: ["c"] });
    } finally {
      stop();
    }
    expect(raced).toBe(true);
    expect(await storedTags(id)).toEqual(["c"]);
  });

  it("a thread deleted between our read and our write is not written back as a stub", async () => {
    const { layer, userId, ids } = await userWithThreads(1);
    const id = ids[0]!;
    const stop = directSenderOf(table.client)!.intercept(async ({ operation }, next) => {
      const out = await next();
      if (operation === "GetItem") await layer.deleteThread(id);
      return out;
    });
    try {
      await expect(layer.changeThreadTags(id, userId, { add: "late" })).rejects.toMatchObject({ code: "not_found" });
    } finally {
      stop();
    }
    expect(await table.plain(`THREAD#${id}`, "THREAD")).toBeUndefined();
  });

  it("lists by tag within a bounded number of reads, 200 threads a call, going on from a cursor", async () => {
    const { layer, userId, ids } = await userWithThreads(3);
    await layer.changeThreadTags(ids[0]!, userId, { add: "keep" });
    await layer.changeThreadTags(ids[2]!, userId, { add: "Keep" });
    const page = await countOf(table, () => layer.listThreads({ first: 20 }, { userId, tag: "KEEP" }));
    expect(page.result.data.map((r) => r.id)).toEqual([ids[2], ids[0]]);
    expect(page.result.pageInfo.hasNextPage).toBe(false);
    expect(page.byOperation).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    const first = await layer.listThreads({ first: 1 }, { userId, tag: "keep" });
    expect(first.data.map((r) => r.id)).toEqual([ids[2]]);
    const second = await layer.listThreads({ first: 1, cursor: first.pageInfo.endCursor }, { userId, tag: "keep" });
    expect(second.data.map((r) => r.id)).toEqual([ids[0]]);
    // A cursor resumes only its own listing.
    await expect(layer.listThreads({ first: 1, cursor: first.pageInfo.endCursor }, { userId, tag: "other" })).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(layer.listThreads({ first: 1, cursor: first.pageInfo.endCursor }, { userId })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("reads at most 2 index pages of 100 (and their 2 BatchGetItems) per call: past that a short page with a cursor", async () => {
    const layer = table.layer();
    const userId = uid("tag-");
    const tagged = uid("t-");
    await layer.createThread(tagged, userId);
    await layer.changeThreadTags(tagged, userId, { add: "old" });
    for (let i = 0; i < 200; i++) await layer.createThread(uid("t-"), userId);
    const first = await countOf(table, () => layer.listThreads({ first: 5 }, { userId, tag: "old" }));
    expect(first.result.data).toEqual([]);
    expect(first.result.pageInfo.hasNextPage).toBe(true);
    expect(first.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 2 });
    const second = await layer.listThreads({ first: 5, cursor: first.result.pageInfo.endCursor }, { userId, tag: "old" });
    expect(second.data.map((r) => r.id)).toEqual([tagged]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("a thread whose `tags` Chainlit stored as anything (a number, a map, a set, mixed, 10,000) still opens, lists and filters", async () => {
    const layer = table.layer();
    const userId = uid("tag-");
    const odd: Record<string, AttributeValue> = {
      number: { N: "5" },
      map: { M: { a: { S: "x" } } },
      set: { SS: ["a", "b"] },
      string: { S: "solo" },
      mixed: { L: [{ S: "ok" }, { N: "3" }, { M: {} }, { NULL: true }] },
      many: { L: Array.from({ length: 10_000 }, (_, i) => ({ S: `t${i}` })) },
    };
    for (const [label, tags] of Object.entries(odd)) {
      const id = uid("t-");
      for (const item of chainlitThread(userId, id).items) await table.putRaw(item);
      await table.client.send(new UpdateItemCommand({ TableName: table.tableName, Key: { PK: { S: `THREAD#${id}` }, SK: { S: "THREAD" } }, UpdateExpression: "SET tags = :t", ExpressionAttributeValues: { ":t": tags } }));
      const thread = await layer.getThread(id);
      const expected = label === "mixed" ? ["ok"] : label === "many" ? Array.from({ length: MAX_STORED_TAGS }, (_, i) => `t${i}`) : [];
      expect({ label, tags: thread?.tags }).toEqual({ label, tags: expected });
      expect((await layer.getThreadOutline(id))?.thread.tags, label).toEqual(expected);
    }
    expect(await listIds(layer, userId, "ok")).toHaveLength(1);
    // The filter finds what a read shows, and compares no more than it (10,000 tags × 200 threads a call otherwise).
    expect(await listIds(layer, userId, `t${MAX_STORED_TAGS - 1}`)).toHaveLength(1);
    expect(await listIds(layer, userId, `t${MAX_STORED_TAGS}`)).toHaveLength(0);
  });

  it("combines with the 👍/👎 filter", async () => {
    const { layer, userId, ids } = await userWithThreads(2);
    for (const id of ids) {
      const stepId = uid("s-");
      await layer.createStep({ id: stepId, threadId: id, type: "run", output: "answer" });
      await layer.upsertFeedback({ forId: stepId, threadId: id, value: 1 }, { threadUserId: userId });
      await layer.changeThreadTags(id, userId, { add: id === ids[0] ? "x" : "y" });
    }
    expect(await listIds(layer, userId, "x", 1)).toEqual([ids[0]]);
    expect(await listIds(layer, userId, "x", 0)).toEqual([]);
  });
});
