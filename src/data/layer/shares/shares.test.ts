/** Share links against real dynalite and s3rver (docs/sharing.md). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shareSnapshot } from "./share-snapshot";
import { freshStorage } from "../../../../test/storage-backends";
import { chainlitDeleteThread, chainlitShareThread, chainlitUpdateThread, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { type DynamoDBDataLayer } from "../data-layer";
import { directSenderOf } from "../../dynamo/dynamo-direct";

let table: TestTable;
let layer: DynamoDBDataLayer;
let storage: Awaited<ReturnType<typeof freshStorage>>;

beforeAll(async () => {
  table = await testTable();
  storage = await freshStorage("s3");
  layer = table.layer({ storageProvider: storage });
});
afterAll(() => storage.close());

const PUBLIC = { access: "public", expiresAt: null } as const;
const past = (ms: number) => new Date(Date.now() - ms).toISOString();

/** A thread of `userId` with a question, a run under it, an answer under the run, and a CSV on the answer. */
async function thread(userId: string) {
  const threadId = uid("t-");
  await layer.createThread(threadId, userId);
  await layer.updateThread(threadId, { name: "Numbers", metadata: { chat_profile: "analyst", chat_settings: { temperature: 0.2 } } });
  const [question, run, answer] = [uid("q-"), uid("r-"), uid("a-")];
  await layer.createStep({ id: question, threadId, type: "user_message", output: "Q3?", createdAt: past(3000) });
  await layer.createStep({ id: run, threadId, type: "run", parentId: question, name: "on_message", createdAt: past(2900) });
  await layer.createStep({ id: answer, threadId, type: "assistant_message", parentId: run, output: "**612k**", createdAt: past(2800) });
  const elementId = uid("e-");
  await layer.createElement({ id: elementId, threadId, type: "file", name: "sales.csv", mime: "text/csv", forId: answer, content: "region,total\nnorth,1\n" });
  await layer.upsertFeedback({ threadId, forId: run, value: 1, comment: "owner's note" });
  return { threadId, question, run, answer, elementId };
}

/** Runs `action` with the THREAD item's UpdateItem failing (a throttled or timed-out write); it must fail. */
async function whileFlagWritesFail(threadId: string, action: () => Promise<unknown>) {
  const stop = directSenderOf(table.client)!.intercept(async ({ operation, input }, next) => {
    const key = (input as { Key?: Record<string, { S?: string }> }).Key;
    if (operation === "UpdateItem" && key?.PK?.S === `THREAD#${threadId}` && key.SK?.S === "THREAD") throw Object.assign(new Error("injected"), { name: "InternalServerError" });
    return next();
  });
  try {
    await expect(action()).rejects.toThrow();
  } finally {
    stop();
  }
}

