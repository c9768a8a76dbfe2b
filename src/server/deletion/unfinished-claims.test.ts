/**
 * What imports leave unfinished, and the delete jobs' limits, over real dynalite and s3rver (docs/import-export.md,
 * "Claims"; docs/security.md, "Deleting everything"): a claim never finished is listed among its user's claims and
 * nowhere else (Chainlit's list_threads included), and goes with "Delete all conversations", "Delete my account", the
 * job that leaves it and the user's next import; an account job that keeps failing stops after a bounded number of
 * runs spaced by a backoff, shown as failed and run again on request; "Delete all conversations" can be cancelled,
 * "Delete my account" cannot.
 *
 * And a delete job whose runs take their process down (the data layer's running-jobs.ts). Such a run never throws, so
 * no failure is counted: it is only seen as silence, and silence is a takeover. A crash is simulated as the takeover
 * tests do it: a runner of another instance claims the job, writes a heartbeat, and is never heard from again; the
 * sweep then looks with its clock past the silence. Each test fails without its rule: the count in the claim, the
 * bound, the progress that starts the count again.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBDataLayer, MAX_RUNS_WITHOUT_PROGRESS, type DeletionJob } from "@/data";
import { directSenderOf } from "@/data/dynamo/dynamo-direct";
import { DataError } from "@/data/errors";
import { chainlitListThreads } from "../../../test/chainlit-reads";
import { chainlitThread, chainlitUpdateThread, tableOn, type TestTable } from "../../../test/data-fixtures";
import { callerFor, createTestServices, seedThread, sessionUser } from "../../../test/callers";
import { startImport, takeOverIfSilent as lookAfterImport, waitForImport } from "../import/import-jobs";
import { IMPORT_STALE_AFTER_MS } from "../import/run-import";
import { GIVEN_UP_MESSAGE, waitForDeletion } from "./deletion-jobs";
import { resumeInterruptedDeletions } from "./resume-deletions";
import { DELETION_STALE_AFTER_MS, MAX_ACCOUNT_ATTEMPTS, retryDelayMs, runDeletion } from "./run-deletion";

let services: Awaited<ReturnType<typeof createTestServices>>;
let table: TestTable;
/** Interceptors a test installed on the layer's client, removed after it. */
const stops: Array<() => void> = [];
beforeAll(async () => {
  services = await createTestServices();
  table = tableOn(services.client, services.tableName);
});
afterEach(() => stops.splice(0).forEach((stop) => stop()));
afterAll(() => services.close());

const exists = async (objectKey: string) => services.storage.size(objectKey).then(() => true, () => false);
const intercept = (...args: Parameters<NonNullable<ReturnType<typeof directSenderOf>>["intercept"]>) => stops.push(directSenderOf(services.client)!.intercept(...args));

const conversation = (id: string, word: string) => ({
  id,
  name: `Imported ${word}`,
  createdAt: "2024-05-01T10:00:00.000000Z",
  updatedAt: "2024-05-01T10:05:00.000000Z",
  metadata: { importedFrom: "chatgpt", sourceId: id },
  steps: [0, 1].map((i) => ({
    id: `${id}-s${i}`,
    threadId: id,
    type: i ? "assistant_message" : "user_message",
    name: i ? "ChatGPT" : "me",
    output: `${word} text ${i}`,
    createdAt: `2024-05-01T10:00:0${i + 1}.000000Z`,
    start: `2024-05-01T10:00:0${i + 1}.000000Z`,
    end: `2024-05-01T10:00:0${i + 1}.000000Z`,
  })),
});

/**
 * An import of one conversation whose runner dies before its finishing PutItem: the claim stays with its steps, their
 * postings and docs. Then a file under it, as Chainlit's create_element writes one (its item and its blob).
 */
