/**
 * Expired shares end for Chainlit too (share-expiry.ts, docs/sharing.md "Expiry"), against real dynalite. Chainlit's
 * share route serves whatever has `metadata.is_shared` true, so each case reads the THREAD item as Chainlit would.
 * Each test has a table of its own: the sweep reads one index partition for the whole table.
 */
import { describe, expect, it } from "vitest";
import { chainlitDeleteThread, chainlitShareThread, chainlitUpdateThread, testTable, uid } from "../../../../test/data-fixtures";

const HOUR = 3_600_000;

/** A table, a layer whose clock the test moves, and a thread of `userId` in it. */
async function setup() {
  const table = await testTable();
  let now = Date.now();
  const layer = table.layer({ clock: () => new Date(now) });
  const userId = uid("u-");
  const threadId = uid("t-");
  await layer.createThread(threadId, userId);
  await layer.updateThread(threadId, { name: "Plans", metadata: { chat_profile: "analyst" } });
  const inHours = (hours: number) => new Date(now + hours * HOUR).toISOString();
  /** What Chainlit's `GET /project/share/{id}` decides on: the THREAD item's flag. */
  const chainlitServes = async (id = threadId) => ((await table.plain(`THREAD#${id}`, "THREAD"))?.metadata as { is_shared?: unknown } | undefined)?.is_shared === true;
  return { table, layer, userId, threadId, inHours, chainlitServes, advance: (hours: number) => (now += hours * HOUR) };
}