describe("sharing", () => {
  it("sets Chainlit's flag on the THREAD item (other metadata kept) and writes the settings item in the partition and the share index", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    const settings = await layer.shareThread(threadId, userId, { access: "signed-in", expiresAt: "2030-01-01T00:00:00.000000Z" });
    const item = await table.plain(`THREAD#${threadId}`, "THREAD");
    expect(item?.metadata).toEqual({ chat_profile: "analyst", chat_settings: { temperature: 0.2 }, is_shared: true, shared_at: settings.sharedAt });
    expect(await table.plain(`THREAD#${threadId}`, "SHARE")).toMatchObject({
      threadId,
      userId,
      access: "signed-in",
      expiresAt: "2030-01-01T00:00:00.000000Z",
      sharedAt: settings.sharedAt,
      origin: "threadbook",
      UserThreadPK: `USER#${userId}#SHARE`,
      UserThreadSK: `TS#${settings.sharedAt}`,
    });
    expect(await layer.getShareState(threadId)).toMatchObject({ isShared: true, sharedAt: settings.sharedAt, settings: { access: "signed-in" } });
  });

  it("cuts the snapshot at shared_at; sharing again moves it forward", async () => {
    const userId = uid("u-");
    const { threadId, question, run, answer, elementId } = await thread(userId);
    // The layer's clock, moved by hand: shares and the later step get times in a known order.
    let now = Date.now();
    const clocked = table.layer({ storageProvider: storage, clock: () => new Date(now) });
    const first = await clocked.shareThread(threadId, userId, PUBLIC);
    now += 1000;
    const later = uid("later-");
    await layer.createStep({ id: later, threadId, type: "user_message", output: "and Q4?", createdAt: new Date(now).toISOString() });
    await layer.createElement({ id: uid("e-"), threadId, type: "file", name: "late.txt", forId: later, content: "late" });
    const full = (await layer.getThread(threadId))!;
    const before = shareSnapshot(full, first.sharedAt)!;
    expect(before.steps.map((s) => s.id)).toEqual([question, run, answer]);
    expect(before.elements.map((e) => e.id)).toEqual([elementId]);
    now += 1000;
    const second = await clocked.shareThread(threadId, userId, PUBLIC);
    expect(second.sharedAt > first.sharedAt).toBe(true);
    expect(shareSnapshot((await layer.getThread(threadId))!, second.sharedAt)!.steps.map((s) => s.id)).toEqual([question, run, answer, later]);
  });

  it("leaves out steps without a readable time, and children of steps left out", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    const { sharedAt } = await layer.shareThread(threadId, userId, PUBLIC);
    const full = (await layer.getThread(threadId))!;
    const odd = { ...full.steps[0]!, id: "odd", createdAt: "yesterday" };
    const child = { ...full.steps[0]!, id: "child", parentId: "odd", createdAt: past(60_000) };
    expect(shareSnapshot({ ...full, steps: [...full.steps, odd, child] }, sharedAt)!.steps.map((s) => s.id)).not.toContain("child");
    expect(shareSnapshot(full, "not a time")).toBeNull();
  });

  it("stop sharing clears the flag as Chainlit's unshare does and keeps the settings only as a stop mark", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await layer.shareThread(threadId, userId, PUBLIC);
    expect(await layer.unshareThread(threadId)).toBe(true);
    const metadata = (await table.plain(`THREAD#${threadId}`, "THREAD"))?.metadata as Record<string, unknown>;
    expect(metadata.is_shared).toBe(false);
    expect(metadata).not.toHaveProperty("shared_at");
    expect(metadata.chat_profile).toBe("analyst");
    // Kept for a Chainlit session that saves the flag back on (docs/sharing.md, "Rules"), applying to no share now.
    const mark = await table.plain(`THREAD#${threadId}`, "SHARE");
    expect(mark).toMatchObject({ stopped: true });
    expect(mark).not.toHaveProperty("UserThreadPK");
    expect(await layer.getShareState(threadId)).toMatchObject({ isShared: false, endedByExpiry: false, settings: null });
    expect((await layer.listShares(userId, { first: 10 })).rows).toEqual([]);
  });

  it("a share that fails to set the flag puts back the settings it replaced: a stopped share stays stopped, a live one keeps its own", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    const failedShare = () => whileFlagWritesFail(threadId, () => layer.shareThread(threadId, userId, { access: "signed-in", expiresAt: null }));
    // Stopped, then a share that fails: a Chainlit session saving the stopped share's metadata back revives nothing.
    await layer.shareThread(threadId, userId, PUBLIC);
    const stopped = (await layer.getShareState(threadId))!.sharedAt!;
    await layer.unshareThread(threadId);
    await failedShare();
    await chainlitShareThread(table, threadId, { isShared: true, at: "2031-02-03T04:05:06.123456Z", sharedAt: stopped });
    expect((await layer.getShareState(threadId))!.settings).toMatchObject({ sharedAt: stopped, stopped: true });
    // Live with an expiry, then a share that fails: still that share, with its access and expiry.
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    await layer.shareThread(threadId, userId, { access: "public", expiresAt });
    const live = (await layer.getShareState(threadId))!;
    await failedShare();
    expect((await layer.getShareState(threadId))!.settings).toEqual(live.settings);
    expect((await layer.listShares(userId, { first: 10 })).rows.map((row) => row.settings?.expiresAt)).toEqual([expiresAt]);
  });

  it("a stop whose flag write fails has already stopped the share: refused here, and ended by the next read", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await layer.shareThread(threadId, userId, PUBLIC);
    await whileFlagWritesFail(threadId, () => layer.unshareThread(threadId));
    const state = (await layer.getShareState(threadId))!;
    // Chainlit's flag is still on, but the settings are the stop mark of this very share.
    expect(state).toMatchObject({ isShared: true, settings: { sharedAt: state.sharedAt, stopped: true } });
    expect((await layer.listShares(userId, { first: 10 })).rows).toEqual([]);
    expect(await layer.endShareIfExpired(state)).toBe(true);
    expect((await layer.getShareState(threadId))!.isShared).toBe(false);
  });

  it("a Chainlit update_thread that wipes the flag ends the share in Threadbook too; the list skips it", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await layer.shareThread(threadId, userId, PUBLIC);
    await chainlitUpdateThread(table, threadId, { at: "2031-01-01T00:00:00.000000Z" }); // a rename or disconnect: metadata = {}
    expect(await layer.getShareState(threadId)).toMatchObject({ isShared: false, settings: null });
    expect((await layer.listShares(userId, { first: 10 })).rows).toEqual([]);
  });

  it("a thread Chainlit shared: flag without settings; the catch-up files it under the user's shares; unsharing here clears Chainlit's flag", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await chainlitShareThread(table, threadId, { isShared: true, at: "2031-02-03T04:05:06.123456Z" });
    expect(await layer.getShareState(threadId)).toMatchObject({ isShared: true, sharedAt: "2031-02-03T04:05:06.123456", settings: null });
    expect((await layer.listShares(userId, { first: 10 })).rows).toEqual([]);
    expect(await layer.catchUpShares(userId)).toEqual({ walked: 1, adopted: 1 });
    const [row] = (await layer.listShares(userId, { first: 10 })).rows;
    expect(row).toMatchObject({ threadId, name: "Numbers", settings: { origin: "chainlit", access: null, expiresAt: null, sharedAt: "2031-02-03T04:05:06.123456" } });
    // The watermark moved: a second call walks nothing.
    expect(await layer.catchUpShares(userId)).toEqual({ walked: 0, adopted: 0 });
    await layer.unshareThread(threadId);
    expect(((await table.plain(`THREAD#${threadId}`, "THREAD"))?.metadata as Record<string, unknown>).is_shared).toBe(false);
  });

  it("settings from an earlier share do not apply to a share Chainlit made again since", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await layer.shareThread(threadId, userId, { access: "signed-in", expiresAt: past(1000) });
    await chainlitShareThread(table, threadId, { isShared: true, at: "2031-02-03T04:05:06.123456Z" });
    expect(await layer.getShareState(threadId)).toMatchObject({ isShared: true, settings: null });
  });

  it("changes access and expiry without moving the snapshot; not_found when not shared", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await expect(layer.changeShare(threadId, userId, PUBLIC)).rejects.toMatchObject({ code: "not_found" });
    const { sharedAt } = await layer.shareThread(threadId, userId, PUBLIC);
    const changed = await layer.changeShare(threadId, userId, { access: "signed-in", expiresAt: "2030-01-01T00:00:00Z" });
    expect(changed).toMatchObject({ sharedAt, access: "signed-in", expiresAt: "2030-01-01T00:00:00Z" });
  });

  it("lists the user's shares newest first, paged by a signed cursor bound to the user, in 2 requests per page", async () => {
    const userId = uid("u-");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { threadId } = await thread(userId);
      await layer.shareThread(threadId, userId, PUBLIC);
      ids.push(threadId);
    }
    table.requests.reset();
    const page1 = await layer.listShares(userId, { first: 2 });
    expect(table.requests.count).toBe(2);
    expect(page1.rows.map((r) => r.threadId)).toEqual([ids[2], ids[1]]);
    expect(page1.hasNextPage).toBe(true);
    const page2 = await layer.listShares(userId, { first: 2, cursor: page1.endCursor });
    expect(page2.rows.map((r) => r.threadId)).toEqual([ids[0]]);
    expect(page2.hasNextPage).toBe(false);
    await expect(layer.listShares(uid("other-"), { first: 2, cursor: page1.endCursor })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("deleting the thread deletes its share settings", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await layer.shareThread(threadId, userId, PUBLIC);
    await layer.deleteThread(threadId);
    expect(await table.partitionSks(threadId)).toEqual([]);
    expect((await layer.listShares(userId, { first: 10 })).rows).toEqual([]);
  });

  it("a thread Chainlit deleted leaves the list, and its settings item is removed by the listing", async () => {
    const userId = uid("u-");
    const { threadId } = await thread(userId);
    await layer.shareThread(threadId, userId, PUBLIC);
    await chainlitDeleteThread(table, threadId);
    expect(await table.partitionSks(threadId)).toEqual(["FEEDBACK#1", "SHARE"]);
    expect((await layer.listShares(userId, { first: 10 })).rows).toEqual([]);
    expect(await table.partitionSks(threadId)).toEqual([]);
  });

  it("copies a snapshot as a new thread of another user: new ids, nesting kept, no feedback or metadata, attachments copied in storage", async () => {
    const alice = uid("alice-");
    const bob = uid("bob-");
    const source = await thread(alice);
    const { sharedAt } = await layer.shareThread(source.threadId, alice, PUBLIC);
    await layer.createStep({ id: uid("after-"), threadId: source.threadId, type: "user_message", output: "not in the snapshot", createdAt: past(-1000) });
    const snapshot = shareSnapshot((await layer.getThread(source.threadId))!, sharedAt)!;
    const copyId = uid("copy-");
    await layer.copyThread(snapshot, { threadId: copyId, userId: bob });
    await layer.deleteThread(source.threadId);
    const copy = (await layer.getThread(copyId))!;
    expect(copy).toMatchObject({ userId: bob, name: "Numbers", metadata: {} });
    expect(copy.steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
    const [q, r, a] = copy.steps;
    expect([q!.id, r!.id, a!.id]).not.toContain(source.question);
    expect(r!.parentId).toBe(q!.id);
    expect(a!.parentId).toBe(r!.id);
    expect(copy.steps.some((s) => s.feedback)).toBe(false);
    const [element] = copy.elements;
    expect(element).toMatchObject({ threadId: copyId, forId: a!.id, name: "sales.csv" });
    expect(element!.id).not.toBe(source.elementId);
    expect(await (await fetch(element!.url!)).text()).toBe("region,total\nnorth,1\n");
    expect((await layer.listThreads({ first: 10 }, { userId: bob })).data.map((t) => t.id)).toEqual([copyId]);
  });
});