async function interruptedClaim(userId: string, word = "zanzibar") {
  const threadId = `t-${randomUUID()}`;
  const stop = directSenderOf(services.client)!.intercept(async ({ operation, input }, next) => {
    if (operation === "PutItem" && String(input.ConditionExpression).startsWith("#claim = :claim") && JSON.stringify(input.Item).includes(`THREAD#${threadId}`)) {
      stop();
      throw new DataError("unavailable", "the instance died here");
    }
    return next();
  });
  await expect(services.data.importThreads(userId, [conversation(threadId, word)])).rejects.toMatchObject({ code: "unavailable" });
  const { element, objectKey } = chainlitThread(userId, threadId);
  await table.putRaw(element);
  await services.storage.uploadFile({ objectKey, data: "a file", mime: "text/plain" });
  return { threadId, objectKey };
}

const claimsOf = async (userId: string) => (await services.data.context.doc.send(
  new (await import("@aws-sdk/lib-dynamodb")).QueryCommand({
    TableName: services.tableName,
    IndexName: "UserThread",
    KeyConditionExpression: "UserThreadPK = :pk",
    ExpressionAttributeValues: { ":pk": `IMPORT_CLAIMS#${userId}` },
  }),
)).Items?.map((item) => String(item.id)) ?? [];

describe("an import's claim never finished", () => {
  it("is listed among its user's claims only: not in Chainlit's list_threads, the sidebar or search", async () => {
    const alice = sessionUser();
    const { threadId } = await interruptedClaim(alice.id, "quetzalcoatl");
    // A Chainlit session on it saving its metadata (update_thread naming no user) bumps it, and keeps it a claim.
    await chainlitUpdateThread(table, threadId, { at: new Date().toISOString(), metadata: {} });
    expect(await claimsOf(alice.id)).toEqual([threadId]);
    expect(await chainlitListThreads(table, alice.id)).toEqual([]);
    const asAlice = callerFor(services, alice);
    expect((await asAlice.threads.list({})).data).toEqual([]);
    // Its steps' postings are written: search must not take the claim, which has index keys, for a listed thread.
    await asAlice.search.prepare();
    expect((await asAlice.search.query({ query: "quetzalcoatl" })).data).toEqual([]);
  });

  it("goes with Delete all conversations: its steps, postings and file; another user's claim stays", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    const listed = await seedThread(services, alice.id, "Listed");
    const claim = await interruptedClaim(alice.id);
    await chainlitUpdateThread(table, claim.threadId, { at: new Date().toISOString(), metadata: {} });
    const bobs = await interruptedClaim(bob.id);
    const asAlice = callerFor(services, alice);
    await asAlice.user.deleteAllThreads();
    await waitForDeletion(alice.id);
    expect(await asAlice.user.deletion()).toMatchObject({ status: "done", total: 2, deleted: 2 });
    for (const threadId of [listed.threadId, claim.threadId]) expect(await table.partitionSks(threadId)).toEqual([]);
    expect(await exists(claim.objectKey)).toBe(false);
    expect(await table.postingsOf(alice.id)).toEqual([]);
    expect(await claimsOf(alice.id)).toEqual([]);
    expect(await table.partitionSks(bobs.threadId)).toContain("THREAD");
    expect(await exists(bobs.objectKey)).toBe(true);
    expect(await claimsOf(bob.id)).toEqual([bobs.threadId]);
  });

  it("goes with Delete my account", async () => {
    const alice = { ...sessionUser(), signedInAt: Date.now(), signInProvider: "oidc" };
    await services.data.createUser({ identifier: alice.id, metadata: {} });
    const claim = await interruptedClaim(alice.id);
    await callerFor(services, alice).user.deleteAccount({ confirmation: alice.id });
    await waitForDeletion(alice.id);
    expect(await table.partitionSks(claim.threadId)).toEqual([]);
    expect(await exists(claim.objectKey)).toBe(false);
    expect(await claimsOf(alice.id)).toEqual([]);
  });

  it("goes when the user's next import starts; a row whose item is not (or no longer) their claim is only unlisted", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    const claim = await interruptedClaim(alice.id);
    // A claim whose mark was taken off (dropClaimMark's second write did not land) is a thread of someone's now.
    const unmarked = await interruptedClaim(alice.id);
    const item = (await table.raw(`THREAD#${unmarked.threadId}`, "THREAD"))!;
    const { importClaim: _mark, ...withoutMark } = item;
    await table.putRaw(withoutMark);
    // Bob's claim filed under Alice's claims (a forged row): the row proposes, the item decides.
    const forged = await interruptedClaim(bob.id);
    await table.putRaw({ ...(await table.raw(`THREAD#${forged.threadId}`, "THREAD"))!, UserThreadPK: { S: `IMPORT_CLAIMS#${alice.id}` } });

    const file = JSON.stringify([{ uuid: "c1", name: "Fresh", created_at: "2024-05-02T09:00:00Z", chat_messages: [{ uuid: "q", sender: "human", text: "hi", created_at: "2024-05-02T09:00:01Z" }] }]);
    const data = Buffer.from(file);
    const started = await startImport(services, alice, { fileName: "conversations.json", contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
    if (started.status !== 202) throw new Error(started.error);
    await waitForImport(started.job.jobId);

    expect(await table.partitionSks(claim.threadId)).toEqual([]);
    expect(await exists(claim.objectKey)).toBe(false);
    expect(await table.partitionSks(unmarked.threadId)).toContain("THREAD");
    expect(await table.plain(`THREAD#${unmarked.threadId}`, "THREAD")).not.toHaveProperty("UserThreadPK");
    expect(await table.partitionSks(forged.threadId)).toContain("THREAD");
    expect(await exists(forged.objectKey)).toBe(true);
    // Both rows left Alice's claims; the items stay as they are.
    expect(await claimsOf(alice.id)).toEqual([]);
    expect((await callerFor(services, alice).threads.list({})).data.map((t) => t.name)).toEqual(["Fresh"]);
  });

  it("goes when the sweep ends the import its dead runner left", async () => {
    const alice = sessionUser();
    const claim = await interruptedClaim(alice.id);
    const jobId = `${Date.now().toString(36).padStart(10, "0")}-${randomUUID()}`;
    // A CLI import (its file on a machine of its own): it cannot be resumed, so it is ended as interrupted.
    const job = await services.data.createImportJob(alice.id, jobId, { fileName: "export.zip", upload: "local", runner: "dead-cli" });
    const looked = await lookAfterImport(services, alice.id, job, Date.now() + IMPORT_STALE_AFTER_MS + 1_000);
    expect(looked.job.status).toBe("failed");
    expect(await table.partitionSks(claim.threadId)).toEqual([]);
    expect(await claimsOf(alice.id)).toEqual([]);
  });
});

