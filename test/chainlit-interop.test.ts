/**
 * One table, two apps: Chainlit's own writes and deletes (as its Python layer sends them, test/data-fixtures.ts) against
 * the Threadbook features that read what it wrote. The matrix in docs/chainlit.md ("One table, two apps") names the
 * test of every cell; the cells that were not covered elsewhere are here.
 */
import { randomUUID } from "node:crypto";
import { QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readShare, readSharePage } from "@/server/share/shared-thread";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import type { ChatEvent } from "@/server/chat/continue-thread";
import { callerFor, createTestServices, sessionUser } from "./callers";
import { chainlitGetThread, chainlitListThreads } from "./chainlit-reads";
import { chatGptZip } from "./import-archives";
import { formatTime } from "@/server/export/thread-export";
import { startImport, waitForImport } from "@/server/import/import-jobs";
import { type DynamoDBDataLayer } from "../src/data/layer/data-layer";
import { THREAD_NAME_SHOWN_MAX } from "../src/data/entities/thread-name";
import { runDoctor } from "../src/data/layer/doctor";
import { chainlitClock, tickingClock } from "./clocks";
import {
  chainlitCreateStep,
  chainlitDeleteElement,
  chainlitDeleteStep,
  chainlitDeleteThread,
  chainlitThread,
  chainlitTurn,
  chainlitUpdateStep,
  chainlitShareThread,
  chainlitUpdateThread,
  chainlitUpsertFeedback,
  countOf,
  testTable,
  uid,
  type TestTable,
} from "./data-fixtures";

let table: TestTable;
let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  [table, services] = await Promise.all([testTable(), createTestServices()]);
});
afterAll(() => services.close());

const chainlitNow = chainlitClock();

/** A Chainlit session on the thread: update_thread at its start (first message) and its end (the disconnect's save). */
async function chainlitSession(threadId: string, userId: string, writes: () => Promise<void>, now = chainlitNow) {
  await chainlitUpdateThread(table, threadId, { at: now(), userId });
  await writes();
  await chainlitUpdateThread(table, threadId, { at: now(), userId });
}

/** A thread written by Chainlit alone: chainlitThread (a rated run, a question, a file) plus one on_message turn. */
async function chainlitWrote(userId: string, name: string, question: string, answer: string) {
  const threadId = uid("t-");
  const thread = chainlitThread(userId, threadId, { at: chainlitNow(), name });
  const turn = chainlitTurn(userId, threadId, { question, answer });
  for (const item of [...thread.items, ...turn.steps]) await table.putRaw(item);
  return { threadId, ...thread, turn };
}

const found = async (layer: DynamoDBDataLayer, userId: string, query: string) => (await layer.searchThreads({ userId, query, first: 20 })).data.map((hit) => hit.id);
const listed = async (layer: DynamoDBDataLayer, userId: string, feedback?: 0 | 1) =>
  (await layer.listThreads({ first: 20 }, { userId, feedback })).data.map((row) => [row.id, row.name]);

describe("a Chainlit session edits, deletes and renames: the sidebar, search and the 👍/👎 filter follow", () => {
  it("create_step over a rated step, update_step, delete_step, delete_element and a rename by update_thread: the new words are found, the old ones not, no 👍 is listed that no step holds, and nothing removed stays indexed", async () => {
    const layer = table.layer({ clock: tickingClock() });
    const userId = uid("u-");
    const t = await chainlitWrote(userId, "Cluster setup", "How do I configure the Kubernetes ingress?", "Create an Ingress resource with TLS.");
    const other = await chainlitWrote(userId, "Other", "unrelated question", "unrelated answer");
    // Everything Chainlit wrote is seen: the rated run in the filter, the answer, the file's name and the thread's name.
    expect(await listed(layer, userId, 1)).toEqual([
      [other.threadId, "Other"],
      [t.threadId, "Cluster setup"],
    ]);
    for (const word of ["resource", "cluster"]) expect(await found(layer, userId, word), word).toEqual([t.threadId]);
    expect(await found(layer, userId, "report")).toEqual([other.threadId, t.threadId]); // both have Chainlit's report.pdf

    // 👍 given here on the turn's run: a marker of Threadbook's, and the run's item holds the feedback.
    await layer.upsertFeedback({ threadId: t.threadId, forId: t.turn.runId, value: 1 }, { threadUserId: userId });
    expect(await listed(layer, userId, 1)).toEqual([
      [other.threadId, "Other"],
      [t.threadId, "Cluster setup"],
    ]);

    // A later session: the run sent again (create_step, a PutItem: the 👍 in its item is gone), the answer rewritten
    // (update_step), the rated run of the first turn and the file deleted, the thread renamed (Chainlit's rename
    // route is an update_thread with the name, which moves the thread too).
    await chainlitSession(t.threadId, userId, async () => {
      await chainlitCreateStep(table, t.turn.steps[1]!);
      await chainlitUpdateStep(table, t.threadId, t.turn.replyId, { output: { S: "Use an HTTPRoute of the Gateway API." } });
      await chainlitDeleteStep(table, t.threadId, t.stepB);
      await chainlitDeleteElement(table, t.threadId, t.elementId);
    });
    await chainlitUpdateThread(table, t.threadId, { at: chainlitNow(), name: "Gateway setup", userId });

    // The sidebar: the new name, moved to the top as Chainlit's update_thread moves it.
    expect(await listed(layer, userId)).toEqual([
      [t.threadId, "Gateway setup"],
      [other.threadId, "Other"],
    ]);
    // The search box takes focus (the catch-up), then the words are typed.
    await layer.prepareSearch(userId);
    expect(await found(layer, userId, "httproute")).toEqual([t.threadId]);
    for (const word of ["resource", "cluster"]) expect(await found(layer, userId, word), word).toEqual([]);
    expect(await found(layer, userId, "report")).toEqual([other.threadId]);
    expect(await found(layer, userId, "gateway")).toEqual([t.threadId]);
    expect(await listed(layer, userId, 1)).toEqual([[other.threadId, "Other"]]);
    // Nothing of what Chainlit removed is left in the index: no posting of its words, no doc, no marker.
    const postings = (await table.postingsOf(userId)).filter((sk) => sk.includes(`#${t.threadId}#`));
    for (const word of ["resource#", "report#", "cluster#", "pdf#"]) expect(postings.filter((sk) => sk.startsWith(word)), word).toEqual([]);
    const sks = await table.partitionSks(t.threadId);
    expect(sks.filter((sk) => !sk.startsWith("STEP#"))).toEqual(["SEARCH#name", ...[t.stepA, t.turn.messageId, t.turn.replyId].map((id) => `SEARCH#step.${id}`).sort(), "THREAD"]);
  });
});

