/**
 * One table, two apps: any attribute shape another writer can store (Chainlit's update_thread SETs `metadata`, `name`,
 * `tags`, `userId` to whatever its caller passed; boto3 also stores sets, binary and numbers) is read as absent where it
 * does not fit, never a reason a thread cannot be opened, listed, searched, exported, shared, printed or continued
 * (docs/data-layer.md, "Attributes Threadbook cannot read"). Each case writes one odd attribute over a thread Chainlit wrote.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import type { ChatEvent } from "@/server/chat/continue-thread";
import { readSharePage } from "@/server/share/shared-thread";
import { readSharedPrint } from "@/server/share/shared-print";
import { readPrintedThread } from "@/server/export/print-thread";
import { exportAccount } from "@/server/export/account-export";
import { runRetention } from "@/server/deletion/retention";
import { waitForDeletion } from "@/server/deletion/deletion-jobs";
import { runDoctor } from "../src/data/layer/doctor";
import { type Logger } from "../src/data/logger";
import { callerFor, createTestServices, sessionUser } from "./callers";
import { chainlitCreateUser, chainlitThread, chainlitTurn, tableOn, uid, type TestTable } from "./data-fixtures";

let services: Awaited<ReturnType<typeof createTestServices>>;
let table: TestTable;
beforeAll(async () => {
  services = await createTestServices();
  table = tableOn(services.client, services.tableName);
});
afterAll(() => services.close());

const S = (value: string): AttributeValue => ({ S: value });

/** What other writers can leave in an attribute Threadbook reads as an object or a string. */
const ODD: Record<string, AttributeValue> = {
  string: S("not a map"),
  empty: S(""),
  number: { N: "42" },
  list: { L: [S("a"), { N: "1" }] },
  bool: { BOOL: true },
  map: { M: { nested: { M: { deep: S("x") } } } },
  null: { NULL: true },
  stringSet: { SS: ["a", "b"] },
  numberSet: { NS: ["1", "2"] },
  binary: { B: new Uint8Array([1, 2, 3]) },
};

/** Any boto3 writer (Chainlit's update_thread, update_step, …) SETting one attribute of an item to `value`, or removing it. */
async function setAttribute(PK: string, SK: string, name: string, value: AttributeValue | undefined) {
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { PK: S(PK), SK: S(SK) },
      UpdateExpression: value === undefined ? "REMOVE #a" : "SET #a = :v",
      ExpressionAttributeNames: { "#a": name },
      ...(value !== undefined && { ExpressionAttributeValues: { ":v": value } }),
    }),
  );
}

const setThreadAttribute = (threadId: string, name: string, value: AttributeValue | undefined) => setAttribute(`THREAD#${threadId}`, "THREAD", name, value);
const setItemAttribute = (threadId: string, sk: string, name: string, value: AttributeValue) => setAttribute(`THREAD#${threadId}`, sk, name, value);

async function drain(events: AsyncIterable<ChatEvent>) {
  for await (const event of events) if (event.type === "error") throw new Error(event.message);
}