describe("an account job that keeps failing", () => {
  it("is run again only after its backoff, at most MAX_ACCOUNT_ATTEMPTS times, then left failed, kept and run again on request", async () => {
    const alice = { ...sessionUser(), signedInAt: Date.now(), signInProvider: "oidc" };
    await services.data.createUser({ identifier: alice.id, metadata: {} });
    const thread = await seedThread(services, alice.id, "Kept by the failures");
    let failing = true;
    intercept(async ({ operation, input }, next) => {
      if (failing && operation === "Query" && JSON.stringify(input).includes(`IMPORT_CLAIMS#${alice.id}`)) throw new DataError("unavailable", "the table is down");
      return next();
    });
    await callerFor(services, alice).user.deleteAccount({ confirmation: alice.id });
    await waitForDeletion(alice.id);
    for (let failures = 1; failures < MAX_ACCOUNT_ATTEMPTS; failures++) {
      const job = (await services.data.getDeletionJob(alice.id))!;
      expect(job).toMatchObject({ kind: "account", status: "running", failures, error: expect.stringContaining("the table is down") });
      const heardAt = Date.parse(job.updatedAt);
      // Silent long enough to be taken over, but still inside its backoff (from the second failure on): left alone.
      if (retryDelayMs(failures) > DELETION_STALE_AFTER_MS) expect(await resumeInterruptedDeletions(services, { now: heardAt + DELETION_STALE_AFTER_MS + 1_000 })).toBe(0);
      expect(await resumeInterruptedDeletions(services, { now: heardAt + retryDelayMs(failures) + 1_000 })).toBe(1);
      await waitForDeletion(alice.id);
    }
    const failed = (await services.data.getDeletionJob(alice.id))!;
    expect(failed).toMatchObject({ status: "failed", failures: MAX_ACCOUNT_ATTEMPTS });
    // Kept (no expiry), and no sweep runs it again.
    expect(await table.plain(`USER#${alice.id}`, "DELETION")).not.toHaveProperty("expiresAt");
    expect(await resumeInterruptedDeletions(services, { now: Date.now() + 86_400_000 })).toBe(0);
    expect(await table.partitionSks(thread.threadId)).toContain("THREAD");

    // Signed in again (an OAuth sign-in makes the user again), they see it failed and run it again.
    failing = false;
    await services.data.createUser({ identifier: alice.id, metadata: {} });
    const again = callerFor(services, { ...alice, signedInAt: Date.now() });
    expect(await again.user.deletion()).toMatchObject({ kind: "account", status: "failed" });
    await again.user.deleteAccount({ confirmation: alice.id });
    await waitForDeletion(alice.id);
    expect(await table.partitionSks(thread.threadId)).toEqual([]);
    expect(await services.data.getDeletionJob(alice.id)).toBeNull();
  });
});

