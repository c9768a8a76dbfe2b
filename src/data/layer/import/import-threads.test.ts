/** importThreads and import job items against dynalite: Chainlit's item shapes, no overwrite, the owner's partition. */
import { beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../doctor";
import { chainlitCreateUser, chainlitDeleteThread, chainlitThread, chainlitUpdateThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { directSenderOf } from "../../dynamo/dynamo-direct";
import { DataError } from "../../errors";
import { planMarkerFixes } from "../feedback/feedback-rebuild";
import { queryPartition } from "../threads/partition";

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
    expect(result).toEqual({ written: [id], existing: [], originals: [], taken: [] });
    // The claim (a conditional PutItem) and its check that the partition holds nothing else (a Query of 2 keys), the
    // steps with their full-text index's postings, then its docs (one batch each), then the THREAD item (a conditional PutItem).
    expect(byOperation).toEqual({ BatchGetItemCommand: 1, PutItemCommand: 2, QueryCommand: 1, BatchWriteItemCommand: 2 });
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
      // When the import wrote it (true UTC): a retention period runs from it, not from the file's times.
      importedAt: expect.stringMatching(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
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
    expect(result).toEqual({ written: [], existing: [mine], originals: [], taken: [theirId] });
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

describe("importThreads with feedback", () => {
  it("writes the step's feedback map as upsertFeedback does and the markers, exact: the filters list it and the doctor finds nothing to fix", async () => {
    const layer = table.layer();
    const [user, id] = [uid("u-"), uid("t-")];
    const thread = { ...imported(id, 4), feedback: [{ forId: `${id}-s1`, value: 1 as const, comment: "good" }, { forId: `${id}-s3`, value: 0 as const, comment: null }, { forId: "not-a-step", value: 1 as const, comment: null }] };
    const { byOperation } = await countOf(table, () => layer.importThreads(user, [thread]));
    // No more requests: the two markers go with the docs.
    expect(byOperation).toEqual({ BatchGetItemCommand: 1, PutItemCommand: 2, QueryCommand: 1, BatchWriteItemCommand: 2 });
    expect(await table.plain(`THREAD#${id}`, `STEP#${id}-s1`)).toMatchObject({ feedback: { id: `THREAD#${id}::STEP#${id}-s1`, forId: `${id}-s1`, threadId: id, value: 1, comment: "good" } });
    expect(await table.plain(`THREAD#${id}`, "FEEDBACK#0")).toMatchObject({ id, stepIds: new Set([`${id}-s3`]), UserThreadPK: `USER#${user}#FEEDBACK#0`, UserThreadSK: "TS#2024-05-01T10:05:00.000000Z" });
    for (const value of [0, 1] as const) expect((await layer.listThreads({ first: 5 }, { userId: user, feedback: value })).data.map((t) => t.id)).toEqual([id]);
    const items = await queryPartition(layer.context, id);
    expect(planMarkerFixes(items, user)).toEqual([]);
  });
});

describe("importThreads' claims", () => {
  /** Fails the finishing PutItem of `threadId` once: an import interrupted after its steps, before its THREAD item. */
  const failFinishOnce = (threadId: string) => {
    const stop = directSenderOf(table.client)!.intercept(async ({ operation, input }, next) => {
      if (operation === "PutItem" && String(input.ConditionExpression).startsWith("#claim = :claim") && JSON.stringify(input.Item).includes(`THREAD#${threadId}`)) {
        stop();
        throw new DataError("unavailable", "the instance died here");
      }
      return next();
    });
  };

  it("an interrupted import leaves its claim unlisted everywhere (its markers and docs written), and importing again finishes it", async () => {
    const layer = table.layer();
    const [user, id] = [uid("u-"), uid("t-")];
    const thread = { ...imported(id, 4), feedback: [{ forId: `${id}-s1`, value: 1 as const, comment: null }] };
    failFinishOnce(id);
    await expect(layer.importThreads(user, [thread])).rejects.toMatchObject({ code: "unavailable" });
    expect(await table.plain(`THREAD#${id}`, "THREAD")).toEqual({
      ...{ PK: `THREAD#${id}`, SK: "THREAD", id, userId: user, userIdentifier: user, importClaim: expect.any(String) },
      // Listed among the user's unfinished claims only (unfinished-claims.ts).
      ...{ UserThreadPK: `IMPORT_CLAIMS#${user}`, UserThreadSK: expect.stringMatching(/^TS#/) },
    });
    expect(await table.partitionSks(id)).toContain("FEEDBACK#1");
    // Half written: not in the list, not under 👍 though its marker is there, not found by its words; and no reader
    // takes the items beside the claim for leftovers (they are still there after those reads).
    expect((await layer.listThreads({ first: 5 }, { userId: user })).data).toEqual([]);
    expect((await layer.listThreads({ first: 5 }, { userId: user, feedback: 1 })).data).toEqual([]);
    expect((await layer.listThreads({ first: 5 }, { userId: user, search: "text" })).data).toEqual([]);
    const sks = await table.partitionSks(id);
    expect(sks).toEqual(expect.arrayContaining(["FEEDBACK#1", `STEP#${id}-s0`, `STEP#${id}-s3`]));
    // Another user's import (a collision) never takes it; the same user's, resumed, claims it again and finishes it.
    expect(await layer.importThreads(uid("u-"), [thread])).toMatchObject({ written: [], taken: [id] });
    expect(await layer.importThreads(user, [thread])).toEqual({ written: [id], existing: [], originals: [], taken: [] });
    expect(await table.plain(`THREAD#${id}`, "THREAD")).not.toHaveProperty("importClaim");
    for (const filter of [{}, { feedback: 1 as const }, { search: "imported" }]) expect([filter, (await layer.listThreads({ first: 5 }, { userId: user, ...filter })).data.map((t) => t.id)]).toEqual([filter, [id]]);
    expect(await table.partitionSks(id)).toEqual(sks);
    expect(await layer.importThreads(user, [thread])).toEqual({ written: [], existing: [id], originals: [], taken: [] });
  });

  it("is left alone by the doctor: neither named nor indexed, so the import (or the claims' cleanup) finds it as it left it", async () => {
    const layer = table.layer();
    const [user, id] = [uid("u-"), uid("t-")];
    failFinishOnce(id);
    await expect(layer.importThreads(user, [imported(id, 2)])).rejects.toMatchObject({ code: "unavailable" });
    const before = await table.plain(`THREAD#${id}`, "THREAD");
    const sks = await table.partitionSks(id);
    const report = await runDoctor(layer, { fix: true, nameThread: () => "Named by the doctor" });
    expect(report.findings.filter((f) => f.id === id)).toEqual([]);
    expect(await table.plain(`THREAD#${id}`, "THREAD")).toEqual(before);
    expect(await table.partitionSks(id)).toEqual(sks);
  });

  it("a batch the table refuses half way leaves nothing: what was written goes and the claims are given back", async () => {
    const layer = table.layer();
    const [user, a, b] = [uid("u-"), uid("t-"), uid("t-")];
    let writes = 0;
    // The steps land, then the docs' BatchWriteItem is refused (as DynamoDB refuses an item over 400 KB).
    const stop = directSenderOf(table.client)!.intercept(async ({ operation, input }, next) => {
      if (operation === "BatchWriteItem" && JSON.stringify(input).includes(`THREAD#${a}`) && ++writes === 2) {
        stop();
        throw new DataError("too_large", "Item size has exceeded the maximum allowed size");
      }
      return next();
    });
    await expect(layer.importThreads(user, [imported(a, 2), imported(b, 2)])).rejects.toMatchObject({ code: "too_large" });
    expect(writes).toBe(2);
    expect([await table.partitionSks(a), await table.partitionSks(b)]).toEqual([[], []]);
    expect(await table.postingsOf(user)).toEqual([]);
    // One at a time (as the job retries), each is written whole.
    for (const id of [a, b]) expect(await layer.importThreads(user, [imported(id, 2)])).toEqual({ written: [id], existing: [], originals: [], taken: [] });
  });

  it("a Chainlit update_thread naming another user between the claim and the THREAD item: that item stays, the conversation is taken", async () => {
    const layer = table.layer();
    const [user, mallory, id] = [uid("u-"), uid("u-"), uid("t-")];
    const stop = directSenderOf(table.client)!.intercept(async ({ operation, input }, next) => {
      const out = await next();
      if (operation === "PutItem" && input.ConditionExpression === "attribute_not_exists(PK)" && JSON.stringify(input.Item).includes(`THREAD#${id}`)) {
        stop();
        await chainlitUpdateThread(table, id, { at: "2025-06-01T08:00:00.000000Z", name: "Mallory's", userId: mallory });
      }
      return out;
    });
    expect(await layer.importThreads(user, [imported(id, 2)])).toEqual({ written: [], existing: [], originals: [], taken: [id] });
    expect(await table.plain(`THREAD#${id}`, "THREAD")).toMatchObject({ name: "Mallory's", userId: mallory, UserThreadPK: `USER#${mallory}` });
    // Nothing of the import is left in it (its steps, docs, postings), and its claim's mark neither.
    expect(await table.partitionSks(id)).toEqual(["THREAD"]);
    expect(await table.plain(`THREAD#${id}`, "THREAD")).not.toHaveProperty("importClaim");
    expect(await table.postingsOf(user)).toEqual([]);
    expect((await layer.listThreads({ first: 5 }, { userId: user })).data).toEqual([]);
  });
});

describe("import job items", () => {
  it("live in the owner's partition: another user's id reaches nothing, and Chainlit's create_user leaves them alone", async () => {
    const layer = table.layer();
    const [alice, bob, jobId] = [uid("alice-"), uid("bob-"), `0000000000-${uid()}`];
    await layer.createImportJob(alice, jobId, { fileName: "export.zip", upload: "storage", runner: "r1" });
    await chainlitCreateUser(table, alice);
    expect(await layer.getImportJob(bob, jobId)).toBeNull();
    expect(await layer.requestImportCancel(bob, jobId)).toBe(false);
    expect(await layer.getImportJob(alice, jobId)).toMatchObject({ status: "running", cancelRequested: false, fileName: "export.zip" });
    expect(await layer.updateImportJob(alice, jobId, "r1", { done: 3, total: 10, current: "Trip" })).toEqual({ cancelRequested: false });
    expect(await layer.requestImportCancel(alice, jobId)).toBe(true);
    expect(await layer.updateImportJob(alice, jobId, "r1", { done: 4 })).toEqual({ cancelRequested: true });
    await layer.updateImportJob(alice, jobId, "r1", { status: "cancelled" });
    // A finished job never moves again.
    expect(await layer.updateImportJob(alice, jobId, "r1", { done: 9, status: "running" })).toBeNull();
    expect(await layer.getImportJob(alice, jobId)).toMatchObject({ status: "cancelled", done: 4, total: 10 });
    expect(await layer.listImportJobs(alice)).toHaveLength(1);
  });

  it("only the runner writes progress; a silent job is taken over by one claimant only, and a takeover moves the writer", async () => {
    const layer = table.layer();
    const [alice, jobId] = [uid("alice-"), `0000000000-${uid()}`];
    const job = await layer.createImportJob(alice, jobId, { fileName: "export.zip", upload: "storage", runner: "r1" });
    expect(job).toMatchObject({ runner: "r1", upload: "storage", uploadBytes: null, resumes: 0 });
    expect(await layer.updateImportJob(alice, jobId, "intruder", { done: 5 })).toBeNull();
    await layer.updateImportJob(alice, jobId, "r1", { done: 2, uploadBytes: 1234 });
    const seen = (await layer.getImportJob(alice, jobId))!;
    // Two instances find it silent at once: one wins, the other's condition fails.
    const claims = await Promise.all([layer.claimImportJob(alice, seen, "r2"), layer.claimImportJob(alice, seen, "r3")]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = claims.find(Boolean)!;
    expect(winner).toMatchObject({ done: 2, uploadBytes: 1234, resumes: 1 });
    expect(await layer.updateImportJob(alice, jobId, "r1", { done: 3 })).toBeNull();
    expect(await layer.updateImportJob(alice, jobId, winner.runner!, { done: 3 })).toEqual({ cancelRequested: false });
    // Abandoning names the updatedAt seen too: a job heard from since is left alone.
    expect(await layer.abandonImportJob(alice, jobId, seen.updatedAt, "gone")).toBe(false);
    const now = (await layer.getImportJob(alice, jobId))!;
    expect(await layer.abandonImportJob(alice, jobId, now.updatedAt, "gone")).toBe(true);
    expect(await layer.getImportJob(alice, jobId)).toMatchObject({ status: "failed", error: "gone" });
    expect(await layer.claimImportJob(alice, now, "r4")).toBeNull();
  });

  it("a job id that is not one the server makes is refused before anything is written", async () => {
    const layer = table.layer();
    await expect(layer.createImportJob(uid("alice-"), "../../etc", { fileName: "x", upload: "storage", runner: "r1" })).rejects.toMatchObject({ code: "validation" });
  });
});
