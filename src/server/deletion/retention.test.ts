/**
 * "Delete conversations older than…" over real dynalite and s3rver (docs/security.md, "Retention"): the sweep deletes
 * a user's threads last active before the period completely, Threadbook's and Chainlit's, keeps pinned ones, recent
 * ones and any written after the cutoff, never touches another user's thread even one the user's index lists, and the
 * setting, an item of Threadbook's own, survives Chainlit's PutItem of the USER item. Runs are bounded and resume.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBDataLayer, MAX_RUNS_WITHOUT_PROGRESS } from "@/data";
import { chainlitCreateStep, chainlitCreateUser, chainlitThread, tableOn, type TestTable } from "../../../test/data-fixtures";
import { callerFor, createTestServices, seedThread, sessionUser } from "../../../test/callers";
import { CHATGPT_FIXTURE } from "../../../test/import-archives";
import { freshStorage } from "../../../test/storage-backends";
import { startImport, waitForImport } from "../import/import-jobs";
import { RETENTION_EVERY_MS, runRetention, sweepRetention } from "./retention";

let services: Awaited<ReturnType<typeof createTestServices>>;
let table: TestTable;
/** The same table written 100 days ago: Threadbook's threads as they were then. */
let past: DynamoDBDataLayer;
const DAY = 86_400_000;

beforeAll(async () => {
  services = await createTestServices();
  table = tableOn(services.client, services.tableName);
  past = new DynamoDBDataLayer({ tableName: services.tableName, client: services.client, storageProvider: services.storage, cursorSecret: randomUUID(), clock: () => new Date(Date.now() - 100 * DAY) });
});
afterAll(() => services.close());

const exists = async (objectKey: string) => services.storage.size(objectKey).then(() => true, () => false);
const oldThread = (userId: string, name = "Old") => seedThread({ ...services, data: past }, userId, name);

/** A thread as Chainlit writes it (update_thread, create_step, create_element), filed `daysAgo` days ago. */
async function chainlitWritten(userId: string, daysAgo: number) {
  const threadId = randomUUID();
  const written = chainlitThread(userId, threadId, { at: new Date(Date.now() - daysAgo * DAY).toISOString() });
  for (const item of written.items) await table.putRaw(item);
  await services.storage.uploadFile({ objectKey: written.objectKey, data: "chainlit file", mime: "text/plain" });
  return { threadId, objectKey: written.objectKey, step: written.items.find((item) => item.SK!.S!.startsWith("STEP#"))! };
}

/** The user's run, as the sweep makes it: listed as due, claimed, run. */
async function runFor(userId: string, options: { now?: number; limits?: { pageSize: number; pages: number } } = {}) {
  const due = (await services.data.listDueRetentions("9999", 100)).find((row) => row.userId === userId);
  return due ? runRetention(services, userId, due.due, options.now, options.limits) : null;
}