async function readAll(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/** A thread Chainlit wrote (a rated run, a question, a file's item, one on_message turn) for a fresh user. */
async function chainlitWrote() {
  const owner = sessionUser(`owner.${randomUUID()}`);
  const threadId = uid("t-");
  const word = `walrus${randomUUID().slice(0, 8)}`;
  const thread = chainlitThread(owner.id, threadId, { name: "Odd thread", at: "2025-03-04T10:11:12.123456Z" });
  const turn = chainlitTurn(owner.id, threadId, { question: `Where is the ${word}?`, answer: "On the ice." });
  for (const item of [...thread.items, ...turn.steps]) await table.putRaw(item);
  await services.storage.uploadFile({ objectKey: thread.objectKey, data: "%PDF-1.4 the report", mime: "application/octet-stream" });
  return { owner, threadId, word, ...thread, turn, asOwner: callerFor(services, owner) };
}

type Written = Awaited<ReturnType<typeof chainlitWrote>>;

let viewers = 0;

/** Every feature that reads the thread, as its owner and a share viewer: none may fail. */
/**
 * `owned: false`: the thread reads as nobody's (404). `file: false`: the element names no file. `inShare: false`: the
 * answer's time is unreadable, so the share's snapshot leaves the turn out (docs/sharing.md, "Snapshot").
 */
async function everyFeatureWorks(t: Written, label: string, expect_: { listed?: boolean; owned?: boolean; file?: boolean; inShare?: boolean } = {}) {
  const { asOwner, threadId, owner } = t;
  const owned = expect_.owned ?? true;
  const listedIds = async () => (await asOwner.threads.list({ first: 50 })).data.map((row) => row.id);
  if (expect_.listed ?? true) expect(await listedIds(), label).toContain(threadId);
  if (!owned) {
    await expect(asOwner.threads.get({ threadId }), label).rejects.toMatchObject({ code: "NOT_FOUND" });
    return;
  }
  const opened = await asOwner.threads.get({ threadId });
  expect(opened.steps.map((s) => s.output), label).toContain("On the ice.");
  await asOwner.search.prepare();
  expect((await asOwner.search.query({ query: t.word, first: 20 })).data.map((hit) => hit.id), label).toEqual([threadId]);
  for (const format of ["json", "markdown"] as const) expect((await asOwner.threads.export({ threadId, format })).content, label).toContain("On the ice.");
  expect((await readPrintedThread(services.data, owner, threadId))?.steps.length, label).toBeGreaterThan(0);
  await asOwner.share.create({ threadId, access: "public", expiry: "7d" });
  // A viewer of its own per thread: the share page's rate limit counts views by client address.
  const viewer = createCaller(createInnerContext({ user: null, services, clientAddress: `198.51.${++viewers >> 8}.${viewers & 255}` }));
  const page = await readSharePage(services, threadId, null);
  expect(page.kind, label).toBe("shared");
  expect((await readSharedPrint(services, threadId, null)).kind, label).toBe("shared");
  expect((await asOwner.share.list({})).rows.map((row) => row.threadId), label).toContain(threadId);
  // "Continue in my history": someone else's copy of the snapshot, which opens as theirs.
  const copier = sessionUser(`copier.${randomUUID()}`);
  const asCopier = createCaller(createInnerContext({ user: copier, services, clientAddress: `203.0.${viewers >> 8}.${viewers & 255}` }));
  const { id: copyId } = await asCopier.share.continue({ threadId });
  const copied = (await asCopier.threads.get({ threadId: copyId })).steps.map((s) => s.output);
  if (expect_.inShare ?? true) expect(copied, label).toContain("On the ice.");
  else expect(copied, label).not.toContain("On the ice.");
  // An element whose `objectKey` is unreadable names no file: its download is the same NOT_FOUND as a missing one's.
  if (expect_.file ?? true) expect((await viewer.share.elementUrl({ threadId, elementId: t.elementId })).url, label).toBeTruthy();
  else await expect(viewer.share.elementUrl({ threadId, elementId: t.elementId }), label).rejects.toMatchObject({ code: "NOT_FOUND" });
  await asOwner.threads.pin({ threadId });
  expect((await asOwner.threads.pinned()).map((row) => row.id), label).toContain(threadId);
  await asOwner.feedback.upsert({ threadId, forId: t.turn.runId, value: 0 });
  expect((await asOwner.threads.list({ first: 50, feedback: 0 })).data.map((row) => row.id), label).toContain(threadId);
  await asOwner.threads.addTag({ threadId, tag: "odd" });
  expect((await asOwner.threads.list({ first: 50, tag: "odd" })).data.map((row) => row.id), label).toContain(threadId);
  await asOwner.threads.removeTag({ threadId, tag: "odd" });
  await drain(await asOwner.chat.send({ threadId, messageId: randomUUID(), content: "And now?" }));
  await asOwner.threads.rename({ threadId, name: "Renamed" });
  expect((await asOwner.threads.get({ threadId })).name, label).toBe("Renamed");
  expect(await readAll(exportAccount({ data: services.data, storage: services.storage, userId: owner.id, maxAttachmentBytes: 1_000_000 })), label).toBeGreaterThan(0);
  await asOwner.threads.delete({ threadId });
  expect(await table.partitionSks(threadId), label).toEqual([]);
}

/** The odd THREAD attributes: each shape of ODD in each attribute, and times that are missing or not times. */
const THREAD_CASES: Array<[string, string, AttributeValue | undefined]> = [
  ...["metadata", "name", "createdAt", "updatedAt", "userIdentifier", "tags"].flatMap((attribute) =>
    Object.entries(ODD).map(([shape, value]): [string, string, AttributeValue] => [attribute, shape, value]),
  ),
  ["createdAt", "missing", undefined],
  ["createdAt", "not a time", S("last tuesday")],
  ["updatedAt", "not a time", S("garbage")],
  ["tags", "list of odd entries", { L: [S("kept"), { M: { a: S("x") } }, { SS: ["s"] }, { NULL: true }, { B: new Uint8Array([1]) }, { L: [] }] }],
];

describe("a THREAD item attribute another writer stored in a shape Threadbook does not read", () => {
  it.each(THREAD_CASES)("%s as %s: the thread opens and is listed", async (attribute, shape, value) => {
    const t = await chainlitWrote();
    await setThreadAttribute(t.threadId, attribute, value);
    const opened = await t.asOwner.threads.get({ threadId: t.threadId });
    expect(opened.steps.map((s) => s.output)).toContain("On the ice.");
    expect((await t.asOwner.threads.list({ first: 50 })).data.map((row) => row.id)).toEqual([t.threadId]);
  });

  // Every feature, once per shape, over a thread holding it in every attribute at once (a string `name` and a list
  // `tags` are readable, so those two keep Chainlit's own).
  it.each(Object.entries(ODD))("every attribute as %s at once: every feature works", async (shape, value) => {
    const t = await chainlitWrote();
    for (const attribute of ["metadata", "name", "createdAt", "updatedAt", "userIdentifier", "tags"]) {
      if (!(attribute === "name" && shape === "string") && !(attribute === "tags" && shape === "list")) await setThreadAttribute(t.threadId, attribute, value);
    }
    await everyFeatureWorks(t, shape);
  });

  it("times missing or not times: every feature works", async () => {
    const t = await chainlitWrote();
    await setThreadAttribute(t.threadId, "createdAt", undefined);
    await setThreadAttribute(t.threadId, "updatedAt", S("garbage"));
    await everyFeatureWorks(t, "no createdAt");
    const u = await chainlitWrote();
    await setThreadAttribute(u.threadId, "createdAt", S("last tuesday"));
    await everyFeatureWorks(u, "createdAt not a time");
  });

  it.each(Object.entries(ODD))("userId as %s: the thread is nobody's (404 to its old owner), never a 500", async (shape, value) => {
    const t = await chainlitWrote();
    await setThreadAttribute(t.threadId, "userId", value);
    await everyFeatureWorks(t, `userId ${shape}`, { owned: false });
  });
});

describe("a STEP or ELEMENT attribute in a shape Threadbook does not read", () => {
  const stepCases: Array<[string, AttributeValue]> = [
    ["metadata", S("x")],
    ["output", { N: "5" }],
    ["input", { M: {} }],
    ["createdAt", { N: "1700000000" }],
    ["parentId", { N: "1" }],
    ["name", { L: [] }],
    ["type", { N: "3" }],
    ["generation", S("gpt")],
    ["tags", S("x")],
    ["streaming", S("yes")],
    ["showInput", { N: "1" }],
    ["feedback", S("good")],
    ["modes", S("m")],
    // Threadbook's own count of a step's parts, as a hostile writer could set it: nothing of that size is made.
    ["outputParts", { N: "1000000000" }],
  ];
  /** Every step of the turn carries it (the run is the one rated, over its odd `feedback` too); an unreadable `output` only the run's, whose text no feature looks for. */
  const stepsOf = (t: Written, attribute: string) => (attribute === "output" ? [t.turn.runId] : [t.turn.messageId, t.turn.runId, t.turn.replyId]);

  it.each(stepCases)("step %s: the step still shows, the rest of it read", async (attribute, value) => {
    const t = await chainlitWrote();
    for (const stepId of stepsOf(t, attribute)) await setItemAttribute(t.threadId, `STEP#${stepId}`, attribute, value);
    const opened = await t.asOwner.threads.get({ threadId: t.threadId });
    expect(opened.steps.map((s) => s.id)).toEqual(expect.arrayContaining([t.turn.messageId, t.turn.runId, t.turn.replyId]));
  });

  it("every step attribute odd at once: every feature works", async () => {
    const t = await chainlitWrote();
    for (const [attribute, value] of stepCases) for (const stepId of stepsOf(t, attribute)) await setItemAttribute(t.threadId, `STEP#${stepId}`, attribute, value);
    await everyFeatureWorks(t, "steps", { inShare: false });
  });

  const elementCases: Array<[string, AttributeValue]> = [
    ["page", S("3")],
    ["props", S("x")],
    ["size", { N: "5" }],
    ["name", { N: "5" }],
    ["mime", { L: [] }],
    ["url", { M: {} }],
    ["objectKey", { N: "1" }],
    ["display", { BOOL: true }],
  ];
  it.each(elementCases)("element %s: the element still shows", async (attribute, value) => {
    const t = await chainlitWrote();
    await setItemAttribute(t.threadId, `ELEMENT#${t.elementId}`, attribute, value);
    const opened = await t.asOwner.threads.get({ threadId: t.threadId });
    expect(opened.elements.map((e) => e.id)).toContain(t.elementId);
  });

  it("every element attribute odd at once but its file: every feature works, its download too; an unreadable objectKey names no file", async () => {
    const t = await chainlitWrote();
    for (const [attribute, value] of elementCases) if (attribute !== "objectKey") await setItemAttribute(t.threadId, `ELEMENT#${t.elementId}`, attribute, value);
    await everyFeatureWorks(t, "element");
    const u = await chainlitWrote();
    await setItemAttribute(u.threadId, `ELEMENT#${u.elementId}`, "objectKey", { N: "1" });
    await everyFeatureWorks(u, "element objectKey", { file: false });
  });
});

describe("a USER item Chainlit's create_user wrote with odd attributes", () => {
  it.each(Object.entries(ODD))("metadata as %s: the user is read and signs in", async (shape, value) => {
    const t = await chainlitWrote();
    await table.putRaw({ PK: S(`USER#${t.owner.id}`), SK: S("USER"), id: S(t.owner.id), identifier: S(t.owner.id), metadata: value, createdAt: S("2025-05-06T07:08:09.123456Z") });
    expect(await services.data.getUser(t.owner.id), shape).toMatchObject({ identifier: t.owner.id, metadata: shape === "map" ? { nested: { deep: "x" } } : {} });
    expect(await services.data.createUser({ identifier: t.owner.id }), shape).toMatchObject({ identifier: t.owner.id });
    expect(await t.asOwner.user.me()).toMatchObject({ identifier: t.owner.id, createdAt: "2025-05-06T07:08:09.123456Z" });
    if (shape === "string") await everyFeatureWorks(t, `user metadata ${shape}`);
  });

  it.each([["createdAt", { N: "1700000000" }], ["createdAt", undefined], ["identifier", { N: "1" }], ["id", { M: {} }]] as Array<[string, AttributeValue | undefined]>)(
    "%s odd (%j): the user is still read",
    async (attribute, value) => {
      const identifier = `u.${randomUUID()}`;
      await chainlitCreateUser(table, identifier);
      await setAttribute(`USER#${identifier}`, "USER", attribute, value);
      expect(await services.data.getUser(identifier)).toMatchObject({ identifier, id: identifier });
      expect(await services.data.createUser({ identifier })).toMatchObject({ identifier });
      await callerFor(services, sessionUser(identifier)).user.me();
    },
  );
});

describe("the log of an unreadable attribute", () => {
  it("names the thread, the item and the attribute once at warn (then at debug), never the value", async () => {
    const t = await chainlitWrote();
    const secret = `secret-${randomUUID()}`;
    await setThreadAttribute(t.threadId, "metadata", S(secret));
    await setItemAttribute(t.threadId, `STEP#${t.turn.replyId}`, "output", { SS: [secret] });
    const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
    const logger: Logger = { name: "DynamoDB", level: "debug", debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
    const layer = table.layer({ logger });
    for (let i = 0; i < 2; i++) expect((await layer.getThread(t.threadId))?.metadata ?? null).toBeNull();
    const about = lines.filter((line) => line.message.includes("does not read"));
    expect(about.map((line) => [line.level, line.fields])).toEqual([
      ["warn", { threadId: t.threadId, sk: "THREAD", attributes: ["metadata"] }],
      ["warn", { threadId: t.threadId, sk: `STEP#${t.turn.replyId}`, attributes: ["output"] }],
      ["debug", { threadId: t.threadId, sk: "THREAD", attributes: ["metadata"] }],
      ["debug", { threadId: t.threadId, sk: `STEP#${t.turn.replyId}`, attributes: ["output"] }],
    ]);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });
});

describe("writes over an attribute stored in a shape Threadbook does not read", () => {
  it("a metadata merge replaces a metadata that is no map (a null deleting nothing), a rename and a share keep Chainlit's shape", async () => {
    const t = await chainlitWrote();
    await setThreadAttribute(t.threadId, "metadata", S("not a map"));
    await services.data.updateThread(t.threadId, { metadata: { chat_profile: "x", gone: null } });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata).toEqual({ chat_profile: "x" });
    await setThreadAttribute(t.threadId, "metadata", { L: [S("a")] });
    await t.asOwner.threads.rename({ threadId: t.threadId, name: "Kept" });
    // A rename does not touch metadata (Chainlit's own value stays as it stored it).
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata).toEqual(["a"]);
    await t.asOwner.share.create({ threadId: t.threadId, access: "public" });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata).toMatchObject({ is_shared: true, shared_at: expect.any(String) });
  });

  it("a tag added over a `tags` that is no list replaces it; over a list with odd entries keeps every entry", async () => {
    const t = await chainlitWrote();
    await setThreadAttribute(t.threadId, "tags", { M: { a: S("x") } });
    expect(await t.asOwner.threads.removeTag({ threadId: t.threadId, tag: "a" })).toMatchObject({ tags: [] });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.tags).toEqual({ a: "x" });
    expect(await t.asOwner.threads.addTag({ threadId: t.threadId, tag: "Work" })).toMatchObject({ tags: ["Work"] });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.tags).toEqual(["Work"]);
    await setThreadAttribute(t.threadId, "tags", { L: [S("kept"), { M: { a: S("x") } }, { SS: ["s"] }, { NULL: true }, { N: "3" }] });
    expect(await t.asOwner.threads.addTag({ threadId: t.threadId, tag: "more" })).toMatchObject({ tags: ["kept", "more"] });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.tags).toEqual(["kept", { a: "x" }, new Set(["s"]), null, 3, "more"]);
    expect(await t.asOwner.threads.removeTag({ threadId: t.threadId, tag: "KEPT" })).toMatchObject({ tags: ["more"] });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.tags).toEqual([{ a: "x" }, new Set(["s"]), null, 3, "more"]);
  });

  it("a 👍 over a step whose `feedback` is no rating replaces it with the rating", async () => {
    const t = await chainlitWrote();
    await setItemAttribute(t.threadId, `STEP#${t.turn.runId}`, "feedback", { L: [S("good")] });
    await t.asOwner.feedback.upsert({ threadId: t.threadId, forId: t.turn.runId, value: 1 });
    expect((await table.plain(`THREAD#${t.threadId}`, `STEP#${t.turn.runId}`))?.feedback).toMatchObject({ value: 1, forId: t.turn.runId });
    expect((await t.asOwner.threads.get({ threadId: t.threadId })).steps.find((s) => s.id === t.turn.runId)?.feedback).toMatchObject({ value: 1 });
  });
});

