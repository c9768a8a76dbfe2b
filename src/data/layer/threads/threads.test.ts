import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshStorage } from "../../../../test/storage-backends";
import { type S3StorageClient } from "../../storage/s3-storage";
import { isDataError } from "../../errors";
import { chainlitThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { isoFromMicros } from "../../timestamps";

let table: TestTable;
let storage: S3StorageClient;
beforeAll(async () => {
  [table, storage] = await Promise.all([testTable(), freshStorage("s3")]);
});
afterAll(() => storage.close());

/** A clock the test moves by hand, so "did not reorder" is visible in the timestamps. */
function manualClock(start = "2026-05-01T00:00:00.000Z") {
  let now = Date.parse(start);
  // What the layer writes for that moment: microseconds (clock.ts).
  return { clock: () => new Date(now), advance: (ms = 60_000) => (now += ms), iso: () => isoFromMicros(now * 1000) };
}

describe("updateThread", () => {
  it("creates the thread in one UpdateItem with Chainlit's keys plus createdAt/updatedAt", async () => {
    const time = manualClock();
    const layer = table.layer({ clock: time.clock });
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const { count } = await countOf(table, () => layer.updateThread(threadId, { name: "First", userId, tags: ["x"] }));
    expect(count).toBe(1);
    expect(await table.raw(`THREAD#${threadId}`, "THREAD")).toEqual({
      PK: { S: `THREAD#${threadId}` },
      SK: { S: "THREAD" },
      UserThreadPK: { S: `USER#${userId}` },
      UserThreadSK: { S: `TS#${time.iso()}` },
      id: { S: threadId },
      name: { S: "First" },
      userId: { S: userId },
      userIdentifier: { S: userId },
      tags: { L: [{ S: "x" }] },
      createdAt: { S: time.iso() },
      updatedAt: { S: time.iso() },
      metadata: { M: {} },
    });
  });

  it("renames without reordering and keeps every other attribute; touch moves the thread up", async () => {
    const time = manualClock();
    const layer = table.layer({ clock: time.clock });
    const [threadId, userId] = [uid("t-"), uid("u-")];
    await layer.updateThread(threadId, { name: "Old", userId, tags: ["a"], metadata: { is_shared: true } });
    const created = time.iso();
    time.advance();
    const { count } = await countOf(table, () => layer.updateThread(threadId, { name: "New" }));
    expect(count).toBe(1);
    const renamed = await table.plain(`THREAD#${threadId}`, "THREAD");
    expect(renamed).toMatchObject({ name: "New", userId, tags: ["a"], metadata: { is_shared: true }, createdAt: created, updatedAt: created, UserThreadSK: `TS#${created}` });

    time.advance();
    await layer.updateThread(threadId, {}, { touch: true });
    expect(await table.plain(`THREAD#${threadId}`, "THREAD")).toMatchObject({ createdAt: created, updatedAt: time.iso(), UserThreadSK: `TS#${time.iso()}`, name: "New" });
  });

  it("merges metadata key by key in one request; null removes a key", async () => {
    const layer = table.layer();
    const threadId = uid("t-");
    await layer.updateThread(threadId, { userId: uid("u-"), metadata: { a: 1, b: { deep: true }, keep: "x" } });
    const merge = await countOf(table, () => layer.updateThread(threadId, { metadata: { a: null, b: { deep: false }, "weird.key name": 2 } }));
    expect(merge.count).toBe(1);
    expect((await layer.getThread(threadId))?.metadata).toEqual({ b: { deep: false }, keep: "x", "weird.key name": 2 });
    const noop = await countOf(table, () => layer.updateThread(threadId, {}));
    expect(noop.count).toBe(1);
  });

  it("creates the metadata map on a Chainlit thread whose metadata is NULL (conditional fallback)", async () => {
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await table.putRaw({ ...fixture.thread, metadata: { NULL: true } });
    await layer.updateThread(threadId, { metadata: { is_shared: true, gone: null } });
    const stored = await table.plain(`THREAD#${threadId}`, "THREAD");
    expect(stored?.metadata).toEqual({ is_shared: true });
    // A Chainlit thread keeps its createdAt (= last update there) and gets no new list position from a metadata write.
    expect(stored).toMatchObject({ createdAt: "2025-03-04T10:11:12.123456Z", UserThreadSK: "TS#2025-03-04T10:11:12.123456Z" });
  });

  it("nameWas: the name lands only while it is still the one read (none: absent or NULL); else the rest still lands", async () => {
    const time = manualClock();
    const layer = table.layer({ clock: time.clock });
    const [made, chainlit, userId] = [uid("t-"), uid("t-"), uid("u-")];
    await layer.createThread(made, userId); // name NULL, as a new chat's
    const unnamed = chainlitThread(userId, chainlit);
    await table.putRaw(Object.fromEntries(Object.entries(unnamed.thread).filter(([k]) => k !== "name"))); // no name at all
    for (const threadId of [made, chainlit]) expect(await layer.updateThread(threadId, { name: "Auto" }, { touch: true, nameWas: null })).toEqual({});
    expect((await table.plain(`THREAD#${made}`, "THREAD"))?.name).toBe("Auto");
    expect((await table.plain(`THREAD#${chainlit}`, "THREAD"))?.name).toBe("Auto");

    // Renamed since it was read: the name stays, the move to the top still lands, and the result says what it is.
    await layer.updateThread(made, { name: "Mine" });
    time.advance();
    expect(await layer.updateThread(made, { name: "Auto 2" }, { touch: true, nameWas: "Auto" })).toEqual({ nameLost: { current: "Mine" } });
    expect(await table.plain(`THREAD#${made}`, "THREAD")).toMatchObject({ name: "Mine", UserThreadSK: expect.stringMatching(/^TS#2026-05-01T00:01:00\.0000\d\dZ$/) });
    expect(await layer.updateThread(chainlit, { name: "Auto 2" }, { nameWas: null })).toEqual({ nameLost: { current: "Auto" } });
    // Not with metadata: a refused name would read as the metadata merge's own condition.
    await expect(layer.updateThread(made, { name: "x", metadata: { a: 1 } }, { nameWas: "Mine" })).rejects.toSatisfy((e) => isDataError(e, "validation"));
  });

  it("rejects a bad thread id or name", async () => {
    const layer = table.layer();
    await expect(layer.updateThread("bad#id", { name: "x" })).rejects.toSatisfy((e) => isDataError(e, "validation"));
    await expect(layer.updateThread(uid("t-"), { name: "x".repeat(201) })).rejects.toSatisfy((e) => isDataError(e, "validation"));
  });
});

describe("getThreadAuthor", () => {
  it("returns the userId, null for a missing thread or one without a user (Chainlit raised)", async () => {
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    await layer.updateThread(threadId, { userId });
    expect(await layer.getThreadAuthor(threadId)).toBe(userId);
    expect(await layer.getThreadAuthor(uid("missing-"))).toBeNull();
    const anonymous = uid("t-");
    await layer.updateThread(anonymous, { name: "no user" });
    expect(await layer.getThreadAuthor(anonymous)).toBeNull();
  });
});

describe("updateThread with mustExist", () => {
  it("updates an existing thread in one request and refuses a missing one without creating it", async () => {
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    await layer.updateThread(threadId, { userId, name: "before" });
    const { count } = await countOf(table, () => layer.updateThread(threadId, { name: "after" }, { mustExist: true }));
    expect(count).toBe(1);
    expect((await layer.getThread(threadId))?.name).toBe("after");
    const missing = uid("gone-");
    await expect(layer.updateThread(missing, { name: "stub" }, { mustExist: true })).rejects.toMatchObject({ code: "not_found" });
    await expect(layer.updateThread(missing, { metadata: { a: 1 } }, { mustExist: true })).rejects.toMatchObject({ code: "not_found" });
    expect(await table.partitionSks(missing)).toEqual([]);
  });
});

describe("createThread", () => {
  it("creates a listed, empty thread for its user in one write, and never takes over an id in use", async () => {
    const layer = table.layer();
    const [threadId, alice, bob] = [uid("t-"), uid("alice-"), uid("bob-")];
    const { count } = await countOf(table, () => layer.createThread(threadId, alice));
    expect(count).toBe(1);
    expect(await layer.getThreadAuthor(threadId)).toBe(alice);
    const page = await layer.listThreads({ first: 5 }, { userId: alice });
    expect(page.data.map((t) => t.id)).toEqual([threadId]);
    // Anyone's id, the caller's own included: conflict, and the thread is unchanged.
    const before = await table.raw(`THREAD#${threadId}`, "THREAD");
    await expect(layer.createThread(threadId, bob)).rejects.toMatchObject({ code: "conflict" });
    await expect(layer.createThread(threadId, alice)).rejects.toMatchObject({ code: "conflict" });
    expect(await table.raw(`THREAD#${threadId}`, "THREAD")).toEqual(before);
    // A Chainlit thread with no user is not up for grabs either.
    const ownerless = uid("t-");
    await layer.updateThread(ownerless, { name: "no user" });
    await expect(layer.createThread(ownerless, bob)).rejects.toMatchObject({ code: "conflict" });
    expect(await layer.getThreadAuthor(ownerless)).toBeNull();
  });
});

describe("getThread", () => {
  it("reads a thread Chainlit wrote: one Query, ordered steps, integer feedback, no internal keys, signed URLs", async () => {
    const layer = table.layer({ storageProvider: storage });
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await Promise.all(fixture.items.map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: fixture.objectKey, data: "%PDF-1.4", mime: "application/pdf" });

    const { result: thread, count, byOperation } = await countOf(table, () => layer.getThread(threadId));
    expect(count).toBe(1);
    expect(byOperation).toEqual({ QueryCommand: 1 });
    expect(thread).toMatchObject({
      id: threadId,
      // Its first step's time: update_thread's createdAt is its latest update (get-thread.ts, beganAt).
      createdAt: "2025-03-04T10:11:12.000001Z",
      name: "Chainlit thread",
      userId,
      userIdentifier: userId,
      // Chainlit's NULL `tags`: no tags (readTags).
      tags: [],
      metadata: { chat_profile: "default", is_shared: false },
    });
    expect(thread!.steps.map((s) => s.id)).toEqual([fixture.stepA, fixture.stepB]);
    const run = thread!.steps[1]!;
    expect(run.feedback).toEqual({ id: `THREAD#${threadId}::STEP#${fixture.stepB}`, forId: fixture.stepB, threadId, value: 1, comment: null });
    expect(Number.isInteger(run.feedback!.value)).toBe(true);
    expect(run).toMatchObject({ parentId: null, end: null, isError: null, metadata: { page: 3 }, showInput: "json" });
    const element = thread!.elements[0]!;
    expect(element).toMatchObject({ id: fixture.elementId, objectKey: fixture.objectKey, page: 2, size: null, name: "report.pdf" });
    expect(element.url).not.toBe(`https://bucket.s3.amazonaws.com/${fixture.objectKey}`);
    expect(element.urlExpiresAt).toEqual(expect.any(String));
    expect(await (await fetch(element.url!)).text()).toBe("%PDF-1.4");
    const json = JSON.stringify(thread);
    for (const internal of ["PK", "SK", "UserThreadPK", "UserThreadSK", "inputParts", "outputParts", "passwordHash"]) {
      expect(json).not.toContain(`"${internal}"`);
    }
  });

  it("parses a thread with no name, metadata or tags, and a Chainlit phantom step (sorted first)", async () => {
    const layer = table.layer();
    const threadId = uid("t-");
    await table.putRaw({ PK: { S: `THREAD#${threadId}` }, SK: { S: "THREAD" }, id: { S: threadId }, createdAt: { S: "2025-01-01T00:00:00Z" } });
    const stepId = uid("s-");
    await table.layer().createStep({ id: stepId, threadId, output: "x", createdAt: "2025-01-01T00:00:01Z" });
    // Chainlit's upsert_feedback on a bad step id: an item with keys and feedback only.
    const phantom = uid("ph-");
    await table.putRaw({
      PK: { S: `THREAD#${threadId}` },
      SK: { S: `STEP#${phantom}` },
      feedback: { M: { id: { S: "x" }, forId: { S: phantom }, value: { N: "0" }, comment: { NULL: true } } },
    });
    const thread = await layer.getThread(threadId);
    expect(thread).toMatchObject({ id: threadId, createdAt: "2025-01-01T00:00:00Z", steps: [{ id: phantom, threadId }, { id: stepId }], elements: [] });
    expect(thread?.name).toBeUndefined();
  });

  it("returns null for a missing thread or for orphaned steps without a THREAD item", async () => {
    const layer = table.layer();
    expect(await layer.getThread(uid("none-"))).toBeNull();
    const orphan = uid("t-");
    await layer.createStep({ id: uid("s-"), threadId: orphan, output: "orphan" });
    expect(await layer.getThread(orphan)).toBeNull();
  });
});