describe("retention", () => {
  it("deletes old threads completely, Chainlit's included, and keeps pinned and recent ones", async () => {
    const alice = sessionUser();
    const asAlice = callerFor(services, alice);
    await asAlice.user.setRetention({ days: 30 });
    const old = await oldThread(alice.id);
    const oldBlob = (await services.data.getElement(old.threadId, old.elementId))!.objectKey!;
    const pinned = await oldThread(alice.id, "Pinned");
    await asAlice.threads.pin({ threadId: pinned.threadId });
    const recent = await seedThread(services, alice.id, "Recent");
    const chainlits = await chainlitWritten(alice.id, 45);

    expect(await runFor(alice.id)).toBe(2);

    for (const { threadId } of [old, chainlits]) expect(await table.partitionSks(threadId)).toEqual([]);
    for (const key of [oldBlob, chainlits.objectKey]) expect(await exists(key)).toBe(false);
    expect((await table.postingsOf(alice.id)).some((sk) => sk.includes(old.threadId))).toBe(false);
    expect((await asAlice.threads.list({})).data.map((t) => t.id).sort()).toEqual([pinned.threadId, recent.threadId].sort());
    expect((await asAlice.threads.pinned()).map((t) => t.id)).toEqual([pinned.threadId]);
  });

  it("never touches another user's thread, even one the user's index lists, nor a user with retention off", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    await callerFor(services, alice).user.setRetention({ days: 30 });
    // Bob's THREAD item (userId bob) filed under Alice's index partition: the index lies, the item does not.
    const listedInHers = await chainlitWritten(bob.id, 60);
    const item = (await table.raw(`THREAD#${listedInHers.threadId}`, "THREAD"))!;
    await table.putRaw({ ...item, UserThreadPK: { S: `USER#${alice.id}` } });
    const bobsOwn = await oldThread(bob.id);
    expect(await runFor(alice.id)).toBe(0);
    expect(await runFor(bob.id)).toBeNull();
    expect(await table.partitionSks(listedInHers.threadId)).toContain("THREAD");
    expect(await exists(listedInHers.objectKey)).toBe(true);
    expect(await table.partitionSks(bobsOwn.threadId)).toContain("THREAD");
  });

  it("keeps a thread written after the cutoff, whatever its index row says", async () => {
    const alice = sessionUser();
    await callerFor(services, alice).user.setRetention({ days: 30 });
    // Filed 60 days ago; then a Chainlit session on it adds a step now (create_step: true UTC, the index unmoved).
    const revived = await chainlitWritten(alice.id, 60);
    await chainlitCreateStep(table, { ...revived.step, SK: { S: `STEP#late-${randomUUID()}` }, createdAt: { S: new Date().toISOString() } });
    expect(await runFor(alice.id)).toBe(0);
    expect(await table.partitionSks(revived.threadId)).toContain("THREAD");
  });

  it("keeps the setting through Chainlit's PutItem of the USER item, and Off takes the user out of the sweep", async () => {
    const alice = sessionUser();
    const asAlice = callerFor(services, alice);
    await services.data.createUser({ identifier: alice.id, metadata: {} });
    await asAlice.user.setRetention({ days: 90 });
    // A Chainlit login: create_user replaces the whole USER item.
    await chainlitCreateUser(table, alice.id);
    expect(await asAlice.user.retention()).toEqual({ days: 90, stopped: false });
    await asAlice.user.setRetention({ days: null });
    expect(await asAlice.user.retention()).toEqual({ days: null, stopped: false });
    expect((await services.data.listDueRetentions("9999", 100)).map((row) => row.userId)).not.toContain(alice.id);
  });

  it("refuses a period that is not offered", async () => {
    const asAlice = callerFor(services, sessionUser());
    await expect(asAlice.user.setRetention({ days: 1 as 30 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("runs bounded, goes on where it stopped, then is due a day later; of two runners one claims it", async () => {
    const alice = sessionUser();
    await callerFor(services, alice).user.setRetention({ days: 30 });
    const threads = [];
    for (let i = 0; i < 5; i++) threads.push(await oldThread(alice.id, `Old ${i}`));
    const limits = { pageSize: 2, pages: 1 };
    const due = (await services.data.listDueRetentions("9999", 100)).find((row) => row.userId === alice.id)!;
    const [first, second] = await Promise.all([runRetention(services, alice.id, due.due, undefined, limits), runRetention(services, alice.id, due.due, undefined, limits)]);
    expect([first, second].sort()).toEqual([2, null].sort());
    expect(await runFor(alice.id, { limits })).toBe(2);
    expect(await runFor(alice.id, { limits })).toBe(1);
    for (const { threadId } of threads) expect(await table.partitionSks(threadId)).toEqual([]);
    // The walk is over: not due before a day has passed.
    const next = (await services.data.listDueRetentions("9999", 100)).find((row) => row.userId === alice.id)!;
    expect(Date.parse(next.due)).toBeGreaterThan(Date.now() + RETENTION_EVERY_MS - 60_000);
  });
});

/**
 * A run that takes its process down: another instance claims the user (the claim that counts the run) and dies, its
 * lease already over (as the clock past it), perhaps after storing where a page got to.
 */
async function claimedAndCrashed(userId: string, progress = false) {
  const due = (await services.data.listDueRetentions("9999", 100)).find((row) => row.userId === userId)!;
  const lease = new Date().toISOString();
  const state = (await services.data.moveRetention(userId, due.due, lease, "keep"))!;
  if (progress) {
    const { next } = await services.data.threadsToDelete(userId, "9999", 1);
    await services.data.moveRetention(userId, lease, new Date().toISOString(), next!);
  }
  return state;
}

describe("retention whose runs keep dying", () => {
  it("counts each claim, stops after the bound instead of running again, shows it stopped and never runs until chosen again", async () => {
    const alice = sessionUser();
    const asAlice = callerFor(services, alice);
    await asAlice.user.setRetention({ days: 30 });
    const old = await oldThread(alice.id);
    for (let run = 1; run <= MAX_RUNS_WITHOUT_PROGRESS; run++) expect(await claimedAndCrashed(alice.id)).toMatchObject({ runsWithoutProgress: run });

    // The next claim would be one run too many that got nowhere: the runner stops the setting's runs instead.
    expect(await runFor(alice.id)).toBeNull();
    expect(await asAlice.user.retention()).toEqual({ days: 30, stopped: true });
    expect((await services.data.listDueRetentions("9999", 100)).map((row) => row.userId)).not.toContain(alice.id);
    expect(await runFor(alice.id)).toBeNull();
    expect(await table.partitionSks(old.threadId)).toContain("THREAD");

    // Choosing the period again (the dialog's Try again) runs it from a fresh count.
    expect(await asAlice.user.setRetention({ days: 30 })).toEqual({ days: 30, stopped: false });
    expect(await asAlice.user.retention()).toEqual({ days: 30, stopped: false });
    expect(await runFor(alice.id)).toBe(1);
    expect(await table.partitionSks(old.threadId)).toEqual([]);
  });

  it("that get further between deaths are run again however many times", async () => {
    const alice = sessionUser();
    await callerFor(services, alice).user.setRetention({ days: 30 });
    for (let i = 0; i < 2; i++) await oldThread(alice.id, `Old ${i}`);
    for (let run = 1; run <= 2 * MAX_RUNS_WITHOUT_PROGRESS; run++) await claimedAndCrashed(alice.id, true);
    expect(await runFor(alice.id)).toBe(1);
    expect(await callerFor(services, alice).user.retention()).toEqual({ days: 30, stopped: false });
  });
});

describe("the sweep", () => {
  it("finds a due user with one Query of the due partition and runs them, whatever the rest of the table holds", async () => {
    const alice = sessionUser();
    await callerFor(services, alice).user.setRetention({ days: 30 });
    const old = await oldThread(alice.id);
    services.requests.reset();
    expect(await sweepRetention(services)).toBeGreaterThanOrEqual(1);
    expect(await table.partitionSks(old.threadId)).toEqual([]);
    expect(services.requests.byOperation.get("ScanCommand")).toBeUndefined();
  });

  /**
   * Users due in this order, each with one old thread, a file in it (`withFile`) or none, on a table of their own; the
   * sweep is then run with storage whose bucket is missing, which refuses every file's delete.
   */
  async function sweepWithStorageDown(withFile: boolean[]) {
    const own = await createTestServices();
    const missing = await freshStorage("s3", { create: false });
    try {
      const pastOwn = new DynamoDBDataLayer({ tableName: own.tableName, client: own.client, storageProvider: own.storage, cursorSecret: randomUUID(), clock: () => new Date(Date.now() - 100 * DAY) });
      const users = [];
      for (const file of withFile) {
        const user = sessionUser();
        await callerFor(own, user).user.setRetention({ days: 30 });
        const threadId = file ? (await seedThread({ ...own, data: pastOwn }, user.id, "Old, with a file")).threadId : randomUUID();
        if (!file) await pastOwn.createThread(threadId, user.id);
        users.push({ id: user.id, threadId });
      }
      expect((await own.data.listDueRetentions("9999", 10)).map((row) => row.userId)).toEqual(users.map((u) => u.id));
      const failing = { data: new DynamoDBDataLayer({ tableName: own.tableName, client: own.client, storageProvider: missing, cursorSecret: randomUUID() }) };
      const deleted = await sweepRetention(failing);
      const table = tableOn(own.client, own.tableName);
      const kept = await Promise.all(users.map(async (u) => (await table.partitionSks(u.threadId)).includes("THREAD")));
      const runs = await Promise.all(users.map(async (u) => (await table.plain(`USER#${u.id}`, "RETENTION"))?.runsWithoutProgress ?? 0));
      return { deleted, kept, runs };
    } finally {
      await missing.close();
      await own.close();
    }
  }

  it("runs every due user even when one user's run fails (hostile: the first due user's files cannot be deleted)", async () => {
    expect(await sweepWithStorageDown([true, false])).toEqual({ deleted: 1, kept: [true, false], runs: [1, 0] });
  });

  it("ends after two runs in a row fail (the store, not the users): the rest are not counted a failed run", async () => {
    expect(await sweepWithStorageDown([true, true, false])).toEqual({ deleted: 0, kept: [true, true, true], runs: [1, 1, 0] });
  });
});

describe("a run's cost", () => {
  it("is a few requests a page and each thread what its own delete costs", async () => {
    const alice = sessionUser();
    await callerFor(services, alice).user.setRetention({ days: 30 });
    const pastEmpty = async () => {
      const threadId = randomUUID();
      await past.createThread(threadId, alice.id);
    };
    for (let i = 0; i < 3; i++) await pastEmpty();
    const due = (await services.data.listDueRetentions("9999", 100)).find((row) => row.userId === alice.id)!;
    services.requests.reset();
    expect(await runRetention(services, alice.id, due.due)).toBe(3);
    // The claim (1 UpdateItem), the pins (1 GetItem), one page of the index (1 Query), the end (1 UpdateItem); per
    // empty thread its delete: the partition (1 Query), the THREAD item (1 DeleteItem), the pin beside it (1 UpdateItem).
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ UpdateItemCommand: 2 + 3, GetItemCommand: 1, QueryCommand: 1 + 3, DeleteItemCommand: 3 });
  });
});

describe("a removed user", () => {
  it("leaves the sweep: their threads kept by `remove --keep-threads` are not deleted by their setting", async () => {
    const alice = sessionUser();
    await services.data.createUser({ identifier: alice.id, metadata: {} });
    await callerFor(services, alice).user.setRetention({ days: 30 });
    const old = await oldThread(alice.id);
    await services.data.deleteUser(alice.id);
    expect(await runFor(alice.id)).toBeNull();
    expect(await table.partitionSks(old.threadId)).toContain("THREAD");
  });
});

describe("imported conversations", () => {
  it("are kept for the period from their import, though their own dates are older", async () => {
    const alice = sessionUser();
    const asAlice = callerFor(services, alice);
    await asAlice.user.setRetention({ days: 30 });
    // The fixture's conversations are from 2024: a year and more past any period.
    const body = new Blob([CHATGPT_FIXTURE]).stream();
    const started = await startImport(services, alice, { fileName: "conversations.json", contentLength: Buffer.byteLength(CHATGPT_FIXTURE), body });
    if (started.status !== 202) throw new Error(started.error);
    await waitForImport(started.job.jobId);
    const imported = (await asAlice.threads.list({})).data;
    expect(imported.length).toBe(2);
    expect(imported.every((thread) => thread.updatedAt < "2025")).toBe(true);

    expect(await runFor(alice.id)).toBe(0);
    expect((await asAlice.threads.list({})).data.length).toBe(2);
    // 31 days on, the period has run from the import too: they go, as any thread left alone that long.
    expect(await runFor(alice.id, { now: Date.now() + 31 * DAY })).toBe(2);
    expect((await asAlice.threads.list({})).data).toEqual([]);
  });
});
