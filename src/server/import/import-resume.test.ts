/**
 * Imports that outlive their instance, over real dynalite and s3rver: the upload read from storage by ranges, a job
 * whose runner went silent taken over and resumed without duplicates, a job that cannot be resumed ended with its
 * upload deleted, and the job id as the only way to an upload (another user's job, or a crafted id, reaches nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importUploadKey, MAX_RUNS_WITHOUT_PROGRESS, type ImportJob, type S3StorageClient } from "@/data";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { tableOn } from "../../../test/data-fixtures";
import { zipOf } from "../../../test/import-archives";
import { INTERRUPTED_MESSAGE, lookAfterJob, newJobId, startImport, THIS_RUNNER, waitForImport } from "./import-jobs";
import { resumeInterruptedImports } from "./resume-interrupted";
import { IMPORT_STALE_AFTER_MS } from "./run-import";

type TestServices = Awaited<ReturnType<typeof createTestServices>>;
let services: TestServices;
/** S3 GetObject requests (ranged reads of uploads, reads of attachments). */
let gets = 0;

beforeAll(async () => {
  services = await createTestServices();
  (services.storage as S3StorageClient).client.middlewareStack.add(
    (next) => (args) => {
      if ((args.input as { Range?: string }).Range !== undefined) gets++;
      return next(args);
    },
    { step: "initialize", name: "countRangedGets" },
  );
});
afterAll(async () => {
  await services.close();
});

/** Claude conversations with two messages each: `from`..`to` of the same export (ids stable across files). */
const claudeConversations = (from: number, to: number) =>
  JSON.stringify(
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      return {
        uuid: `conv-${i}`,
        name: `Conversation ${i}`,
        created_at: "2024-05-02T09:00:00Z",
        chat_messages: [
          { uuid: `q${i}`, sender: "human", text: `Question ${i}`, created_at: "2024-05-02T09:00:01Z" },
          { uuid: `a${i}`, sender: "assistant", text: `Answer ${i}`, created_at: "2024-05-02T09:00:02Z" },
        ],
      };
    }),
  );

/**
 * What an instance that died mid-import leaves: the upload in storage under the job's key, and a running job of a
 * runner that will never write again, last heard from `progress.updatedAt`.
 */
async function jobOfADeadInstance(userId: string, file: Buffer, progress: Partial<ImportJob> = {}, uploadBytes: number | null = file.length) {
  const jobId = newJobId();
  await services.data.createImportJob(userId, jobId, { fileName: "export.zip", upload: "storage", runner: "dead-instance" });
  await services.storage.uploadFile({ objectKey: importUploadKey(jobId), data: file, mime: "application/octet-stream" });
  await services.data.updateImportJob(userId, jobId, "dead-instance", { uploadBytes, ...progress });
  return (await services.data.getImportJob(userId, jobId))!;
}

const later = (job: ImportJob) => Date.parse(job.updatedAt) + IMPORT_STALE_AFTER_MS + 1_000;
const uploadIsGone = (jobId: string) => expect(services.storage.readRange(importUploadKey(jobId), { start: 0, end: 1 })).rejects.toMatchObject({ code: "not_found" });
const threadsOf = async (userId: string) => (await callerFor(services, sessionUser(userId)).threads.list({ first: 100 })).data;