/** Services over this file's table (so Chainlit's writes land where Threadbook reads) and the s3rver bucket. */
const local = () => ({ ...services, data: table.layer({ storageProvider: services.storage }) });

async function drain(events: AsyncIterable<ChatEvent>) {
  for await (const event of events) if (event.type === "error") throw new Error(event.message);
}

/**
 * A Chainlit thread with its file in storage (Chainlit's key, `{identifier}/{threadId}/{elementId}`), which the owner
 * then uses in Threadbook: searched (its index caught up), continued (a turn of Threadbook's), rated 👎 here, shared
 * with an expiry, and downloaded by a share viewer (a share copy under `threadbook-shared/`). Every kind of item
 * Threadbook adds to a thread is then in the table.
 */
async function chainlitThreadUsedInThreadbook(app: ReturnType<typeof local>) {
  // No "@": s3rver does not decode one in a copy's source (share.test.ts).
  const owner = sessionUser(`owner.${randomUUID()}`);
  const t = await chainlitWrote(owner.id, "Chainlit thread", "How do I rotate the signing keys?", "Rotate the signing keys every 90 days.");
  await app.storage.uploadFile({ objectKey: t.objectKey, data: "%PDF-1.4 the report", mime: "application/octet-stream" });
  const asOwner = callerFor(app, owner);
  expect((await asOwner.search.query({ query: "signing", first: 20 })).data.map((hit) => hit.id)).toEqual([t.threadId]);
  const messageId = randomUUID();
  await drain(await asOwner.chat.send({ threadId: t.threadId, messageId, content: "And the walrus keys?" }));
  const run = (await app.data.getThread(t.threadId))!.steps.find((s) => s.type === "run" && s.parentId === messageId)!;
  await asOwner.feedback.upsert({ threadId: t.threadId, forId: run.id, value: 0 });
  await asOwner.share.create({ threadId: t.threadId, access: "public", expiry: "7d" });
  await asOwner.threads.pin({ threadId: t.threadId });
  const viewer = createCaller(createInnerContext({ user: null, services: app, clientAddress: "198.51.100.30" }));
  await viewer.share.elementUrl({ threadId: t.threadId, elementId: t.elementId });
  const copyKey = (await table.plain(`THREAD#${t.threadId}`, `ELEMENT#${t.elementId}`))?.shareCopyKey as string;
  expect(copyKey).toMatch(/^threadbook-shared\//);
  const sks = await table.partitionSks(t.threadId);
  for (const sk of ["FEEDBACK#0", "FEEDBACK#1", "SHARE", "SHARE_EXPIRY", "SEARCH#name", `SEARCH#step.${messageId}`]) expect(sks).toContain(sk);
  expect((await table.postingsOf(owner.id)).filter((sk) => sk.includes(`#${t.threadId}#`)).length).toBeGreaterThan(0);
  return { ...t, owner, asOwner, viewer, copyKey, messageId, runId: run.id };
}

describe("Chainlit's delete_thread of a thread Threadbook added to", () => {
  it("leaves Threadbook's items behind; none of them shows anywhere, and the reads that meet them remove them all, postings included", async () => {
    const app = local();
    const t = await chainlitThreadUsedInThreadbook(app);
    // A tab open on the thread holds its pass (a 👍/👎 click then skips the owner's read).
    const { pass } = await t.asOwner.threads.get({ threadId: t.threadId });
    // Pinned here, renamed by Chainlit: the Pinned section shows Chainlit's name.
    await chainlitUpdateThread(table, t.threadId, { at: chainlitNow(), name: "Renamed in Chainlit", userId: t.owner.id });
    expect((await t.asOwner.threads.pinned()).map((row) => [row.id, row.name])).toEqual([[t.threadId, "Renamed in Chainlit"]]);
    await chainlitDeleteThread(table, t.threadId);
    // What Chainlit's delete left: only Threadbook's own items (markers, search docs, share settings and expiry marker).
    expect((await table.partitionSks(t.threadId)).every((sk) => !sk.startsWith("STEP#") && !sk.startsWith("ELEMENT#") && sk !== "THREAD")).toBe(true);

    const { asOwner, viewer } = t;
    expect((await asOwner.threads.list({ first: 20 })).data).toEqual([]);
    for (const feedback of [0, 1] as const) expect((await asOwner.threads.list({ first: 20, feedback })).data).toEqual([]);
    for (const query of ["signing", "walrus", "report"]) expect((await asOwner.search.query({ query, first: 20 })).data, query).toEqual([]);
    expect((await asOwner.share.list({})).rows).toEqual([]);
    // Its pin (in the owner's partition, which Chainlit's delete never reads) is not listed, and that listing removed it.
    expect(await asOwner.threads.pinned()).toEqual([]);
    expect((await table.plain(`USER#${t.owner.id}`, "PINS"))?.pins).toEqual({});
    expect(await readShare(app, t.threadId, null)).toEqual({ kind: "missing" });
    await expect(viewer.share.elementUrl({ threadId: t.threadId, elementId: t.elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOwner.threads.get({ threadId: t.threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOwner.share.state({ threadId: t.threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A tab still open on the thread: its next message, 👍 and rename are refused and bring nothing back.
    await expect(asOwner.chat.send({ threadId: t.threadId, messageId: randomUUID(), content: "still there?" }).then(drain)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOwner.feedback.upsert({ threadId: t.threadId, pass, forId: t.runId, value: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOwner.threads.rename({ threadId: t.threadId, name: "back?" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    // Those reads met the leftovers and removed them: the partition is empty, and no posting leads to the thread.
    expect(await table.partitionSks(t.threadId)).toEqual([]);
    expect((await table.postingsOf(t.owner.id)).filter((sk) => sk.includes(`#${t.threadId}#`))).toEqual([]);
  });
});

describe("Threadbook's delete of a Chainlit thread", () => {
  it("removes every item of the partition, every posting, both files (Chainlit's original and the share copy), and Chainlit reads nothing of it", async () => {
    const app = local();
    const t = await chainlitThreadUsedInThreadbook(app);
    // An item of Chainlit's that Threadbook never reads whole: a phantom step from upsert_feedback on a made-up id.
    await chainlitUpdateStep(table, t.threadId, "phantom", { feedback: { M: { value: { N: "1" } } } });
    expect(await app.storage.size(t.objectKey)).toBeGreaterThan(0);

    await t.asOwner.threads.delete({ threadId: t.threadId });
    expect(await table.partitionSks(t.threadId)).toEqual([]);
    // Its pin went with it, from the owner's partition.
    expect((await table.plain(`USER#${t.owner.id}`, "PINS"))?.pins).toEqual({});
    expect((await table.postingsOf(t.owner.id)).filter((sk) => sk.includes(`#${t.threadId}#`))).toEqual([]);
    await expect(app.storage.size(t.objectKey)).rejects.toMatchObject({ code: "not_found" });
    await expect(app.storage.size(t.copyKey)).rejects.toMatchObject({ code: "not_found" });
    // The share's entry in the expiry index is gone with its marker: the sweep has nothing of it to read.
    const expiring = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: "UserThread",
        KeyConditionExpression: "UserThreadPK = :pk",
        ExpressionAttributeValues: { ":pk": { S: "SHARES#EXPIRING" } },
      }),
    );
    expect((expiring.Items ?? []).filter((item) => item.UserThreadSK?.S?.endsWith(`#${t.threadId}`))).toEqual([]);
    expect((await t.asOwner.threads.list({ first: 20 })).data).toEqual([]);
    expect(await readShare(app, t.threadId, null)).toEqual({ kind: "missing" });
    expect(await chainlitGetThread(table, t.threadId)).toBeNull();
    expect(await chainlitListThreads(table, t.owner.id)).toEqual([]);
  });
});

/** The ChatGPT export of import-archives.ts imported by `user`, run to its end: the job as the page reads it. */
async function importChatGptZip(app: ReturnType<typeof local>, user: ReturnType<typeof sessionUser>) {
  const data = await chatGptZip();
  const started = await startImport(app, user, { fileName: "export.zip", contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
  if (started.status !== 202) throw new Error(started.error);
  await waitForImport(started.job.jobId);
  return callerFor(app, user).imports.get({ jobId: started.job.jobId });
}

describe("an imported conversation Chainlit deleted, imported again", () => {
  it("comes back as the file has it: listed, found, with its file; neither a 👎 nor the words of a turn from before the delete come back with it", async () => {
    const app = local();
    const user = sessionUser();
    const asUser = callerFor(app, user);
    const importZip = () => importChatGptZip(app, user);
    expect(await importZip()).toMatchObject({ status: "done", imported: 2 });
    const kyoto = (await asUser.threads.list({ first: 10 })).data.find((t) => t.name === "Trip to Kyoto")!;
    // Rated 👎 here (the export has no ratings), then deleted in the Chainlit app.
    const answer = (await app.data.getThread(kyoto.id))!.steps.find((s) => s.type === "assistant_message")!;
    await asUser.feedback.upsert({ threadId: kyoto.id, forId: answer.id, value: 0 });
    expect((await asUser.threads.list({ first: 10, feedback: 0 })).data.map((t) => t.id)).toEqual([kyoto.id]);
    // And continued here with a turn of its own.
    await drain(await asUser.chat.send({ threadId: kyoto.id, messageId: randomUUID(), content: "Any walrus sightings?" }));
    expect((await asUser.search.query({ query: "walrus", first: 20 })).data.map((hit) => hit.id)).toEqual([kyoto.id]);
    await chainlitDeleteThread(table, kyoto.id);

    // The same export imported again restores the conversation under the same id, as the file has it: unrated.
    expect(await importZip()).toMatchObject({ status: "done", imported: 1, existing: 1 });
    expect((await asUser.threads.list({ first: 10 })).data.map((t) => t.name)).toEqual(["Haiku about rain", "Trip to Kyoto"]);
    expect((await asUser.search.query({ query: "arashiyama", first: 20 })).data.map((hit) => hit.id)).toEqual([kyoto.id]);
    expect((await asUser.search.query({ query: "walrus", first: 20 })).data).toEqual([]);
    const restored = (await app.data.getThread(kyoto.id))!;
    expect(restored.steps.filter((s) => s.feedback)).toEqual([]);
    expect(restored.elements).toHaveLength(1);
    for (const feedback of [0, 1] as const) expect((await asUser.threads.list({ first: 10, feedback })).data, `feedback ${feedback}`).toEqual([]);
  });
});

describe("an imported conversation whose THREAD item a lingering Chainlit session wrote back with no user", () => {
  it("is imported again as the file has it (the user-less item and the session's steps were this import's leftovers); one naming another user stays taken", async () => {
    const app = local();
    const user = sessionUser();
    const asUser = callerFor(app, user);
    expect(await importChatGptZip(app, user)).toMatchObject({ status: "done", imported: 2 });
    const kyoto = (await asUser.threads.list({ first: 10 })).data.find((t) => t.name === "Trip to Kyoto")!;
    const before = (await app.data.getThread(kyoto.id))!.steps.map((step) => step.id).sort();
    await chainlitDeleteThread(table, kyoto.id);
    // The session open on it writes its turn and, at its disconnect, the metadata it resumed with, with no user.
    for (const step of chainlitTurn(user.id, kyoto.id, { question: "Is the zeppelin still there?" }).steps) await chainlitCreateStep(table, step);
    await chainlitUpdateThread(table, kyoto.id, { at: chainlitNow(), metadata: { chat_profile: { S: "default" } } });
    expect((await table.plain(`THREAD#${kyoto.id}`, "THREAD"))?.userId).toBeUndefined();

    expect(await importChatGptZip(app, user)).toMatchObject({ status: "done", imported: 1, existing: 1 });
    expect((await asUser.threads.list({ first: 10 })).data.map((t) => t.name)).toEqual(["Haiku about rain", "Trip to Kyoto"]);
    const restored = (await app.data.getThread(kyoto.id))!;
    expect(restored.userId).toBe(user.id);
    expect(restored.steps.map((step) => step.id).sort()).toEqual(before);

    // The same id with a THREAD item naming someone else: never written into.
    const haiku = (await asUser.threads.list({ first: 10 })).data.find((t) => t.name === "Haiku about rain")!;
    await chainlitUpdateThread(table, haiku.id, { at: chainlitNow(), userId: "someone-else" });
    expect(await importChatGptZip(app, user)).toMatchObject({ status: "done", imported: 0 });
    expect((await table.plain(`THREAD#${haiku.id}`, "THREAD"))?.userId).toBe("someone-else");
  });
});

describe("a thread Chainlit named after its whole first message, or left without a name", () => {
  it("shows one short line everywhere (list, search, pins, header, share page, Shared links, export, a copy), with no name as null, and the list carries no kilobytes per row", async () => {
    const app = local();
    const owner = sessionUser(`owner.${randomUUID()}`);
    // update_thread(name=the first message's content): Chainlit bounds nothing, so a pasted file with its Markdown
    // names a thread. The emoji straddles the cut: no name shown ends in half of it.
    const first = `# Review\n\nPlease   review this **code**:\n\n\`\`\`ts\n${"const x = 1;\n".repeat(2_000)}\`\`\``;
    const named = await chainlitWrote(owner.id, first, first, "Looks fine.");
    const emoji = `${"y".repeat(THREAD_NAME_SHOWN_MAX - 2)}🦭${"z".repeat(20_000)}`;
    const walrus = await chainlitWrote(owner.id, emoji, "Walrus?", "Walrus.");
    // A first message that was only a file: the THREAD item without a name, or with an empty one (#2623).
    const unnamed = await chainlitWrote(owner.id, "", "", "A file.");
    await table.putRaw({ ...chainlitThread(owner.id, unnamed.threadId, { at: chainlitNow(), name: null }).thread });
    const blank = await chainlitWrote(owner.id, " \n\t ", "", "Another file.");
    const asOwner = callerFor(app, owner);
    for (const t of [named, walrus, blank]) await chainlitShareThread(table, t.threadId, { isShared: true, at: chainlitNow() });
    for (const t of [named, walrus]) await asOwner.threads.pin({ threadId: t.threadId });

    // Headings and fences go, whitespace collapses, the cut (199 + "…") falls where a word ends.
    const expected = new Map<string, string | null>([
      [named.threadId, `Review Please review this **code**: ${"const x = 1; ".repeat(12)}const x…`],
      [walrus.threadId, `${"y".repeat(THREAD_NAME_SHOWN_MAX - 2)}…`],
      [unnamed.threadId, null],
      [blank.threadId, null],
    ]);
    const list = await asOwner.threads.list({ first: 35 });
    expect(new Map(list.data.map((row) => [row.id, row.name]))).toEqual(expected);
    expect(Buffer.byteLength(JSON.stringify(list))).toBeLessThan(4 * 1_024);
    expect(new Map((await asOwner.threads.pinned()).map((row) => [row.id, row.name]))).toEqual(new Map([...expected].filter(([id]) => id === named.threadId || id === walrus.threadId)));
    await app.data.prepareSearch(owner.id);
    expect((await asOwner.search.query({ query: "review", first: 20 })).data.map((hit) => [hit.id, hit.name])).toEqual([[named.threadId, expected.get(named.threadId)]]);
    await asOwner.share.list({}); // files Chainlit's shares (share-catch-up.ts)
    expect(new Map((await asOwner.share.list({})).rows.map((row) => [row.threadId, row.name]))).toEqual(new Map([...expected].filter(([id]) => id !== unnamed.threadId)));
    for (const [threadId, name] of expected) {
      expect((await asOwner.threads.get({ threadId })).name, threadId).toBe(name);
      const shared = await readSharePage(app, threadId, null);
      if (shared.kind === "shared") expect(shared.thread.name, threadId).toBe(name);
      const markdown = await asOwner.threads.export({ threadId, format: "markdown" });
      expect(markdown.content.split("\n")[0]).toBe(`# ${name ?? "Untitled thread"}`);
      expect(markdown.fileName).toMatch(name ? /^[a-z0-9-]{1,80}\.md$/ : /^thread-[\w-]{1,8}\.md$/);
    }
    // The JSON export keeps the name as stored: it is data, and a re-import names the thread from it.
    expect(JSON.parse((await asOwner.threads.export({ threadId: named.threadId, format: "json" })).content).thread.name).toBe(first);

    // Continue in my history: the copy is named as the thread was shown.
    const viewer = sessionUser();
    for (const [threadId, name] of [...expected].filter(([id]) => id !== unnamed.threadId)) {
      const { id } = await callerFor(app, viewer).share.continue({ threadId });
      const copy = await callerFor(app, viewer).threads.get({ threadId: id });
      expect(copy.name, threadId).toBe(name);
      expect((await table.plain(`THREAD#${id}`, "THREAD"))?.name ?? null).toBe(name);
    }
  });
});

/** A new chat of a new user in Threadbook, over this file's table. */
async function startedHere() {
  const app = local();
  const user = sessionUser();
  const asUser = callerFor(app, user);
  const { id: threadId } = await asUser.threads.create();
  return { app, user, asUser, threadId };
}

describe("a thread started here and continued in Chainlit", () => {
  it("opens, exports and lists under 👍 with Chainlit's later activity as its last, the time the sidebar shows", async () => {
    const { app, user, asUser, threadId } = await startedHere();
    const messageId = randomUUID();
    await drain(await asUser.chat.send({ threadId, messageId, content: "started in Threadbook" }));
    const run = (await app.data.getThread(threadId))!.steps.find((s) => s.type === "run" && s.parentId === messageId)!;
    await asUser.feedback.upsert({ threadId, forId: run.id, value: 1 });
    // Resumed in Chainlit an hour later: a turn, and the disconnect's update_thread (a resume makes no other bump).
    const later = chainlitClock(Date.now() + 3_600_000);
    const at = later();
    for (const item of chainlitTurn(user.id, threadId, { question: "continued in Chainlit", askedAt: at, ranAt: at, repliedAt: at, endedAt: at }).steps) await table.putRaw(item);
    await chainlitUpdateThread(table, threadId, { at: later() });

    const [row] = (await asUser.threads.list({ first: 5 })).data;
    const [rated] = (await asUser.threads.list({ first: 5, feedback: 1 })).data;
    const opened = await asUser.threads.get({ threadId });
    expect(row!.updatedAt).toBe(opened.updatedAt);
    expect(rated!.updatedAt).toBe(opened.updatedAt); // the 👍 filter's row too
    expect(opened.steps.map((s) => s.output)).toContain("continued in Chainlit");
    const exported = await asUser.threads.export({ threadId, format: "markdown" });
    expect(exported.content).toContain(`Last activity ${opened.updatedAt.slice(0, 10)}`);
  });
});

describe("Chainlit's update_thread rewrites createdAt (its \"now\", at every session's start and end and every rename)", () => {
  it("a thread keeps the time it began: threads.get, the share page and both exports; its place in the list is its activity", async () => {
    const { app, user, asUser, threadId } = await startedHere();
    await drain(await asUser.chat.send({ threadId, messageId: randomUUID(), content: "started in Threadbook" }));
    // Made by threads.create a moment before: after Chainlit's rewrite, the first message is what says when it began.
    const before = await asUser.threads.get({ threadId });
    const began = before.steps.find((step) => step.type === "user_message")!.createdAt!;
    expect(before.createdAt <= began).toBe(true);
    // Resumed in Chainlit a day later: the session's bumps, a turn, then a rename (all update_thread).
    const later = chainlitClock(Date.now() + 86_400_000);
    await chainlitSession(threadId, user.id, async () => {
      const at = later();
      for (const item of chainlitTurn(user.id, threadId, { question: "continued in Chainlit", askedAt: at, ranAt: at, repliedAt: at, endedAt: at }).steps) await table.putRaw(item);
    }, later);
    await chainlitUpdateThread(table, threadId, { at: later(), name: "Renamed in Chainlit", userId: user.id });
    const stored = String((await table.plain(`THREAD#${threadId}`, "THREAD"))?.createdAt);
    expect(stored > began).toBe(true); // what Chainlit left in the item

    const opened = await asUser.threads.get({ threadId });
    expect(opened.createdAt).toBe(began);
    expect(opened.updatedAt > began).toBe(true);
    expect((await asUser.threads.list({ first: 5 })).data.map((row) => [row.id, row.updatedAt])).toEqual([[threadId, opened.updatedAt]]);
    const markdown = (await asUser.threads.export({ threadId, format: "markdown" })).content;
    expect(markdown).toContain(`Created ${formatTime(began)} · Last activity ${formatTime(opened.updatedAt)}`);
    expect(JSON.parse((await asUser.threads.export({ threadId, format: "json" })).content).thread.createdAt).toBe(began);
    await asUser.share.create({ threadId, access: "public", expiry: "never" });
    const shared = await readSharePage(app, threadId, null);
    expect(shared.kind === "shared" && shared.thread.createdAt).toBe(began);

    // A thread only Chainlit wrote: it began with its first step, not at its latest update_thread.
    const t = await chainlitWrote(user.id, "Chainlit only", "When did this begin?", "At its first message.");
    await chainlitUpdateThread(table, t.threadId, { at: later(), userId: user.id });
    expect((await asUser.threads.get({ threadId: t.threadId })).createdAt).toBe("2025-03-04T10:11:12.000001Z");
  });
});

describe("Chainlit steps with the same createdAt (its clock, a run's quick tool calls)", () => {
  it("keep their order in a Continue in my history copy, whose steps have new ids", async () => {
    const app = local();
    const owner = sessionUser();
    const t = await chainlitWrote(owner.id, "Ties", "Which tools ran?", "Eight of them.");
    // create_step of eight tool steps under the turn's run, stamped in the same microsecond: read in id order.
    const at = "2025-03-04T10:11:12.500000Z";
    for (let i = 0; i < 8; i++) {
      const id = uid("tool-");
      await chainlitCreateStep(table, {
        PK: { S: `THREAD#${t.threadId}` }, SK: { S: `STEP#${id}` }, id: { S: id }, threadId: { S: t.threadId }, parentId: { S: t.turn.runId },
        name: { S: `tool ${i}` }, type: { S: "tool" }, input: { S: "" }, output: { S: `tool output ${i}` }, createdAt: { S: at }, start: { S: at }, end: { S: at },
      });
    }
    const asOwner = callerFor(app, owner);
    const order = (steps: Array<{ output?: string | null }>) => steps.map((step) => step.output);
    const seen = order((await asOwner.threads.get({ threadId: t.threadId })).steps);
    expect(seen.filter((output) => output?.startsWith("tool output"))).toHaveLength(8);
    await asOwner.share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    const viewer = sessionUser();
    for (let copies = 0; copies < 2; copies++) {
      const { id } = await callerFor(app, viewer).share.continue({ threadId: t.threadId });
      expect(order((await callerFor(app, viewer).threads.get({ threadId: id })).steps)).toEqual(seen);
    }
  });
});

/**
 * A Chainlit session resumed on a thread before it was deleted (in Chainlit, or here) outlives the delete: its steps
 * land in the partition again and its disconnect saves the metadata it resumed with (`update_thread` with no user id,
 * docs/chainlit.md): a THREAD item without `userId`, the share's flag on under the old `shared_at`.
 */
async function lingeringSessionWritesBack(t: Awaited<ReturnType<typeof chainlitThreadUsedInThreadbook>>, heldMetadata: Record<string, AttributeValue>) {
  const turn = chainlitTurn(t.owner.id, t.threadId, { question: "Is the zeppelin still there?", answer: "The zeppelin answer." });
  for (const step of turn.steps) await chainlitCreateStep(table, step);
  await chainlitUpsertFeedback(table, { threadId: t.threadId, forId: turn.runId, value: 1, comment: "zeppelin" });
  await chainlitUpdateThread(table, t.threadId, { at: chainlitNow(), metadata: heldMetadata });
  const thread = await table.plain(`THREAD#${t.threadId}`, "THREAD");
  expect(thread?.userId).toBeUndefined();
  expect(thread?.metadata).toMatchObject({ is_shared: true });
  return turn;
}

/** Threadbook's own items in the partition (everything but Chainlit's THREAD, STEP# and ELEMENT# items). */
const threadbookSks = async (threadId: string) => (await table.partitionSks(threadId)).filter((sk) => sk !== "THREAD" && !sk.startsWith("STEP#") && !sk.startsWith("ELEMENT#"));

describe("a Chainlit session left open on a thread deleted under it writes a THREAD item back with no user", () => {
  it("the old share link stays refused (and Chainlit's flag is ended), nothing of the session shows in search or under 👍/👎, and the reads that meet Threadbook's items beside it remove them", async () => {
    const app = local();
    const t = await chainlitThreadUsedInThreadbook(app);
    const held = (await table.raw(`THREAD#${t.threadId}`, "THREAD"))!.metadata!.M!;
    await chainlitDeleteThread(table, t.threadId);
    const turn = await lingeringSessionWritesBack(t, held);

    const { asOwner, viewer } = t;
    expect(await readShare(app, t.threadId, null)).toEqual({ kind: "missing" });
    await expect(viewer.share.elementUrl({ threadId: t.threadId, elementId: t.elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(app, sessionUser()).share.continue({ threadId: t.threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Chainlit's own share route serves whatever has the flag: the share its owner made here is ended for it too.
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata).toMatchObject({ is_shared: false });
    for (const query of ["signing", "walrus", "zeppelin"]) expect((await asOwner.search.query({ query, first: 20 })).data, query).toEqual([]);
    for (const feedback of [0, 1] as const) expect((await asOwner.threads.list({ first: 20, feedback })).data, `feedback ${feedback}`).toEqual([]);
    expect((await asOwner.share.list({})).rows).toEqual([]);
    expect((await asOwner.threads.list({ first: 20 })).data).toEqual([]);

    // Those reads removed Threadbook's items: what is left is Chainlit's (the session's steps and the THREAD item).
    expect(await threadbookSks(t.threadId)).toEqual([]);
    expect((await table.postingsOf(t.owner.id)).filter((sk) => sk.includes(`#${t.threadId}#`))).toEqual([]);
    expect((await table.partitionSks(t.threadId)).filter((sk) => sk.startsWith("STEP#")).sort()).toEqual(turn.steps.map((s) => s.SK!.S!).sort());
    // A second session saving the same metadata back later: still the one 404.
    await chainlitUpdateThread(table, t.threadId, { at: chainlitNow(), metadata: held });
    expect(await readShare(app, t.threadId, null)).toEqual({ kind: "missing" });
  });

  it("the doctor removes Threadbook's items beside a THREAD item with no user; the share expiry sweep ends the share and removes them too", async () => {
    const app = local();
    const abandon = async () => {
      const t = await chainlitThreadUsedInThreadbook(app);
      const held = (await table.raw(`THREAD#${t.threadId}`, "THREAD"))!.metadata!.M!;
      await chainlitDeleteThread(table, t.threadId);
      await lingeringSessionWritesBack(t, held);
      return t;
    };
    const left = await abandon();
    expect(await threadbookSks(left.threadId)).toEqual(expect.arrayContaining(["FEEDBACK#0", "FEEDBACK#1", "SHARE", "SHARE_EXPIRY", "SEARCH#name"]));
    const report = await runDoctor(table.layer(), { fix: true });
    expect(report.findings.filter((f) => f.id === left.threadId)).toEqual([expect.objectContaining({ kind: "leftovers", fixed: true })]);
    expect(await threadbookSks(left.threadId)).toEqual([]);
    expect((await table.postingsOf(left.owner.id)).filter((sk) => sk.includes(`#${left.threadId}#`))).toEqual([]);
    expect(await table.plain(`THREAD#${left.threadId}`, "THREAD")).toBeDefined(); // Chainlit's item is Chainlit's
    expect((await runDoctor(table.layer())).findings.filter((f) => f.id === left.threadId)).toEqual([]);

    // The sweep, a week and a minute on, meets the expiry marker of the share made here.
    const swept = await abandon();
    const later = table.layer({ clock: () => new Date(Date.now() + 7 * 86_400_000 + 60_000) });
    await later.endExpiredShares(100);
    expect((await table.plain(`THREAD#${swept.threadId}`, "THREAD"))?.metadata).toMatchObject({ is_shared: false });
    expect(await threadbookSks(swept.threadId)).toEqual(expect.not.arrayContaining(["SHARE", "SHARE_EXPIRY", "FEEDBACK#0", "FEEDBACK#1"]));
    expect((await threadbookSks(swept.threadId)).filter((sk) => !sk.startsWith("SEARCH#"))).toEqual([]);
  });
});

describe("a message or file Chainlit deleted mid-session (delete_step, delete_element), before the session's closing bump", () => {
  it("is not found by search from the moment it is gone, a search whose hits all exist costs what it did, and the stale doc and postings go once the thread is quiet", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    const t = await chainlitWrote(userId, "Kayak trip", "Which paddle for the kayak?", "A feathered paddle, 220 cm, for the kayak.");
    await layer.prepareSearch(userId);
    expect(await found(layer, userId, "feathered")).toEqual([t.threadId]);
    // Both the question and the answer hold "kayak"; the hit opens at the answer (the first step source by id).
    const common = await countOf(table, () => layer.searchThreads({ userId, query: "kayak", first: 20 }));
    expect(common.result.data.map((hit) => [hit.id, hit.stepId])).toEqual([[t.threadId, t.turn.replyId]]);

    // A session on the thread deletes the answer and the file; its update_thread at the end has not come yet.
    await chainlitDeleteStep(table, t.threadId, t.turn.replyId);
    await chainlitDeleteElement(table, t.threadId, t.elementId);
    expect(await found(layer, userId, "feathered")).toEqual([]);
    expect(await found(layer, userId, "report")).toEqual([]); // the file's name
    // Still found by the question, opening at the question.
    const after = await layer.searchThreads({ userId, query: "kayak", first: 20 });
    expect(after.data.map((hit) => [hit.id, hit.stepId])).toEqual([[t.threadId, t.turn.messageId]]);
    // The thread's last activity is long past (Chainlit's clock): the stale entries went on the way.
    const sks = await table.partitionSks(t.threadId);
    expect(sks).not.toContain(`SEARCH#step.${t.turn.replyId}`);
    expect(sks).not.toContain(`SEARCH#element.${t.elementId}`);
    expect((await table.postingsOf(userId)).filter((sk) => sk.endsWith(`#${t.threadId}#step.${t.turn.replyId}`) || sk.endsWith(`#${t.threadId}#element.${t.elementId}`))).toEqual([]);
    // A search whose hit exists costs what it did before the delete (the hit's source is read in the same BatchGetItem).
    const again = await countOf(table, () => layer.searchThreads({ userId, query: "paddle", first: 20 }));
    expect(again.result.data.map((hit) => hit.stepId)).toEqual([t.turn.messageId]);
    expect(again.byOperation).toEqual(common.byOperation);
  });

  it("inside a session that just started, the hit is dropped at once and its entry left for the catch-up after the closing bump", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    const t = await chainlitWrote(userId, "Tent", "Which tent for the glacier?", "A geodesic tent.");
    await layer.prepareSearch(userId);
    const now = chainlitClock(Date.now());
    await chainlitSession(t.threadId, userId, async () => {
      await chainlitDeleteStep(table, t.threadId, t.turn.replyId);
      // Searched before the session ends: gone from the answer, its doc kept (a write of Threadbook's in flight puts
      // the doc beside the step, so a doc without its step is only stale once the thread is quiet).
      expect(await found(layer, userId, "geodesic")).toEqual([]);
      expect(await table.partitionSks(t.threadId)).toContain(`SEARCH#step.${t.turn.replyId}`);
    }, now);
    await layer.prepareSearch(userId);
    expect(await found(layer, userId, "geodesic")).toEqual([]);
    expect(await table.partitionSks(t.threadId)).not.toContain(`SEARCH#step.${t.turn.replyId}`);
  });
});

describe("feedback Chainlit stored in a shape Threadbook does not rate", () => {
  it("leaves the step shown, unrated: an older Chainlit's -1, a map with no value, a comment that is not text; a value written as 1.0 with a comment is a 👍 with it", async () => {
    const app = local();
    const owner = sessionUser();
    const t = await chainlitWrote(owner.id, "Ratings", "Which rating?", "This one.");
    // upsert_feedback's map (its UpdateItem SETs whatever map the route was given), in the shapes other versions wrote.
    const feedback = (stepId: string, fields: Record<string, AttributeValue>): AttributeValue => ({
      M: { id: { S: `THREAD#${t.threadId}::STEP#${stepId}` }, forId: { S: stepId }, threadId: { S: t.threadId }, ...fields },
    });
    await chainlitUpdateStep(table, t.threadId, t.turn.runId, { feedback: feedback(t.turn.runId, { value: { N: "-1" }, comment: { NULL: true } }) });
    await chainlitUpdateStep(table, t.threadId, t.turn.messageId, { feedback: feedback(t.turn.messageId, { comment: { S: "no value" } }) });
    await chainlitUpdateStep(table, t.threadId, t.stepA, { feedback: feedback(t.stepA, { value: { N: "0" }, comment: { N: "5" } }) });
    await chainlitUpdateStep(table, t.threadId, t.turn.replyId, { feedback: feedback(t.turn.replyId, { value: { N: "1.0" }, comment: { S: "spot on" } }) });

    const asOwner = callerFor(app, owner);
    const { steps } = await asOwner.threads.get({ threadId: t.threadId });
    const byId = new Map(steps.map((step) => [step.id, step]));
    for (const id of [t.turn.runId, t.turn.messageId, t.stepA]) {
      expect(byId.has(id), id).toBe(true);
      expect(byId.get(id)!.feedback ?? null, id).toBeNull();
    }
    expect(byId.get(t.turn.replyId)?.feedback).toMatchObject({ value: 1, comment: "spot on" });
    const exported = (await asOwner.threads.export({ threadId: t.threadId, format: "markdown" })).content;
    for (const text of ["Which rating?", "This one.", "spot on"]) expect(exported).toContain(text);
    // The same steps reach the share page and a copy.
    await asOwner.share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    const shared = await readShare(app, t.threadId, null);
    expect(shared.kind === "shared" && shared.snapshot.steps.map((step) => step.id).sort()).toEqual([...byId.keys()].sort());
  });
});

describe("Chainlit steps whose parentId names themselves or closes a cycle", () => {
  it("are shown on the share page and kept in a copy as the owner sees them, not dropped with every step below them", async () => {
    const app = local();
    const owner = sessionUser();
    const t = await chainlitWrote(owner.id, "Loops", "Is this a loop?", "It is a loop.");
    // update_step SETs whatever parent_id the step was given: the question under its own answer closes
    // question → run → answer → question, and the first message names itself.
    await chainlitUpdateStep(table, t.threadId, t.turn.messageId, { parentId: { S: t.turn.replyId } });
    await chainlitUpdateStep(table, t.threadId, t.stepA, { parentId: { S: t.stepA } });
    const asOwner = callerFor(app, owner);
    const seen = (await asOwner.threads.get({ threadId: t.threadId })).steps.map((step) => step.id).sort();
    expect(seen).toEqual([t.stepA, t.stepB, ...t.turn.steps.map((step) => step.id!.S!)].sort());

    await asOwner.share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    const shared = await readShare(app, t.threadId, null);
    expect(shared.kind === "shared" && shared.snapshot.steps.map((step) => step.id).sort()).toEqual(seen);
    const viewer = sessionUser();
    const { id } = await callerFor(app, viewer).share.continue({ threadId: t.threadId });
    const copy = await callerFor(app, viewer).threads.get({ threadId: id });
    expect(copy.steps.map((step) => step.output).sort()).toEqual(["hello", "world", "Is this a loop?", "It is a loop.", ""].sort());
  });
});

/**
 * update_thread at the disconnect saves the whole user_session (an app keeping a document in it): as much as the item
 * can hold, found as Chainlit's write would find it, by DynamoDB refusing more.
 */
async function fillThreadItem(threadId: string, userId: string, metadata: Record<string, AttributeValue> = {}) {
  let size = 409_600;
  for (;;) {
    const saved = await chainlitUpdateThread(table, threadId, { at: chainlitNow(), userId, metadata: { ...metadata, document: { S: "x".repeat(size) } } }).then(
      () => true,
      () => false,
    );
    if (saved) return;
    size -= 16;
  }
}

/** Two Chainlit threads of a new user, the first with its THREAD item filled to 400 KB (its metadata beside it). */
async function oneFullOneNot(metadata: Record<string, AttributeValue> = {}) {
  const app = local();
  const owner = sessionUser();
  const full = await chainlitWrote(owner.id, "Big session", "Where is the narwhal?", "The narwhal is north.");
  const other = await chainlitWrote(owner.id, "Small session", "Where is the narwhal pup?", "With its mother.");
  await fillThreadItem(full.threadId, owner.id, metadata);
  return { app, owner, full, other, asOwner: callerFor(app, owner) };
}

describe("a Chainlit session whose saved metadata fills its THREAD item to DynamoDB's 400 KB", () => {
  it("leaves the owner's 👍/👎 filter and search working, that thread included: the catch-up cannot record its index state on the item, and says so in the log only", async () => {
    const { full, other, asOwner } = await oneFullOneNot();
    // Both threads carry Chainlit's 👍 on their first run; the filter, and a search, catch up with both.
    expect((await asOwner.threads.list({ first: 20, feedback: 1 })).data.map((row) => row.id)).toEqual([full.threadId, other.threadId]);
    expect((await asOwner.search.query({ query: "narwhal", first: 20 })).data.map((hit) => hit.id)).toEqual([full.threadId, other.threadId]);
    expect((await asOwner.search.query({ query: "mother", first: 20 })).data.map((hit) => hit.id)).toEqual([other.threadId]);
    // Again, with nothing recorded on the full item: the same answers.
    expect((await asOwner.threads.list({ first: 20, feedback: 1 })).data.map((row) => row.id)).toEqual([full.threadId, other.threadId]);
    expect((await asOwner.search.query({ query: "north", first: 20 })).data.map((hit) => hit.id)).toEqual([full.threadId]);
    expect((await asOwner.threads.get({ threadId: full.threadId })).steps.map((step) => step.output)).toContain("The narwhal is north.");
  });
});

describe("a THREAD item Chainlit filled to 400 KB, used here", () => {
  it("takes a message, a stop of Chainlit's share and a rename that does not grow it; a longer name or a share is refused as thread-full, with nothing lost", async () => {
    const { full: t, other, asOwner } = await oneFullOneNot({ is_shared: { BOOL: true }, shared_at: { S: chainlitNow() } });

    // A message: stored, answered, and the thread moves to the top (only UserThreadSK fits).
    await drain(await asOwner.chat.send({ threadId: t.threadId, messageId: randomUUID(), content: "And the walrus?" }));
    expect((await asOwner.threads.get({ threadId: t.threadId })).steps.map((step) => step.output)).toContain("And the walrus?");
    expect((await asOwner.threads.list({ first: 5 })).data.map((row) => row.id)).toEqual([t.threadId, other.threadId]);
    // Stopping Chainlit's share: the flag goes off for both apps.
    await asOwner.share.revoke({ threadId: t.threadId });
    expect((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata).toMatchObject({ is_shared: false });
    // A rename to a name no longer than the old one lands; a longer one, or a new share, is refused as what it is.
    await asOwner.threads.rename({ threadId: t.threadId, name: "Full" });
    const refused = { code: "PAYLOAD_TOO_LARGE", cause: { refusal: { code: "thread-full" } } };
    await expect(asOwner.threads.rename({ threadId: t.threadId, name: "A much longer name than it had" })).rejects.toMatchObject(refused);
    await expect(asOwner.share.create({ threadId: t.threadId, access: "public", expiry: "never" })).rejects.toMatchObject(refused);
    expect((await asOwner.threads.get({ threadId: t.threadId })).name).toBe("Full");
    expect(await asOwner.share.state({ threadId: t.threadId })).toMatchObject({ shared: false });
    // Chainlit's session data is as it saved it.
    const metadata = (await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata as Record<string, unknown>;
    expect(metadata.is_shared).toBe(false);
    expect(String(metadata.document).length).toBeGreaterThan(400_000);
  });
});

describe("Chainlit's update_step over a message Threadbook stored in parts (edit_message on a resumed thread)", () => {
  it("shows, exports and indexes the text Chainlit wrote, not the parts of the text it replaced", async () => {
    const { app, user: owner, asUser: asOwner, threadId } = await startedHere();
    // A pasted document: too large for one item, so Threadbook keeps a preview in the step and the rest in PART# items.
    const stepId = uid("s-");
    const pasted = `Please summarise this walrus census. ${"walrus count line. ".repeat(25_000)}`;
    await app.data.createStep({ id: stepId, threadId, type: "user_message", output: pasted, createdAt: new Date().toISOString() }, { owner: owner.id });
    expect((await table.partitionSks(threadId)).some((sk) => sk.startsWith(`PART#${stepId}#output#`))).toBe(true);
    expect((await asOwner.threads.get({ threadId })).steps.find((step) => step.id === stepId)?.output).toBe(pasted);

    // Resumed in Chainlit, the message edited: update_step SETs the new output on the step item, parts untouched.
    const later = chainlitClock(Date.now() + 60_000);
    await chainlitSession(threadId, owner.id, () => chainlitUpdateStep(table, threadId, stepId, { output: { S: "Only the narwhal census, please." } }), later);
    const shown = (await asOwner.threads.get({ threadId })).steps.find((step) => step.id === stepId);
    expect(shown?.output).toBe("Only the narwhal census, please.");
    expect((await asOwner.threads.export({ threadId, format: "markdown" })).content).not.toContain("walrus");
    await app.data.prepareSearch(owner.id);
    expect((await asOwner.search.query({ query: "narwhal", first: 20 })).data.map((hit) => hit.id)).toEqual([threadId]);
    expect((await asOwner.search.query({ query: "walrus", first: 20 })).data).toEqual([]);
  });
});
