/**
 * "Delete all conversations" and "Delete my account" as jobs, over real dynalite and s3rver (docs/security.md,
 * "Deleting everything"): threads Threadbook and Chainlit wrote go completely, threads written after the start stay,
 * late Chainlit writes break nothing, an index row never decides whose thread is deleted, and an account leaves no
 * item keyed by its user.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainlitCreateStep, chainlitThread, chainlitUpdateThread, tableOn, type TestTable } from "../../../test/data-fixtures";
import { callerFor, createTestServices, seedThread, sessionUser } from "../../../test/callers";
import { hashPassword } from "../auth/password";
import { waitForDeletion } from "./deletion-jobs";
import { resumeInterruptedDeletions } from "./resume-deletions";
import { DELETION_STALE_AFTER_MS, runDeletion } from "./run-deletion";
import { RECENT_SIGN_IN_SECONDS } from "./confirm-account-deletion";

let services: Awaited<ReturnType<typeof createTestServices>>;
let table: TestTable;
beforeAll(async () => {
  services = await createTestServices();
  table = tableOn(services.client, services.tableName);
});
afterAll(() => services.close());

const exists = async (objectKey: string) => (await services.storage.size(objectKey).then(() => true, () => false));

/** A thread written as Chainlit writes it (update_thread, create_step, create_element), its file in the bucket. */
async function chainlitWritten(userId: string, at = new Date(Date.now() - 60_000).toISOString()) {
  const threadId = randomUUID();
  const written = chainlitThread(userId, threadId, { at });
  for (const item of written.items) await table.putRaw(item);
  await services.storage.uploadFile({ objectKey: written.objectKey, data: "chainlit file", mime: "text/plain" });
  return { threadId, objectKey: written.objectKey };
}

async function deleteAllAndWait(user: ReturnType<typeof sessionUser>) {
  const started = await callerFor(services, user).user.deleteAllThreads();
  await waitForDeletion(user.id);
  return started;
}