describe("a job whose instance died", () => {
  it("is taken over when its owner looks at it, resumed where its item says, without duplicates, and its upload deleted", async () => {
    const user = sessionUser();
    // The dead instance had written the first batch (25) and was writing the next when it died: conversations 25–29
    // are in the table too, but its item still says 25 done.
    const before = await startAndFinish(user.id, await zipOf([{ name: "conversations.json", data: claudeConversations(0, 30) }]));
    expect(before).toMatchObject({ status: "done", imported: 30 });
    const zip = await zipOf([{ name: "conversations.json", data: claudeConversations(0, 60) }]);
    const dead = await jobOfADeadInstance(user.id, zip, { format: "claude", total: 60, done: 25, imported: 25 });

    // Not silent for long enough yet: left alone.
    expect(await lookAfterJob(services, user.id, dead, Date.parse(dead.updatedAt) + 1_000)).toEqual(dead);
    const resumed = await lookAfterJob(services, user.id, dead, later(dead));
    expect(resumed).toMatchObject({ status: "running", runner: THIS_RUNNER, resumes: 1, done: 25 });
    await waitForImport(dead.jobId);

    const job = await callerFor(services, user).imports.get({ jobId: dead.jobId });
    // 25 carried over, 5 found already there (the half-written batch), 30 new.
    expect(job).toMatchObject({ status: "done", total: 60, done: 60, imported: 55, existing: 5, skippedCount: 0 });
    const names = (await threadsOf(user.id)).map((t) => t.name);
    expect(names).toHaveLength(60);
    expect(new Set(names).size).toBe(60);
    await uploadIsGone(dead.jobId);
  });

  it("is resumed by an instance as it starts, with nobody looking; of two instances sweeping at once only one takes it", async () => {
    const user = sessionUser();
    const zip = await zipOf([{ name: "conversations.json", data: claudeConversations(0, 30) }]);
    const dead = await jobOfADeadInstance(user.id, zip, { format: "claude", total: 30 });
    expect(await services.data.listRunningImportJobs()).toContainEqual({ userId: user.id, jobId: dead.jobId });

    // Just restarted: the dead runner's last heartbeat is still fresh, so the job is left alone for now.
    expect(await resumeInterruptedImports(services, { now: Date.parse(dead.updatedAt) + 1_000 })).toBe(0);
    expect(await services.data.getImportJob(user.id, dead.jobId)).toEqual(dead);

    // Two sweeps at once (two instances starting together): both see the job silent, one conditional takeover wins.
    const sweeps = await Promise.all([resumeInterruptedImports(services, { now: later(dead) }), resumeInterruptedImports(services, { now: later(dead) })]);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(1);
    await waitForImport(dead.jobId);
    expect(await services.data.getImportJob(user.id, dead.jobId)).toMatchObject({ status: "done", runner: THIS_RUNNER, resumes: 1, done: 30, imported: 30, existing: 0 });
    expect(await threadsOf(user.id)).toHaveLength(30);
    await uploadIsGone(dead.jobId);
    // An ended job leaves the running jobs' index: the next sweep does not even read it.
    expect(await services.data.listRunningImportJobs()).not.toContainEqual({ userId: user.id, jobId: dead.jobId });
  });

  it("an instance takes at most its share of interrupted jobs in a sweep; the rest wait for the next sweep", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    const file = await zipOf([{ name: "conversations.json", data: claudeConversations(0, 2) }]);
    const jobs = [await jobOfADeadInstance(alice.id, file), await jobOfADeadInstance(bob.id, file)];
    const now = Math.max(...jobs.map(later));
    expect(await resumeInterruptedImports(services, { now, maxJobsHere: 1 })).toBe(1);
    await Promise.all(jobs.map((job) => waitForImport(job.jobId)));
    expect(await resumeInterruptedImports(services, { now, maxJobsHere: 1 })).toBe(1);
    await Promise.all(jobs.map((job) => waitForImport(job.jobId)));
    for (const [user, job] of [[alice, jobs[0]!], [bob, jobs[1]!]] as const) {
      expect(await services.data.getImportJob(user.id, job.jobId)).toMatchObject({ status: "done", imported: 2, resumes: 1 });
    }
  });

  it("reads the zip from storage by its central directory in a few ranged reads, not one per entry", async () => {
    const user = sessionUser();
    const files = Array.from({ length: 2_000 }, (_, i) => ({ name: `notes/file-${i}.txt`, data: `note ${i}`, compress: false }));
    const zip = await zipOf([{ name: "conversations.json", data: claudeConversations(0, 3) }, ...files]);
    gets = 0;
    expect(await startAndFinish(user.id, zip)).toMatchObject({ status: "done", imported: 3 });
    // A 2,000-entry central directory (~130 KB) in blocks that grow to 1 MiB, then conversations.json: without the
    // block cache yauzl's two reads per entry would be over 4,000 requests.
    expect(gets).toBeLessThan(15);
  });

  it("that cannot be resumed (its upload was cut short) is ended as interrupted, and what was stored is deleted", async () => {
    const user = sessionUser();
    const dead = await jobOfADeadInstance(user.id, Buffer.from("PK partial"), {}, null);
    expect(await lookAfterJob(services, user.id, dead, later(dead))).toMatchObject({ status: "failed", error: INTERRUPTED_MESSAGE });
    await uploadIsGone(dead.jobId);
    // A job given up is never picked up again.
    const ended = (await services.data.getImportJob(user.id, dead.jobId))!;
    expect(await lookAfterJob(services, user.id, ended, later(ended))).toEqual(ended);
  });

  it("whose runs keep dying with their process, getting nowhere, is given up after the bound instead of taken over again, and never picked up again", async () => {
    const user = sessionUser();
    const zip = await zipOf([{ name: "conversations.json", data: claudeConversations(0, 2) }]);
    let job = await jobOfADeadInstance(user.id, zip, { format: "claude", total: 2 });
    expect(job).toMatchObject({ runsWithoutProgress: 1 });
    // Each takeover counts its run in its own write; each runner writes a heartbeat and its count, then dies.
    for (let run = 2; run <= MAX_RUNS_WITHOUT_PROGRESS; run++) {
      job = (await services.data.claimImportJob(user.id, job, `dead-${run}`))!;
      expect(job).toMatchObject({ runsWithoutProgress: run });
      await services.data.updateImportJob(user.id, job.jobId, `dead-${run}`, { format: "claude", total: 2, done: 0 });
      job = (await services.data.getImportJob(user.id, job.jobId))!;
    }
    expect(await resumeInterruptedImports(services, { now: later(job) })).toBe(0);
    const ended = (await services.data.getImportJob(user.id, job.jobId))!;
    expect(ended).toMatchObject({ status: "failed", error: expect.stringMatching(new RegExp(`interrupted ${MAX_RUNS_WITHOUT_PROGRESS} times`)), errorProblem: { code: "given-up" } });
    await uploadIsGone(job.jobId);
    expect(await services.data.listRunningImportJobs()).not.toContainEqual({ userId: user.id, jobId: job.jobId });
    expect(await lookAfterJob(services, user.id, ended, later(ended) + 86_400_000)).toEqual(ended);
    // Importing the file again is a new job, counted from one: it runs to the end.
    expect(await startAndFinish(user.id, zip)).toMatchObject({ status: "done", imported: 2, runsWithoutProgress: 1 });
  });

  it("that gets further between takeovers is taken over again however many times: a long import on a restless fleet finishes", async () => {
    const user = sessionUser();
    const conversations = 3 * MAX_RUNS_WITHOUT_PROGRESS;
    const zip = await zipOf([{ name: "conversations.json", data: claudeConversations(0, conversations) }]);
    let job = await jobOfADeadInstance(user.id, zip, { format: "claude", total: conversations });
    // Twice the bound of takeovers, each runner dying after one more conversation was recorded done (none written:
    // the resumed run finds them missing and writes them, as after a batch half written).
    for (let run = 1; run <= 2 * MAX_RUNS_WITHOUT_PROGRESS; run++) {
      job = (await services.data.claimImportJob(user.id, job, `dead-${run}`))!;
      await services.data.updateImportJob(user.id, job.jobId, `dead-${run}`, { done: run });
      job = (await services.data.getImportJob(user.id, job.jobId))!;
    }
    expect(job).toMatchObject({ status: "running", runsWithoutProgress: 1 });
    expect(await resumeInterruptedImports(services, { now: later(job) })).toBe(1);
    await waitForImport(job.jobId);
    expect(await services.data.getImportJob(user.id, job.jobId)).toMatchObject({ status: "done", done: conversations, resumes: 2 * MAX_RUNS_WITHOUT_PROGRESS + 1 });
    await uploadIsGone(job.jobId);
  });
});