describe("cancelling", () => {
  it("stops Delete all conversations after the page in hand: those deleted stay deleted, the rest are kept", async () => {
    const alice = sessionUser();
    for (let i = 0; i < 52; i++) await services.data.createThread(randomUUID(), alice.id);
    const asAlice = callerFor(services, alice);
    await expect(asAlice.user.cancelDeletion()).rejects.toMatchObject({ code: "CONFLICT" });
    const { job } = await services.data.startDeletionJob(alice.id, "threads", "test-runner");
    // The owner cancels while the first page is being deleted.
    let asked = false;
    intercept(async ({ operation, input }, next) => {
      if (!asked && operation === "DeleteItem" && JSON.stringify(input).includes("THREAD#")) {
        asked = true;
        expect(await asAlice.user.cancelDeletion()).toMatchObject({ status: "running", cancelling: true });
      }
      return next();
    });
    expect(await runDeletion(services, job, "test-runner")).toBeNull();
    expect(await asAlice.user.deletion()).toMatchObject({ status: "cancelled", total: 52, deleted: 50, cancelling: false });
    expect((await asAlice.threads.list({ first: 100 })).data).toHaveLength(2);
    // Asked again, it deletes the rest.
    await asAlice.user.deleteAllThreads();
    await waitForDeletion(alice.id);
    expect((await asAlice.threads.list({ first: 100 })).data).toEqual([]);
  });

  it("is refused for Delete my account, also for a Delete all conversations widened to it", async () => {
    const alice = sessionUser();
    await services.data.createThread(randomUUID(), alice.id);
    const asAlice = callerFor(services, alice);
    const { job } = await services.data.startDeletionJob(alice.id, "account", "a-live-runner");
    await expect(asAlice.user.cancelDeletion()).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await services.data.getDeletionJob(alice.id)).toEqual(job);

    const bob = sessionUser();
    await services.data.startDeletionJob(bob.id, "threads", "a-live-runner");
    expect(await services.data.cancelDeletionJob(bob.id)).toBe(true);
    // Widened after the cancel was asked: the account job runs to its end.
    const { job: widened } = await services.data.startDeletionJob(bob.id, "account", "another");
    expect(widened).toMatchObject({ kind: "account", cancelRequested: false });
    await expect(callerFor(services, bob).user.cancelDeletion()).rejects.toMatchObject({ code: "CONFLICT" });
    for (const userId of [alice.id, bob.id]) await services.data.updateDeletionJob(userId, "a-live-runner", { status: "done" });
  });
});

const later = (job: DeletionJob) => Date.parse(job.updatedAt) + DELETION_STALE_AFTER_MS + 1_000;
const jobOf = async (userId: string) => (await services.data.getDeletionJob(userId))!;