describe("Delete all conversations", () => {
  it("deletes every thread of the user completely, Chainlit's included, and nobody else's", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    const ours = [await seedThread(services, alice.id, "One"), await seedThread(services, alice.id, "Two")];
    const theirs = [await chainlitWritten(alice.id), await chainlitWritten(alice.id)];
    const asAlice = callerFor(services, alice);
    await asAlice.threads.pin({ threadId: ours[0]!.threadId });
    await asAlice.share.create({ threadId: ours[1]!.threadId, access: "public", expiry: "never" });
    const bobs = await seedThread(services, bob.id, "Bob's");
    const ourBlobs = await Promise.all(ours.map(async (t) => (await services.data.getElement(t.threadId, t.elementId))!.objectKey!));

    const started = await deleteAllAndWait(alice);
    expect(started).toMatchObject({ kind: "threads", status: "running" });

    expect(await asAlice.user.deletion()).toMatchObject({ status: "done", total: 4, deleted: 4 });
    expect((await asAlice.threads.list({})).data).toEqual([]);
    expect(await asAlice.threads.pinned()).toEqual([]);
    expect((await asAlice.share.list({})).rows).toEqual([]);
    for (const { threadId } of [...ours, ...theirs]) expect(await table.partitionSks(threadId)).toEqual([]);
    expect(await table.postingsOf(alice.id)).toEqual([]);
    for (const key of [...ourBlobs, ...theirs.map((t) => t.objectKey)]) expect(await exists(key)).toBe(false);
    // Bob's thread, and Bob's view of the job, untouched.
    expect((await callerFor(services, bob).threads.list({})).data.map((t) => t.id)).toEqual([bobs.threadId]);
    expect(await callerFor(services, bob).user.deletion()).toBeNull();
  });

  it("costs a few requests a page and each thread what its own delete costs", async () => {
    const alice = sessionUser();
    for (let i = 0; i < 3; i++) await services.data.createThread(randomUUID(), alice.id);
    services.requests.reset();
    await deleteAllAndWait(alice);
    // The running-import check (1 Query), the job (1 PutItem), the count (1 Query), the total (1 UpdateItem), one
    // page of the index (1 Query) and its progress (1 UpdateItem), the end (1 UpdateItem); and per empty thread its
    // delete: the partition (1 Query), the THREAD item (1 DeleteItem), the pin beside it (1 UpdateItem). The user's
    // unfinished import claims: counted beside the threads (1 Query) and looked for after them (1 Query).
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ QueryCommand: 5 + 3, PutItemCommand: 1, UpdateItemCommand: 3 + 3, DeleteItemCommand: 3 });
  });

  it("keeps threads written after the job started, and goes by true UTC stamps, not a Chainlit host's local clock", async () => {
    const alice = sessionUser();
    const startedAt = Date.now();
    const at = (offsetMs: number) => new Date(startedAt + offsetMs).toISOString();
    // A Chainlit host on UTC+8 files an old thread 8 hours ahead; its steps' times (Chainlit's core clock) are old.
    const eastOld = await chainlitWritten(alice.id, at(8 * 3_600_000 - 3_600_000));
    // A Chainlit host on UTC-5 files a thread it writes after the start 5 hours behind; its step's time is after the start.
    const westNew = await chainlitWritten(alice.id, at(-5 * 3_600_000));
    const step = chainlitThread(alice.id, westNew.threadId).items.find((item) => item.SK!.S!.startsWith("STEP#"))!;
    await chainlitCreateStep(table, { ...step, createdAt: { S: at(60_000) }, start: { S: at(60_000) } });
    const old = await seedThread(services, alice.id, "Old");
    // The job starts; then Threadbook writes a new thread (its updatedAt is after the start) and the job runs.
    const { job } = await services.data.startDeletionJob(alice.id, "threads", "test-runner");
    const later = await seedThread(services, alice.id, "Written after the start");
    await runDeletion(services, job, "test-runner");

    expect(await table.partitionSks(old.threadId)).toEqual([]);
    expect(await table.partitionSks(eastOld.threadId)).toEqual([]);
    expect((await callerFor(services, alice).threads.list({})).data.map((t) => t.id).sort()).toEqual([later.threadId, westNew.threadId].sort());
    expect(await callerFor(services, alice).user.deletion()).toMatchObject({ status: "done", deleted: 2 });
  });

  it("takes a Chainlit session's late writes to a deleted thread without error, and lists nothing for them", async () => {
    const alice = sessionUser();
    const { threadId } = await chainlitWritten(alice.id);
    await deleteAllAndWait(alice);
    // The session left open on it saves its metadata at its end (update_thread names no user) and one more step.
    await chainlitUpdateThread(table, threadId, { at: new Date().toISOString(), metadata: {} });
    const late = chainlitThread(alice.id, threadId).items.find((item) => item.SK!.S!.startsWith("STEP#"))!;
    await chainlitCreateStep(table, late);
    const asAlice = callerFor(services, alice);
    expect((await asAlice.threads.list({})).data).toEqual([]);
    await expect(asAlice.threads.get({ threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Asked again: nothing of hers is listed, the job ends cleanly.
    await deleteAllAndWait(alice);
    expect(await asAlice.user.deletion()).toMatchObject({ status: "done", deleted: 0 });
  });

  it("never deletes a thread that is not the job owner's, even one the owner's index lists", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    // Bob's THREAD item (userId bob) filed under Alice's index partition: the index lies, the item does not.
    const bobs = await chainlitWritten(bob.id);
    const item = (await table.raw(`THREAD#${bobs.threadId}`, "THREAD"))!;
    await table.putRaw({ ...item, UserThreadPK: { S: `USER#${alice.id}` } });
    await deleteAllAndWait(alice);
    expect(await table.partitionSks(bobs.threadId)).toContain("THREAD");
    expect(await exists(bobs.objectKey)).toBe(true);
    expect(await callerFor(services, alice).user.deletion()).toMatchObject({ status: "done", deleted: 0 });
  });

  it("lets Bob neither see nor move Alice's job: every call names the caller's own", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    const hers = await seedThread(services, alice.id, "Hers");
    // Her job, held by a runner that is alive (it is not stale), so it stays running through the test.
    const { job } = await services.data.startDeletionJob(alice.id, "threads", "alice-runner");
    const asBob = callerFor(services, bob);
    expect(await asBob.user.deletion()).toBeNull();
    await deleteAllAndWait(bob);
    expect(await asBob.user.deletion()).toMatchObject({ status: "done", deleted: 0 });
    expect(await services.data.getDeletionJob(alice.id)).toEqual(job);
    expect(await table.partitionSks(hers.threadId)).toContain("THREAD");
    await services.data.updateDeletionJob(alice.id, "alice-runner", { status: "done" });
  });

  it("is refused while an import of the user runs, whose threads carry the file's old times", async () => {
    const alice = sessionUser();
    const thread = await seedThread(services, alice.id);
    const importId = `${Date.now().toString(36).padStart(10, "0")}-${randomUUID()}`;
    await services.data.createImportJob(alice.id, importId, { fileName: "export.zip", upload: "storage", runner: "a-live-runner" });
    await expect(callerFor(services, alice).user.deleteAllThreads()).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await services.data.getDeletionJob(alice.id)).toBeNull();
    expect(await table.partitionSks(thread.threadId)).toContain("THREAD");
  });

  it("is finished by another instance when its runner went silent", async () => {
    const alice = sessionUser();
    const thread = await seedThread(services, alice.id, "Left behind");
    // A job a dead process started: its runner never wrote again.
    await services.data.startDeletionJob(alice.id, "threads", "dead-instance");
    const resumed = await resumeInterruptedDeletions(services, { now: Date.now() + DELETION_STALE_AFTER_MS + 1_000 });
    expect(resumed).toBe(1);
    await waitForDeletion(alice.id);
    expect(await table.partitionSks(thread.threadId)).toEqual([]);
    expect(await callerFor(services, alice).user.deletion()).toMatchObject({ status: "done", deleted: 1 });
  });
});