describe("the bulk paths over threads with odd attributes", () => {
  /** Three old threads of one user, each with one attribute no Threadbook feature reads. */
  async function oddThreads() {
    const threads = [await chainlitWrote(), await chainlitWrote(), await chainlitWrote()];
    const owner = threads[0]!.owner;
    for (const t of threads.slice(1)) await setThreadAttribute(t.threadId, "userId", S(owner.id));
    for (const t of threads.slice(1)) await setThreadAttribute(t.threadId, "UserThreadPK", S(`USER#${owner.id}`));
    await setThreadAttribute(threads[0]!.threadId, "metadata", S("not a map"));
    await setThreadAttribute(threads[1]!.threadId, "name", { N: "7" });
    await setThreadAttribute(threads[2]!.threadId, "createdAt", { M: {} });
    return { owner, ids: threads.map((t) => t.threadId) };
  }

  it("retention deletes them, Delete all conversations deletes them, the doctor and the admin tool's listing read them", async () => {
    const kept = await oddThreads();
    // The doctor reads them as any Chainlit thread: its 👍 not yet indexed, and the numeric name as no name.
    const findings = (await runDoctor(services.data)).findings.filter((f) => kept.ids.includes(String(f.id)));
    expect(new Set(findings.map((f) => f.kind))).toEqual(new Set(["marker-drift", "unnamed"]));
    await chainlitCreateUser(table, kept.owner.id, { provider: S("odd") });
    await table.putRaw({ PK: S(`USER#${kept.owner.id}`), SK: S("USER"), id: S(kept.owner.id), identifier: S(kept.owner.id), metadata: S("x"), createdAt: { N: "1" } });
    expect((await services.data.listUsers()).find((user) => user.identifier === kept.owner.id)).toMatchObject({ metadata: {}, createdAt: null });

    const retained = await oddThreads();
    const asRetained = callerFor(services, retained.owner);
    await asRetained.user.setRetention({ days: 30 });
    const due = (await services.data.listDueRetentions("9999", 100)).find((row) => row.userId === retained.owner.id)!;
    expect(await runRetention(services, retained.owner.id, due.due)).toBe(3);
    for (const id of retained.ids) expect(await table.partitionSks(id)).toEqual([]);

    const asKept = callerFor(services, kept.owner);
    await asKept.user.deleteAllThreads();
    await waitForDeletion(kept.owner.id);
    expect(await asKept.user.deletion()).toMatchObject({ status: "done", deleted: 3 });
    for (const id of kept.ids) expect(await table.partitionSks(id)).toEqual([]);
  });
});
