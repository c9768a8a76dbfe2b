/**
 * The sweep of previews and share copies whose element Chainlit deleted (orphan-sweep.ts), on real dynalite, s3rver
 * and azurite: Chainlit's writes and deletes as its Python layer sends them (test/data-fixtures.ts).
 */
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDBDataLayer } from "../data-layer";
import { previewKeyOf, shareCopyKey } from "../../storage/object-key";
import { type StorageClient } from "../../storage/storage-client";
import { BACKENDS, freshStorage } from "../../../../test/storage-backends";
import { chainlitCreateUser, chainlitDeleteElement, chainlitDeleteThread, chainlitShareThread, chainlitThread, chainlitUpdateThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { ORPHAN_GRACE_MS, type OrphanSweepRun } from "./orphan-sweep";
import { LEASE_MS } from "./orphan-sweep-state";

const photo = () => sharp({ create: { width: 600, height: 400, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg().toBuffer();
const exists = (storage: StorageClient, key: string) => storage.size(key).then(() => true, () => false);
/** A time past the grace of everything stored so far. */
const later = () => Date.now() + ORPHAN_GRACE_MS + 60_000;
const COUNTS = ["listed", "unparsed", "fresh", "live", "deleted", "failed"] as const;

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

/** Runs until both roots were walked to their end (a bounded number of runs), adding up what they did. */
async function fullPass(layer: DynamoDBDataLayer, now: number, pageSize?: number) {
  const total = Object.fromEntries(COUNTS.map((count) => [count, 0])) as Record<(typeof COUNTS)[number], number>;
  const runs: OrphanSweepRun[] = [];
  for (let done = 0; done < 2 && runs.length < 50; ) {
    const run = await layer.sweepOrphanObjects({ holder: "test", now, pageSize });
    expect(run.ran).toBe(true);
    runs.push(run);
    for (const count of COUNTS) total[count] += run[count];
    if (run.passDone) done++;
  }
  return { ...total, runs };
}

describe.each(BACKENDS)("the orphan sweep on %s", (backend) => {
  let storage: StorageClient;
  beforeAll(async () => {
    storage = await freshStorage(backend);
  });
  afterAll(() => storage.close());
  const layer = () => table.layer({ storageProvider: storage });

  /** A Chainlit thread with an image element and its file, stored as Chainlit's create_element stores them. */
  async function chainlitImageThread() {
    const threadId = uid("t-");
    const fixture = chainlitThread(`u-${uid()}@example.com`, threadId);
    await storage.uploadFile({ objectKey: fixture.objectKey, data: await photo(), mime: "image/jpeg" });
    for (const item of fixture.items) await table.putRaw(item === fixture.element ? { ...item, type: { S: "image" }, mime: { S: "image/jpeg" } } : item);
    return { ...fixture, threadId, previewKey: previewKeyOf(threadId, fixture.elementId, fixture.objectKey) };
  }

  /** Its preview made through Threadbook's path (a first view) and a share viewer's copy of its file. */
  async function withPreviewAndCopy(thread: Awaited<ReturnType<typeof chainlitImageThread>>) {
    // Shared (Chainlit's share route sets the flag both apps read), so a viewer's download makes the copy.
    await chainlitShareThread(table, thread.threadId, { isShared: true, at: new Date().toISOString() });
    const element = (await layer().getElement(thread.threadId, thread.elementId))!;
    expect(await layer().elementPreview(element)).not.toBeNull();
    const [shared] = await layer().elementsForShare([element]);
    const copyKey = shareCopyKey(thread.threadId, thread.elementId, "report.pdf");
    expect(shared!.objectKey).toBe(copyKey);
    expect(await exists(storage, thread.previewKey)).toBe(true);
    expect(await exists(storage, copyKey)).toBe(true);
    return copyKey;
  }

  it("deletes the preview and the share copy of an image in a thread Chainlit deleted (or of an element it deleted), and leaves Chainlit's own file", async () => {
    const thread = await chainlitImageThread();
    const copyKey = await withPreviewAndCopy(thread);
    await chainlitDeleteThread(table, thread.threadId);

    // Chainlit's delete_element in a thread that stays: only that element item goes, its file stays.
    const kept = await chainlitImageThread();
    const keptCopy = await withPreviewAndCopy(kept);
    await chainlitDeleteElement(table, kept.threadId, kept.elementId);

    const pass = await fullPass(layer(), later());
    expect(pass.deleted).toBeGreaterThanOrEqual(4);
    for (const gone of [thread.previewKey, copyKey, kept.previewKey, keptCopy]) expect(await exists(storage, gone), gone).toBe(false);
    expect(await exists(storage, thread.objectKey)).toBe(true);
    expect(await exists(storage, kept.objectKey)).toBe(true);
  });

  it("keeps the previews and copies of elements that exist, whatever they record (Chainlit's PutItem dropped previewKey)", async () => {
    const live = await chainlitImageThread();
    const liveCopy = await withPreviewAndCopy(live);
    // Chainlit's create_element again: a PutItem of the element as it wrote it, without Threadbook's attributes.
    await table.putRaw({ ...live.element, type: { S: "image" }, mime: { S: "image/jpeg" } });
    expect((await table.plain(`THREAD#${live.threadId}`, `ELEMENT#${live.elementId}`))!.previewKey).toBeUndefined();
    const threadId = uid("t-");
    await layer().updateThread(threadId, { userId: uid("u-"), name: "photos" });
    const own = await layer().createElement({ id: uid("e-"), threadId, type: "image", name: "a.jpg", mime: "image/jpeg", content: await photo() });
    expect(own.previewKey).toBeTruthy();

    await fullPass(layer(), later());
    expect(await exists(storage, live.previewKey)).toBe(true);
    expect(await exists(storage, liveCopy)).toBe(true);
    expect(await exists(storage, own.previewKey!)).toBe(true);
  });

  it("deletes the share copies of a thread whose share Chainlit ended (update_thread replaced its metadata, or its unshare), with their records; a live share keeps its own", async () => {
    // A rename (or a session's save) in Chainlit writes its metadata map whole, without the flag.
    const renamed = await chainlitImageThread();
    const renamedCopy = await withPreviewAndCopy(renamed);
    await chainlitUpdateThread(table, renamed.threadId, { at: new Date().toISOString(), name: "Renamed in Chainlit" });
    // Chainlit's own unshare: is_shared false, shared_at popped.
    const unshared = await chainlitImageThread();
    const unsharedCopy = await withPreviewAndCopy(unshared);
    await chainlitShareThread(table, unshared.threadId, { isShared: false, at: new Date().toISOString() });
    const live = await chainlitImageThread();
    const liveCopy = await withPreviewAndCopy(live);

    await fullPass(layer(), later());
    for (const [thread, copy] of [[renamed, renamedCopy], [unshared, unsharedCopy]] as const) {
      expect(await exists(storage, copy), copy).toBe(false);
      expect((await table.plain(`THREAD#${thread.threadId}`, `ELEMENT#${thread.elementId}`))!.shareCopyKey).toBeUndefined();
      // The element, Chainlit's file and the preview stay: only the share is over.
      expect(await exists(storage, thread.objectKey)).toBe(true);
      expect(await exists(storage, thread.previewKey)).toBe(true);
    }
    expect(await exists(storage, liveCopy)).toBe(true);
    expect((await table.plain(`THREAD#${live.threadId}`, `ELEMENT#${live.elementId}`))!.shareCopyKey).toBe(liveCopy);
    // Shared again in Chainlit: a viewer's download copies the file anew (the record went with the object).
    await chainlitShareThread(table, renamed.threadId, { isShared: true, at: new Date().toISOString() });
    const [again] = await layer().elementsForShare([(await layer().getElement(renamed.threadId, renamed.elementId))!]);
    expect(again!.objectKey).toBe(renamedCopy);
    expect(await exists(storage, renamedCopy)).toBe(true);
  });

  it("reads the flags of the live copies' threads in one BatchGetItem, and writes once more per copy of an ended share", async () => {
    const own = await freshStorage(backend);
    const sweeper = table.layer({ storageProvider: own });
    const copies = [];
    for (const shared of [true, true, false]) {
      const threadId = uid("t-");
      const elementId = uid("e-");
      await table.putRaw({ PK: { S: `THREAD#${threadId}` }, SK: { S: "THREAD" }, id: { S: threadId }, userId: { S: "someone" }, metadata: { M: { is_shared: { BOOL: shared } } } });
      const copy = shareCopyKey(threadId, elementId, "file.pdf");
      await table.putRaw({ PK: { S: `THREAD#${threadId}` }, SK: { S: `ELEMENT#${elementId}` }, id: { S: elementId }, threadId: { S: threadId }, shareCopyKey: { S: copy } });
      await own.uploadFile({ objectKey: copy, data: "x", mime: "application/pdf" });
      copies.push({ copy, shared });
    }
    // A new bucket's walk starts with the previews (none here), then the copies.
    expect(await sweeper.sweepOrphanObjects({ holder: "test", now: later() })).toMatchObject({ root: "threadbook-previews", listed: 0 });
    const run = await countOf(table, () => sweeper.sweepOrphanObjects({ holder: "test", now: later() }));
    expect(run.result).toMatchObject({ root: "threadbook-shared", listed: 3, live: 2, deleted: 1 });
    // Elements, their threads' flags, the users the ended copy's other reading names; the lease twice, the record once.
    expect(run.byOperation).toEqual({ UpdateItemCommand: 3, BatchGetItemCommand: 3 });
    for (const { copy, shared } of copies) expect(await exists(own, copy)).toBe(shared);
    await own.close();
  });

  it("keeps an orphan younger than the grace, and deletes it once past it", async () => {
    const thread = await chainlitImageThread();
    await withPreviewAndCopy(thread);
    await chainlitDeleteThread(table, thread.threadId);

    const now = await fullPass(layer(), Date.now());
    expect(now.fresh).toBeGreaterThanOrEqual(2);
    expect(await exists(storage, thread.previewKey)).toBe(true);
    await fullPass(layer(), later());
    expect(await exists(storage, thread.previewKey)).toBe(false);
  });

  it("leaves alone every key under those roots that is not a derived object's as Threadbook builds it", async () => {
    const [t, e] = [randomUUID(), randomUUID()];
    const others = [
      // A Chainlit file of a user whose identifier is the root's name: `{identifier}/{thread}/{element}`.
      `threadbook-previews/${t}/${e}`,
      `threadbook-shared/${t}/${e}`,
      `threadbook-previews/${t}/${e}/not-a-hash.webp`,
      `threadbook-previews/${t}/${e}/${"a".repeat(24)}.webp/more`,
      `threadbook-shared/${t}/${e}/Not Clean.pdf`,
      `threadbook-shared/${t}/a#b/x.pdf`,
      `threadbook-previews/${"x".repeat(129)}/${e}/${"0".repeat(24)}.webp`,
    ];
    for (const objectKey of others) await storage.uploadFile({ objectKey, data: "x", mime: "application/octet-stream" });
    // Chainlit's files of users whose identifiers hold a `/` and begin with a root: `{identifier}/{thread}/{element}`
    // reads as a share copy (or a preview, for an element id shaped as a preview's name) of an element that is not
    // there. Their user items exist, so they are left alone, their thread deleted or not.
    for (const [root, element] of [["threadbook-shared", randomUUID()], ["threadbook-previews", `${"c".repeat(24)}.webp`]] as const) {
      const identifier = `${root}/${randomUUID()}`;
      await chainlitCreateUser(table, identifier);
      const objectKey = `${identifier}/${randomUUID()}/${element}`;
      await storage.uploadFile({ objectKey, data: "x", mime: "application/octet-stream" });
      others.push(objectKey);
    }

    const pass = await fullPass(layer(), later());
    expect(pass.unparsed).toBeGreaterThanOrEqual(others.length);
    for (const objectKey of others) expect(await exists(storage, objectKey), objectKey).toBe(true);
  });

  it("stops at its bounds (a page of keys, its time) and the next run goes on from there; its own item costs a run 2 writes", async () => {
    const bounded = await freshStorage(backend);
    const sweeper = table.layer({ storageProvider: bounded });
    const previews = Array.from({ length: 5 }, () => previewKeyOf(uid("t-"), uid("e-"), `someone/${randomUUID()}/x`)).sort();
    const copies = Array.from({ length: 3 }, () => shareCopyKey(uid("t-"), uid("e-"), "file.pdf")).sort();
    for (const objectKey of [...previews, ...copies]) await bounded.uploadFile({ objectKey, data: "x", mime: "application/octet-stream" });

    // Out of time before its first delete: nothing deleted, and the same page is listed again next time.
    const cut = await sweeper.sweepOrphanObjects({ holder: "test", now: later(), pageSize: 2, maxRunMs: -1 });
    expect(cut).toMatchObject({ ran: true, listed: 2, deleted: 0, stoppedEarly: true, passDone: false });
    for (const objectKey of previews) expect(await exists(bounded, objectKey)).toBe(true);

    const first = await countOf(table, () => sweeper.sweepOrphanObjects({ holder: "test", now: later(), pageSize: 2 }));
    expect(first.result).toMatchObject({ root: "threadbook-previews", listed: 2, deleted: 2, passDone: false });
    // One BatchGetItem for the elements, one for the users a Chainlit reading of the gone ones' keys would name.
    expect(first.byOperation).toEqual({ UpdateItemCommand: 2, BatchGetItemCommand: 2 });
    expect(await exists(bounded, previews[0]!)).toBe(false);
    expect(await exists(bounded, previews[2]!)).toBe(true);

    const rest = await fullPass(sweeper, later(), 2);
    expect(rest.runs.every((run) => run.listed <= 2)).toBe(true);
    expect(rest.deleted).toBe(6);
    for (const objectKey of [...previews, ...copies]) expect(await exists(bounded, objectKey)).toBe(false);
    // Nothing left past the grace: a run reads nothing in the table but its own item.
    const empty = await countOf(table, () => sweeper.sweepOrphanObjects({ holder: "test", now: later() }));
    expect(empty.byOperation).toEqual({ UpdateItemCommand: 2 });
    await bounded.close();
  });

  it("reads a page's elements 100 to a BatchGetItem, and the users of those gone only", async () => {
    const paged = await freshStorage(backend);
    const sweeper = table.layer({ storageProvider: paged });
    const elements = Array.from({ length: 105 }, () => ({ threadId: uid("t-"), elementId: uid("e-") }));
    const [gone, live] = [elements.slice(0, 5), elements.slice(5)];
    for (const { threadId, elementId } of live) await table.putRaw({ PK: { S: `THREAD#${threadId}` }, SK: { S: `ELEMENT#${elementId}` }, id: { S: elementId }, threadId: { S: threadId } });
    for (const { threadId, elementId } of elements) await paged.uploadFile({ objectKey: previewKeyOf(threadId, elementId, `someone/${threadId}/${elementId}`), data: "x", mime: "image/webp" });

    const run = await countOf(table, () => sweeper.sweepOrphanObjects({ holder: "test", now: later() }));
    expect(run.result).toMatchObject({ listed: 105, live: 100, deleted: 5, failed: 0 });
    expect(run.byOperation).toEqual({ UpdateItemCommand: 2, BatchGetItemCommand: 3 });
    for (const { threadId, elementId } of gone) expect(await exists(paged, previewKeyOf(threadId, elementId, `someone/${threadId}/${elementId}`))).toBe(false);
    await paged.close();
  });

  it("a stored place storage cannot go on from stalls nothing: within a few runs the walk starts over and finds the orphan", async () => {
    const orphan = previewKeyOf(uid("t-"), uid("e-"), `someone/${randomUUID()}/x`);
    await storage.uploadFile({ objectKey: orphan, data: "x", mime: "image/webp" });
    const place = { PK: { S: "SWEEP#ORPHAN_OBJECTS" }, SK: { S: "STATE" }, storage: { S: storage.description } };
    await table.putRaw({ ...place, root: { S: "threadbook-previews" }, continuation: { S: "not a place \u0000 of this listing" } });
    const outcomes: string[] = [];
    for (let run = 0; run < 4 && (await exists(storage, orphan)); run++) {
      outcomes.push(await layer().sweepOrphanObjects({ holder: "test", now: later() }).then((done) => `listed ${done.listed}`, (error: unknown) => String(error)));
    }
    expect(await exists(storage, orphan), outcomes.join("; ")).toBe(false);
  });

  it("runs on one instance at a time: a second finds the lease held; a lease whose holder died is taken over once it runs out", async () => {
    let release!: () => void;
    let listing!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const listed = new Promise<void>((resolve) => (listing = resolve));
    const slow: StorageClient = Object.assign(Object.create(storage) as StorageClient, {
      listObjects: async (...args: Parameters<StorageClient["listObjects"]>) => {
        listing();
        await gate;
        return storage.listObjects(...args);
      },
    });
    const first = table.layer({ storageProvider: slow }).sweepOrphanObjects({ holder: "a", now: Date.now() });
    await listed;
    expect(await layer().sweepOrphanObjects({ holder: "b", now: Date.now() })).toMatchObject({ ran: false, listed: 0 });
    release();
    expect((await first).ran).toBe(true);

    // A holder that died mid-run: its lease is held until it runs out, then another instance takes over.
    const dead = new Promise<never>(() => undefined);
    const dying: StorageClient = Object.assign(Object.create(storage) as StorageClient, { listObjects: () => dead });
    void table.layer({ storageProvider: dying }).sweepOrphanObjects({ holder: "dead", now: Date.now() });
    await expect.poll(async () => (await table.plain("SWEEP#ORPHAN_OBJECTS", "STATE"))?.holder).toBe("dead");
    expect((await layer().sweepOrphanObjects({ holder: "b", now: Date.now() })).ran).toBe(false);
    expect((await layer().sweepOrphanObjects({ holder: "b", now: Date.now() + LEASE_MS + 1 })).ran).toBe(true);
  });
});