/** Another instance takes the silent job over and dies with its process: a heartbeat, maybe progress, then nothing. */
async function takenOverAndCrashed(userId: string, runner: string, progress: { deleted?: number } = {}) {
  const claimed = await services.data.claimDeletionJob(userId, runner, await jobOf(userId));
  expect(claimed).not.toBeNull();
  await services.data.updateDeletionJob(userId, runner, {});
  // A page with nothing deleted writes the same count: not progress.
  await services.data.updateDeletionJob(userId, runner, { deleted: claimed!.deleted, ...progress });
  return claimed!;
}

describe("the sweep of running delete jobs", () => {
  it("reaches a silent job behind more running jobs than a sweep reads (hostile: 25 users whose identifiers sort first keep theirs running)", async () => {
    // A table of its own: exactly these jobs are running.
    const own = await createTestServices();
    try {
      const tenMinutesAgo = new DynamoDBDataLayer({ tableName: own.tableName, client: own.client, storageProvider: own.storage, cursorSecret: randomUUID(), clock: () => new Date(Date.now() - 600_000) });
      // Running well on another instance (heard from just now), and first in the index's order.
      for (let i = 0; i < 25; i++) await own.data.startDeletionJob(`0-${String(i).padStart(2, "0")}-${randomUUID()}@example.com`, "threads", "alive-elsewhere");
      // An account deletion whose instance died ten minutes ago: its owner is signed out and never looks.
      const victim = `z-${randomUUID()}@example.com`;
      await tenMinutesAgo.startDeletionJob(victim, "account", "dead");
      const resumed = [await resumeInterruptedDeletions(own), await resumeInterruptedDeletions(own)];
      expect(resumed.reduce((a, b) => a + b)).toBe(1);
      await waitForDeletion(victim);
      expect(await own.data.getDeletionJob(victim)).toBeNull();
    } finally {
      await own.close();
    }
  });
});

describe("the sweep of running delete jobs, past one it cannot read", () => {
  it("looks after the jobs after a job item it cannot read (hostile: a kind a newer version wrote, first in the index)", async () => {
    const own = await createTestServices();
    try {
      const unreadable = `0-${randomUUID()}@example.com`;
      await tableOn(own.client, own.tableName).putRaw({
        PK: { S: `USER#${unreadable}` },
        SK: { S: "DELETION" },
        ...{ UserThreadPK: { S: "DELETIONS#RUNNING" }, UserThreadSK: { S: `USER#${unreadable}` } },
        ...{ kind: { S: "archive" }, status: { S: "running" }, startedAt: { S: "2026-01-01T00:00:00.000000Z" }, updatedAt: { S: "2026-01-01T00:00:00.000000Z" } },
      });
      const tenMinutesAgo = new DynamoDBDataLayer({ tableName: own.tableName, client: own.client, storageProvider: own.storage, cursorSecret: randomUUID(), clock: () => new Date(Date.now() - 600_000) });
      const victim = `1-${randomUUID()}@example.com`;
      await tenMinutesAgo.startDeletionJob(victim, "account", "dead");
      expect(await resumeInterruptedDeletions(own)).toBe(1);
      await waitForDeletion(victim);
      expect(await own.data.getDeletionJob(victim)).toBeNull();
    } finally {
      await own.close();
    }
  });
});