describe("the sweep, past a job it cannot read", () => {
  it("resumes the jobs after a job item it cannot read (hostile: a status a newer version wrote, first in the index)", async () => {
    // A table of its own: exactly these two jobs are running, the unreadable one first (the oldest job id).
    const own = await createTestServices();
    try {
      const user = sessionUser();
      const unreadable = `0000000000-${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`;
      await tableOn(own.client, own.tableName).putRaw({
        PK: { S: `USER#${user.id}` },
        SK: { S: `IMPORT#${unreadable}` },
        ...{ UserThreadPK: { S: "IMPORTS#RUNNING" }, UserThreadSK: { S: unreadable } },
        ...{ jobId: { S: unreadable }, status: { S: "paused" }, updatedAt: { S: "2026-01-01T00:00:00.000Z" } },
      });
      const jobId = newJobId();
      const zip = await zipOf([{ name: "conversations.json", data: claudeConversations(0, 3) }]);
      await own.data.createImportJob(user.id, jobId, { fileName: "export.zip", upload: "storage", runner: "dead-instance" });
      await own.storage.uploadFile({ objectKey: importUploadKey(jobId), data: zip, mime: "application/octet-stream" });
      await own.data.updateImportJob(user.id, jobId, "dead-instance", { uploadBytes: zip.length, format: "claude", total: 3 });
      const dead = (await own.data.getImportJob(user.id, jobId))!;
      expect(await resumeInterruptedImports(own, { now: later(dead) })).toBe(1);
      await waitForImport(jobId);
      expect(await own.data.getImportJob(user.id, jobId)).toMatchObject({ status: "done", imported: 3 });
    } finally {
      await own.close();
    }
  });
});

describe("hostile callers", () => {
  it("bob polling alice's silent job by its id neither sees it nor takes it over; her upload stays hers", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    const dead = await jobOfADeadInstance(alice.id, await zipOf([{ name: "conversations.json", data: claudeConversations(0, 2) }]));
    await expect(callerFor(services, bob).imports.get({ jobId: dead.jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(services, bob).imports.cancel({ jobId: dead.jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await services.data.getImportJob(alice.id, dead.jobId)).toEqual(dead);
    expect((await services.storage.readRange(importUploadKey(dead.jobId), { start: 0, end: 2 })).byteLength).toBe(2);
  });

  it("a crafted job id never becomes a storage key, and reaches no job", async () => {
    for (const jobId of ["../threadbook/t/e/x.png", "0000000000-x/../../other", `${newJobId()}/extra`, "threadbook-imports/x", ""]) {
      expect(() => importUploadKey(jobId)).toThrow(/from an import job id only/);
      await expect(callerFor(services, sessionUser()).imports.get({ jobId: jobId || "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
  });
});

async function startAndFinish(userId: string, file: Buffer) {
  const started = await startImport(services, sessionUser(userId), { fileName: "export.zip", contentLength: file.length, body: new Blob([new Uint8Array(file)]).stream() });
  if (started.status !== 202) throw new Error(started.error);
  await waitForImport(started.job.jobId);
  await uploadIsGone(started.job.jobId);
  return services.data.getImportJob(userId, started.job.jobId);
}