describe("Delete my account", () => {
  async function passwordUser(password: string) {
    const user = sessionUser();
    await services.data.createUser({ identifier: user.id, metadata: {} });
    await services.data.setUserPassword(user.id, await hashPassword(password));
    return user;
  }

  const partition = async (pk: string) =>
    (await services.data.context.doc.send(new (await import("@aws-sdk/lib-dynamodb")).QueryCommand({ TableName: services.tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": pk }, ConsistentRead: true }))).Items ?? [];

  it("refuses a wrong password and deletes nothing", async () => {
    const alice = await passwordUser("correct horse battery");
    const thread = await seedThread(services, alice.id);
    await expect(callerFor(services, alice).user.deleteAccount({ confirmation: alice.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await services.data.getUserAuth(alice.id)).not.toBeNull();
    expect(await table.partitionSks(thread.threadId)).toContain("THREAD");
    expect(await services.data.getDeletionJob(alice.id)).toBeNull();
  });

  it("deletes the threads and every item keyed by the user, and ends their sessions", async () => {
    const alice = await passwordUser("correct horse battery");
    const asAlice = callerFor(services, alice);
    expect(await asAlice.user.deleteAccountConfirmation()).toEqual({ kind: "password" });
    const ours = await seedThread(services, alice.id);
    const theirs = await chainlitWritten(alice.id);
    await asAlice.threads.pin({ threadId: ours.threadId });
    // An import that ended: its job item stays in her partition (until its TTL).
    const importId = `${Date.now().toString(36).padStart(10, "0")}-${randomUUID()}`;
    await services.data.createImportJob(alice.id, importId, { fileName: "export.zip", upload: "storage", runner: "r" });
    await services.data.updateImportJob(alice.id, importId, "r", { status: "done" });
    expect((await partition(`USER#${alice.id}`)).map((item) => item.SK).sort()).toEqual(["AUTH", `IMPORT#${importId}`, "PINS", "USER"]);
    const version = await services.data.getSessionVersion(alice.id);
    expect(await services.sessions.isCurrent(alice.id, version)).toBe(true);

    await asAlice.user.deleteAccount({ confirmation: "correct horse battery" });
    // The account's own items go at once: no password works, no session passes, even before the threads are gone.
    expect(await services.data.getUserAuth(alice.id)).toBeNull();
    expect(await services.sessions.isCurrent(alice.id, version)).toBe(false);
    await waitForDeletion(alice.id);

    for (const threadId of [ours.threadId, theirs.threadId]) expect(await table.partitionSks(threadId)).toEqual([]);
    expect(await partition(`USER#${alice.id}`)).toEqual([]);
    expect(await partition(`USERALIAS#${alice.id.toLowerCase()}`)).toEqual([]);
    expect(await exists(theirs.objectKey)).toBe(false);
  });

  /** A user without a password (OAuth, or made by Chainlit), as a session that signed in `agoMs` ago with the test IdP. */
  async function userWithoutPassword(agoMs: number | null) {
    const user = { ...sessionUser(), signedInAt: agoMs === null ? null : Date.now() - agoMs, signInProvider: "oidc" };
    await services.data.createUser({ identifier: user.id, metadata: {} });
    return user;
  }
  const RECENT_MS = RECENT_SIGN_IN_SECONDS * 1000;

  it("asks a user without a password for their identifier, after a recent sign-in", async () => {
    const oauth = await userWithoutPassword(60_000);
    const caller = callerFor(services, oauth);
    expect(await caller.user.deleteAccountConfirmation()).toEqual({ kind: "identifier", recentSignIn: true, recentSignInMinutes: 10, provider: "oidc" });
    await expect(caller.user.deleteAccount({ confirmation: "someone else" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await caller.user.deleteAccount({ confirmation: oauth.id.toUpperCase() });
    await waitForDeletion(oauth.id);
    expect(await partition(`USER#${oauth.id}`)).toEqual([]);
  });

  for (const [name, ago] of [
    ["longer ago than the limit", RECENT_MS + 5_000],
    ["at an unknown time (a session from before sign-in times were kept)", null],
  ] as const) {
    it(`refuses a user without a password who signed in ${name}, identifier typed right, and deletes nothing`, async () => {
      const oauth = await userWithoutPassword(ago);
      const thread = await seedThread(services, oauth.id);
      const caller = callerFor(services, oauth);
      expect(await caller.user.deleteAccountConfirmation()).toMatchObject({ kind: "identifier", recentSignIn: false, provider: "oidc" });
      await expect(caller.user.deleteAccount({ confirmation: oauth.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("Sign in again") });
      expect(await services.data.getUserAuth(oauth.id)).not.toBeNull();
      expect(await services.data.getUser(oauth.id)).not.toBeNull();
      expect(await table.partitionSks(thread.threadId)).toContain("THREAD");
      expect(await services.data.getDeletionJob(oauth.id)).toBeNull();
    });
  }

  it("after signing in again as someone else, deletes that account only: the session decides who", async () => {
    const first = await userWithoutPassword(RECENT_MS + 60_000);
    const firstThread = await seedThread(services, first.id);
    await expect(callerFor(services, first).user.deleteAccount({ confirmation: first.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    // "Sign in again" went to the provider, where another account signed in: the session is now that account's.
    const second = await userWithoutPassword(1_000);
    const asSecond = callerFor(services, second);
    // The first account's identifier does not confirm the second's delete, and moves nothing of the first.
    await expect(asSecond.user.deleteAccount({ confirmation: first.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await asSecond.user.deleteAccount({ confirmation: second.id });
    await waitForDeletion(second.id);
    expect(await partition(`USER#${second.id}`)).toEqual([]);
    expect(await services.data.getUserAuth(first.id)).not.toBeNull();
    expect(await table.partitionSks(firstThread.threadId)).toContain("THREAD");
    expect(await services.data.getDeletionJob(first.id)).toBeNull();
  });

  it("keeps asking a password user for the password, however recent or old the sign-in", async () => {
    const alice = { ...(await passwordUser("correct horse battery")), signedInAt: Date.now() - 10 * RECENT_MS, signInProvider: "credentials" };
    const asAlice = callerFor(services, alice);
    expect(await asAlice.user.deleteAccountConfirmation()).toEqual({ kind: "password" });
    await expect(callerFor(services, { ...alice, signedInAt: Date.now() }).user.deleteAccount({ confirmation: alice.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await asAlice.user.deleteAccount({ confirmation: "correct horse battery" });
    expect(await services.data.getUserAuth(alice.id)).toBeNull();
    await waitForDeletion(alice.id);
  });
});