describe("expired shares", () => {
  it("end in Chainlit too once due: the flag cleared (other metadata kept), the owner still sees the share as expired", async () => {
    const { table, layer, userId, threadId, inHours, chainlitServes, advance } = await setup();
    const { sharedAt } = await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    expect(await layer.endExpiredShares()).toEqual({ due: 0, ended: 0, more: false });
    expect(await chainlitServes()).toBe(true);

    advance(2);
    table.requests.reset();
    expect(await layer.endExpiredShares()).toEqual({ due: 1, ended: 1, more: false });
    // The Query, the state's BatchGetItem, the flag's UpdateItem, the marker's DeleteItem, and the Query of element
    // records whose share copies go with the share (none here: nothing more).
    expect(table.requests.count).toBe(5);
    expect(await chainlitServes()).toBe(false);
    expect((await table.plain(`THREAD#${threadId}`, "THREAD"))?.metadata).toEqual({ chat_profile: "analyst", is_shared: false, shared_at: sharedAt });
    expect(await table.partitionSks(threadId)).toEqual(["SHARE", "THREAD"]);

    const state = await layer.getShareState(threadId);
    expect(state).toMatchObject({ isShared: false, endedByExpiry: true, sharedAt, settings: { sharedAt } });
    expect((await layer.listShares(userId, { first: 10 })).rows.map((row) => row.threadId)).toEqual([threadId]);
    // Nothing left to do: the next sweep is one Query.
    table.requests.reset();
    expect(await layer.endExpiredShares()).toEqual({ due: 0, ended: 0, more: false });
    expect(table.requests.count).toBe(1);
  });

  it("a share that never expires writes no marker; stopping a share removes its marker", async () => {
    const { table, layer, userId, threadId, inHours } = await setup();
    table.requests.reset();
    await layer.shareThread(threadId, userId, { access: "public", expiresAt: null });
    // The state read (the shares the new settings replace), the settings, the flag.
    expect(table.requests.count).toBe(3);
    expect(await table.partitionSks(threadId)).toEqual(["SHARE", "THREAD"]);
    await layer.changeShare(threadId, userId, { access: "public", expiresAt: inHours(24) });
    expect(await table.partitionSks(threadId)).toEqual(["SHARE", "SHARE_EXPIRY", "THREAD"]);
    await layer.unshareThread(threadId);
    // The settings stay as its stop mark (docs/sharing.md, "Rules").
    expect(await table.partitionSks(threadId)).toEqual(["SHARE", "THREAD"]);
  });

  it("renewed before it was due, or changed to never: not ended, and the stale marker is put right", async () => {
    const { table, layer, userId, threadId, inHours, chainlitServes, advance } = await setup();
    await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    await layer.changeShare(threadId, userId, { access: "public", expiresAt: inHours(48) });
    advance(2);
    expect(await layer.endExpiredShares()).toEqual({ due: 0, ended: 0, more: false });
    expect(await chainlitServes()).toBe(true);

    await layer.changeShare(threadId, userId, { access: "public", expiresAt: null });
    advance(72);
    expect(await layer.endExpiredShares()).toMatchObject({ due: 1, ended: 0 });
    expect(await chainlitServes()).toBe(true);
    expect(await table.partitionSks(threadId)).toEqual(["SHARE", "THREAD"]);
  });

  it("shared again by Chainlit since (a new shared_at): Chainlit's share is left alone", async () => {
    const { table, layer, userId, threadId, inHours, chainlitServes, advance } = await setup();
    await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    await chainlitShareThread(table, threadId, { isShared: false, at: new Date().toISOString() });
    await chainlitShareThread(table, threadId, { isShared: true, at: new Date().toISOString() });
    advance(2);
    expect(await layer.endExpiredShares()).toMatchObject({ due: 1, ended: 0 });
    expect(await chainlitServes()).toBe(true);
    expect(await table.partitionSks(threadId)).not.toContain("SHARE_EXPIRY");
  });

  it("an ended share given a new expiry is live again in both apps, with the same snapshot", async () => {
    const { layer, userId, threadId, inHours, chainlitServes, advance } = await setup();
    const { sharedAt } = await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    advance(2);
    await layer.endExpiredShares();
    expect(await chainlitServes()).toBe(false);
    await layer.changeShare(threadId, userId, { access: "public", expiresAt: inHours(24) });
    expect(await chainlitServes()).toBe(true);
    const state = await layer.getShareState(threadId);
    expect(state).toMatchObject({ isShared: true, endedByExpiry: false, sharedAt });
  });

  it("a Chainlit session that saves its older metadata back turns the flag on again: the next read of the share, or the owner's list, ends it again", async () => {
    const { table, layer, userId, threadId, inHours, chainlitServes, advance } = await setup();
    const { sharedAt } = await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    advance(2);
    await layer.endExpiredShares();
    // A disconnect: Chainlit's update_thread writes the session's copy of the metadata, read before the sweep.
    const disconnect = () =>
      chainlitUpdateThread(table, threadId, { at: new Date().toISOString(), metadata: { chat_profile: { S: "analyst" }, is_shared: { BOOL: true }, shared_at: { S: sharedAt } } });
    await disconnect();
    expect(await chainlitServes()).toBe(true);
    // The sweep has nothing left to find; the share's own reads end it.
    expect(await layer.endExpiredShares()).toMatchObject({ due: 0 });
    expect(await layer.endShareIfExpired((await layer.getShareState(threadId))!)).toBe(true);
    expect(await chainlitServes()).toBe(false);
    await disconnect();
    await layer.catchUpShares(userId);
    expect(await chainlitServes()).toBe(false);
  });

  it("a live share or one that never expires is not ended on read, and costs no request", async () => {
    const { table, layer, userId, threadId, inHours, chainlitServes } = await setup();
    await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    const state = (await layer.getShareState(threadId))!;
    table.requests.reset();
    expect(await layer.endShareIfExpired(state)).toBe(false);
    await layer.changeShare(threadId, userId, { access: "public", expiresAt: null });
    expect(await layer.endShareIfExpired((await layer.getShareState(threadId))!)).toBe(false);
    expect(table.requests.count).toBe(2 + 1); // changeShare's read and write, and the state read: nothing from endShareIfExpired
    expect(await chainlitServes()).toBe(true);
  });

  it("a thread Chainlit deleted: the marker and the settings go as leftovers", async () => {
    const { table, layer, userId, threadId, inHours, advance } = await setup();
    await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    await chainlitDeleteThread(table, threadId);
    expect(await table.partitionSks(threadId)).toEqual(["SHARE", "SHARE_EXPIRY"]);
    advance(2);
    expect(await layer.endExpiredShares()).toMatchObject({ due: 1, ended: 0 });
    expect(await table.partitionSks(threadId)).toEqual([]);
  });

  it("never ends another thread's share: only markers due by now, each checked against its own thread", async () => {
    const { layer, userId, threadId, inHours, chainlitServes, advance } = await setup();
    const later = uid("t-");
    await layer.createThread(later, userId);
    await layer.shareThread(threadId, userId, { access: "public", expiresAt: inHours(1) });
    await layer.shareThread(later, userId, { access: "public", expiresAt: inHours(3) });
    advance(2);
    expect(await layer.endExpiredShares()).toEqual({ due: 1, ended: 1, more: false });
    expect([await chainlitServes(threadId), await chainlitServes(later)]).toEqual([false, true]);
  });
});