describe("a delete job whose runs keep taking their process down", () => {
  it("is counted at each start, ended failed after the bound instead of taken over again, never picked up again, and run on Try again", async () => {
    const alice = sessionUser();
    const thread = await seedThread(services, alice.id, "Kept by the crashes");
    // The first run: started by an instance that died with it.
    await services.data.startDeletionJob(alice.id, "threads", "dead-0");
    expect(await jobOf(alice.id)).toMatchObject({ runsWithoutProgress: 1 });
    for (let run = 2; run <= MAX_RUNS_WITHOUT_PROGRESS; run++) {
      // Counted in the claim's own write.
      expect(await takenOverAndCrashed(alice.id, `dead-${run}`)).toMatchObject({ runsWithoutProgress: run, status: "running" });
    }

    // The next takeover would start one run too many that gets nowhere: the sweep ends the job failed instead.
    const silent = await jobOf(alice.id);
    expect(await resumeInterruptedDeletions(services, { now: later(silent) })).toBe(0);
    const failed = await jobOf(alice.id);
    expect(failed).toMatchObject({ status: "failed", error: GIVEN_UP_MESSAGE, runner: `dead-${MAX_RUNS_WITHOUT_PROGRESS}` });
    // What its owner sees is a failed delete (the sidebar's Try again), as after a run that threw.
    expect(await callerFor(services, alice).user.deletion()).toMatchObject({ status: "failed" });
    // Out of the running jobs' index, expiring as a finished job does, and no later sweep or look runs it.
    expect(await services.data.listRunningDeletionJobs()).not.toContain(alice.id);
    expect(await table.plain(`USER#${alice.id}`, "DELETION")).toHaveProperty("expiresAt");
    expect(await resumeInterruptedDeletions(services, { now: later(failed) + 86_400_000 })).toBe(0);
    expect(await jobOf(alice.id)).toEqual(failed);
    expect(await table.partitionSks(thread.threadId)).toContain("THREAD");

    // Try again is a new job, counted from one: it runs, here, to the end.
    const again = await callerFor(services, alice).user.deleteAllThreads();
    expect(again).toMatchObject({ status: "running" });
    await waitForDeletion(alice.id);
    expect(await jobOf(alice.id)).toMatchObject({ status: "done", deleted: 1, runsWithoutProgress: 1, resumes: 0 });
    expect(await table.partitionSks(thread.threadId)).toEqual([]);
  });

  it("Delete my account given up is kept, without an expiry, for a sign-in again or the operator", async () => {
    const alice = sessionUser();
    await services.data.startDeletionJob(alice.id, "account", "dead-0");
    for (let run = 2; run <= MAX_RUNS_WITHOUT_PROGRESS; run++) await takenOverAndCrashed(alice.id, `dead-${run}`);
    expect(await resumeInterruptedDeletions(services, { now: later(await jobOf(alice.id)) })).toBe(0);
    expect(await jobOf(alice.id)).toMatchObject({ kind: "account", status: "failed", error: GIVEN_UP_MESSAGE });
    expect(await table.plain(`USER#${alice.id}`, "DELETION")).not.toHaveProperty("expiresAt");
  });

  it("that deletes a page between crashes is taken over again however many times: a long job on a restless fleet finishes", async () => {
    const alice = sessionUser();
    const thread = await seedThread(services, alice.id, "Deleted in the end");
    await services.data.startDeletionJob(alice.id, "threads", "dead-0");
    // Twice the bound of takeovers, each dying after one more page was recorded.
    for (let run = 1; run <= 2 * MAX_RUNS_WITHOUT_PROGRESS; run++) {
      await takenOverAndCrashed(alice.id, `dead-${run}`, { deleted: run });
    }
    expect(await jobOf(alice.id)).toMatchObject({ status: "running", runsWithoutProgress: 1 });
    expect(await resumeInterruptedDeletions(services, { now: later(await jobOf(alice.id)) })).toBe(1);
    await waitForDeletion(alice.id);
    expect(await jobOf(alice.id)).toMatchObject({ status: "done", resumes: 2 * MAX_RUNS_WITHOUT_PROGRESS + 1 });
    expect(await table.partitionSks(thread.threadId)).toEqual([]);
  });

  it("an item written before runs were counted is taken over and counted from there", async () => {
    const alice = sessionUser();
    await services.data.startDeletionJob(alice.id, "threads", "old-version");
    await services.data.context.doc.send(
      new (await import("@aws-sdk/lib-dynamodb")).UpdateCommand({ TableName: services.tableName, Key: { PK: `USER#${alice.id}`, SK: "DELETION" }, UpdateExpression: "REMOVE runsWithoutProgress, progressAtStart" }),
    );
    expect(await jobOf(alice.id)).toMatchObject({ status: "running", runsWithoutProgress: 0, progressAtStart: 0 });
    expect(await takenOverAndCrashed(alice.id, "dead-1")).toMatchObject({ runsWithoutProgress: 1 });
  });
});
