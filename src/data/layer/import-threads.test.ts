/** importThreads and import job items against dynalite: Chainlit's item shapes, no overwrite, the owner's partition. */
import { beforeAll, describe, expect, it } from "vitest";
import { chainlitCreateUser, chainlitDeleteThread, chainlitThread, countOf, testTable, uid, type TestTable } from "../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const imported = (id: string, steps = 2) => ({
  id,
  name: "Imported",
  createdAt: "2024-05-01T10:00:00.000000Z",
  updatedAt: "2024-05-01T10:05:00.000000Z",
  metadata: { importedFrom: "chatgpt", sourceId: "c1" },
  steps: Array.from({ length: steps }, (_, i) => ({
    id: `${id}-s${i}`,
    threadId: id,
    type: i % 2 ? "assistant_message" : "user_message",
    name: i % 2 ? "ChatGPT" : "alice",
    output: `text ${i}`,
    createdAt: `2024-05-01T10:00:0${i + 1}.000000Z`,
    start: `2024-05-01T10:00:0${i + 1}.000000Z`,
    end: `2024-05-01T10:00:0${i + 1}.000000Z`,
  })),
});

describe("importThreads", () => {
  it("writes the THREAD item and steps as Chainlit does, in batches, listed at the conversation's time", async () => {
    const layer = table.layer();
    const [user, id] = [uid("u-"), uid("t-")];
    const { result, byOperation } = await countOf(table, () => layer.importThreads(user, [imported(id, 4)]));
    expect(result).toEqual({ written: [id], existing: [], taken: [] });
    // The steps, their full-text index's postings, then its docs, the THREAD item: one batch each.
    expect(byOperation).toEqual({ BatchGetItemCommand: 1, BatchWriteItemCommand: 4 });
    expect(await table.plain(`THREAD#${id}`, "THREAD")).toEqual({
      PK: `THREAD#${id}`,
      SK: "THREAD",
      id,
      name: "Imported",
      userId: user,
      userIdentifier: user,
      UserThreadPK: `USER#${user}`,
      UserThreadSK: "TS#2024-05-01T10:05:00.000000Z",
      createdAt: "2024-05-01T10:00:00.000000Z",
      updatedAt: "2024-05-01T10:05:00.000000Z",
      metadata: { importedFrom: "chatgpt", sourceId: "c1" },
      feedbackIndexedAt: "TS#2024-05-01T10:05:00.000000Z",
      searchIndexedAt: "TS#2024-05-01T10:05:00.000000Z",
    });
    expect(await table.plain(`THREAD#${id}`, `STEP#${id}-s1`)).toEqual({
      PK: `THREAD#${id}`,
      SK: `STEP#${id}-s1`,
      id: `${id}-s1`,
      threadId: id,
      type: "assistant_message",
      name: "ChatGPT",
      output: "text 1",
      createdAt: "2024-05-01T10:00:02.000000Z",
      start: "2024-05-01T10:00:02.000000Z",
      end: "2024-05-01T10:00:02.000000Z",
    });
    expect((await layer.getThread(id))!.steps.map((s) => s.output)).toEqual(["text 0", "text 1", "text 2", "text 3"]);
    expect((await layer.listThreads({ first: 5 }, { userId: user })).data).toEqual([{ id, name: "Imported", createdAt: "2024-05-01T10:05:00.000000Z", updatedAt: "2024-05-01T10:05:00.000000Z" }]);
  });

  it("leaves an existing thread of the user as it is, and never writes into another user's thread", async () => {
    const layer = table.layer();
    const [alice, bob] = [uid("alice-"), uid("bob-")];
    const mine = uid("t-");
    await layer.importThreads(bob, [imported(mine)]);
    await layer.updateThread(mine, { name: "Renamed since" });
    const theirs = chainlitThread(alice, uid("t-"));
    for (const item of theirs.items) await table.putRaw(item);
    const theirId = theirs.thread.id!.S!;
    const sksBefore = await table.partitionSks(theirId);
    const result = await layer.importThreads(bob, [imported(mine), imported(theirId)]);
    expect(result).toEqual({ written: [], existing: [mine], taken: [theirId] });
    expect(await table.partitionSks(theirId)).toEqual(sksBefore);
    expect((await table.plain(`THREAD#${theirId}`, "THREAD"))!.userId).toBe(alice);
    expect((await layer.getThread(mine))!.name).toBe("Renamed since");
  });

  it("splits a long output into parts like every step write, and Chainlit's delete_thread still removes what it knows", async () => {
    const layer = table.layer();
    const id = uid("t-");
    const thread = imported(id, 1);
    thread.steps[0]!.output = "x".repeat(500_000);
    await layer.importThreads(uid("u-"), [thread]);
    expect((await layer.getThread(id))!.steps[0]!.output).toHaveLength(500_000);
    expect((await table.partitionSks(id)).filter((sk) => sk.startsWith("PART#"))).toHaveLength(5);
    await chainlitDeleteThread(table, id);
    expect(await table.raw(`THREAD#${id}`, "THREAD")).toBeUndefined();
  });
});

describe("import job items", () => {
  it("live in the owner's partition: another user's id reaches nothing, and Chainlit's create_user leaves them alone", async () => {
    const layer = table.layer();
    const [alice, bob, jobId] = [uid("alice-"), uid("bob-"), `0000000000-${uid()}`];
    await layer.createImportJob(alice, jobId, "export.zip");
    await chainlitCreateUser(table, alice);
    expect(await layer.getImportJob(bob, jobId)).toBeNull();
    expect(await layer.requestImportCancel(bob, jobId)).toBe(false);
    expect(await layer.getImportJob(alice, jobId)).toMatchObject({ status: "running", cancelRequested: false, fileName: "export.zip" });
    expect(await layer.updateImportJob(alice, jobId, { done: 3, total: 10, current: "Trip" })).toEqual({ cancelRequested: false });
    expect(await layer.requestImportCancel(alice, jobId)).toBe(true);
    expect(await layer.updateImportJob(alice, jobId, { done: 4 })).toEqual({ cancelRequested: true });
    await layer.updateImportJob(alice, jobId, { status: "cancelled" });
    // A finished job never moves again.
    expect(await layer.updateImportJob(alice, jobId, { done: 9, status: "running" })).toBeNull();
    expect(await layer.getImportJob(alice, jobId)).toMatchObject({ status: "cancelled", done: 4, total: 10 });
    expect(await layer.listImportJobs(alice)).toHaveLength(1);
  });
});
