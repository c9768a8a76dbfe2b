/**
 * Import jobs for the app. A job item is written in the user's partition first; the upload is then streamed into
 * storage under the job's own key (`threadbook-imports/{jobId}`, bounded by IMPORT_MAX_MB, never held in memory or on
 * the instance's disk), and the job runs in the background of this process, reading the upload from storage.
 *
 * Because the file is in storage and the progress in the job item, the job does not depend on this process: when its
 * runner goes silent (a restart, a crash), the next look at the job by its owner, from any instance (the dialog polls
 * `imports.get` / `imports.latest`; a new upload looks at the latest job too), takes it over and resumes it where the
 * job item says it was. The upload is deleted when the job ends, however it ends. Pure of Next: the route handler
 * passes the request's parts in.
 */
import { randomUUID } from "node:crypto";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { importProgressMark, importUploadKey, isDataError, MAX_RUNS_WITHOUT_PROGRESS, takeoverExceedsBound, type ImportJob, type StorageClient } from "@/data";
import { getLogger } from "@/data/logger";
import { processWide } from "@/data/process-wide";
import type { ImportProblem } from "@/lib/shared/import-problem";
import { importProblemEn } from "@/lib/shared/i18n/import-problems";
import type { Refusal } from "@/lib/shared/refusal";
import type { SessionUser } from "../auth/session-user";
import type { Services } from "../services";
import { chargeUpload, importAllowance } from "../upload-budget";
import { storedImportFile } from "./import-file";
import { importLimits } from "./import-limits";
import { IMPORT_STALE_AFTER_MS, keepAlive, runImport } from "./run-import";

/**
 * This process, as the `runner` of the jobs it runs, and the jobs it runs. One per process (src/data/process-wide.ts):
 * Next's route bundles and the startup hook (src/instrumentation.ts) each have their own copy of this module, and
 * must still be one runner that knows every job it runs.
 */
const shared = processWide("imports", () => ({ runner: randomUUID(), running: new Map<string, Promise<unknown>>() }));
export const THIS_RUNNER = shared.runner;

const INTERRUPTED: ImportProblem = { code: "interrupted" };
export const INTERRUPTED_MESSAGE = importProblemEn(INTERRUPTED);
/** A job whose runs keep dying with their process, the file itself likely the cause (the data layer's running-jobs.ts). */
const GIVEN_UP: ImportProblem = { code: "given-up", times: MAX_RUNS_WITHOUT_PROGRESS };

/** Jobs this process runs, so tests and the CLI can wait for one. */
const running = shared.running;
export const importsRunningHere = () => running.size;
export const waitForImport = (jobId: string) => running.get(jobId) ?? Promise.resolve();

/** Time-ordered ids (IMPORT_JOB_ID): the user's jobs list newest first by key alone. */
export const newJobId = () => `${Date.now().toString(36).padStart(10, "0")}-${randomUUID()}`;

export type StartImportResult = { status: 202; job: ImportJob } | { status: 400 | 401 | 409 | 413 | 429 | 503; error: string; refusal?: Refusal };

export const ALREADY_RUNNING = "An import is already running; wait for it to finish or cancel it first.";
const DELETION_RUNNING = "Your conversations are being deleted; import again once that has finished.";
const STORAGE_UNAVAILABLE = "File storage is unavailable right now; please try again.";

export interface ImportUpload {
  fileName: string;
  contentLength: number | null;
  body: ReadableStream<Uint8Array> | null;
}

const log = () => getLogger("Import");
function tooLarge(maxBytes: number) {
  const limitMb = Math.round(maxBytes / 1024 / 1024);
  return { status: 413, error: `The file is larger than the ${limitMb} MB an import accepts.`, refusal: { code: "import-too-large", limitMb } } as const;
}

export async function startImport(services: Services, user: SessionUser | null, upload: ImportUpload): Promise<StartImportResult> {
  if (!user) return { status: 401, error: "Sign in to continue" };
  const limits = importLimits(services.env);
  if (upload.contentLength !== null && upload.contentLength > limits.maxUploadBytes) return tooLarge(limits.maxUploadBytes);
  if (!upload.body) return { status: 400, error: "The upload has no content." };
  // One import at a time per user: each holds a file in storage and a share of the table's throughput. The file counts
  // against the user's daily upload budget (upload-budget.ts), charged beside that read.
  // Nor beside a delete job of theirs: it would delete the imported threads, whose times are the file's.
  const [[latest], budget, deletion] = await Promise.all([
    services.data.listImportJobs(user.id, 1),
    chargeUpload(services, user.id, upload.contentLength ?? limits.maxUploadBytes),
    services.data.getDeletionJob(user.id),
  ]);
  if (!budget.ok) {
    await upload.body.cancel().catch(() => undefined);
    return { status: budget.status, error: budget.error, refusal: budget.refusal };
  }
  if (deletion?.status === "running") {
    await Promise.all([upload.body.cancel().catch(() => undefined), budget.charge.settle(null)]);
    return { status: 409, error: DELETION_RUNNING, refusal: { code: "deletion-running" } };
  }
  if (latest && (await lookAfterJob(services, user.id, latest)).status === "running") {
    await Promise.all([upload.body.cancel().catch(() => undefined), budget.charge.settle(null)]);
    return { status: 409, error: ALREADY_RUNNING, refusal: { code: "import-running" } };
  }
  const fileName = (upload.fileName.trim() || "export").slice(0, 255);
  const jobId = newJobId();
  let storedBytes: number | null = null;
  try {
    // The job first: an upload cut short by a restart then has a job that says so, and that deletes what was stored.
    const job = await services.data.createImportJob(user.id, jobId, { fileName, upload: "storage", runner: THIS_RUNNER });
    const stored = await storeUpload(services, user.id, jobId, upload.body, limits.maxUploadBytes);
    if (!("error" in stored)) storedBytes = stored.bytes;
    return await startStoredJob(services, user.id, job, stored);
  } finally {
    await budget.charge.settle(storedBytes);
  }
}

/** Launches the job over its stored upload, or ends it as failed (its upload deleted) when the upload did not work. */
async function startStoredJob(services: Services, userId: string, job: ImportJob, stored: Awaited<ReturnType<typeof storeUpload>>): Promise<StartImportResult> {
  const { jobId } = job;
  if ("error" in stored) {
    await deleteUpload(services.storage, jobId);
    await services.data.updateImportJob(userId, jobId, THIS_RUNNER, { status: "failed", error: stored.error }).catch(() => undefined);
    return stored;
  }
  await services.data.updateImportJob(userId, jobId, THIS_RUNNER, { uploadBytes: stored.bytes });
  launch(services, userId, { ...job, uploadBytes: stored.bytes }, null);
  return { status: 202, job: { ...job, uploadBytes: stored.bytes } };
}

/** Streams the body into storage under the job's key, counting: past `maxBytes` the upload stops (413). */
async function storeUpload(
  services: Services,
  userId: string,
  jobId: string,
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<{ bytes: number } | { status: 400 | 413 | 503; error: string; refusal?: Refusal }> {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > maxBytes ? new Error("over the import limit") : null, chunk);
    },
  });
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  source.once("error", (error) => limiter.destroy(error));
  const stopHeartbeat = keepAlive(services.data, userId, jobId, THIS_RUNNER);
  try {
    await services.storage.uploadFile({ objectKey: importUploadKey(jobId), data: source.pipe(limiter), mime: "application/octet-stream" });
  } catch (error) {
    if (seen > maxBytes) return tooLarge(maxBytes);
    // The client went away, or storage did: a storage failure with nothing wrong on the client's side is a 503.
    if (isDataError(error, "storage") && !source.destroyed) return { status: 503, error: STORAGE_UNAVAILABLE, refusal: { code: "storage-unavailable" } };
    return { status: 400, error: "The upload did not complete; please try again." };
  } finally {
    stopHeartbeat();
  }
  if (seen === 0) return { status: 400, error: "The file is empty." };
  return { bytes: seen };
}

/** Runs the job (from the start, or from `resume`'s progress) in this process; deletes the upload once it has ended. */
function launch(services: Services, userId: string, job: ImportJob, resume: ImportJob | null) {
  const { jobId } = job;
  const run = runImport({
    data: services.data,
    userId,
    jobId,
    file: storedImportFile(services.storage, importUploadKey(jobId), job.uploadBytes ?? 0),
    limits: importLimits(services.env),
    runner: THIS_RUNNER,
    resume,
    budget: importAllowance(services, userId, job.uploadBytes ?? 0),
  })
    // null: the job is another runner's now, and so is its upload.
    .then((outcome) => (outcome ? deleteUpload(services.storage, jobId) : undefined))
    .catch((error: unknown) => log().error("import job crashed", { jobId, error: String(error) }))
    .finally(() => running.delete(jobId));
  running.set(jobId, run);
}

/** Best effort: a delete that fails leaves the upload to `npm run doctor` (docs/import-export.md, "Cleaning up"). */
export async function deleteUpload(storage: StorageClient, jobId: string): Promise<void> {
  await storage.deleteFile(importUploadKey(jobId)).catch((error: unknown) => log().warn("could not delete an import upload", { jobId, error: String(error) }));
}

const isStale = (job: ImportJob, now: number) => {
  const heardFrom = Date.parse(job.updatedAt);
  return Number.isFinite(heardFrom) && now - heardFrom > IMPORT_STALE_AFTER_MS;
};

/**
 * A job as its owner sees it, after looking after it: a running job whose runner went silent is taken over and
 * resumed here when its upload is in storage, else (a CLI job, an upload cut short, runs that keep dying with their
 * process and get nowhere) ended as
 * failed and its upload deleted. Both are conditional writes on the `updatedAt` seen, so of two instances that look at
 * once only one acts. `job` is always one read from the caller's own partition.
 */
export async function lookAfterJob(services: Services, userId: string, job: ImportJob, now = Date.now()): Promise<ImportJob> {
  return (await takeOverIfSilent(services, userId, job, now)).job;
}

/** lookAfterJob, also saying whether this call took the job over (and now runs it here). */
export async function takeOverIfSilent(services: Services, userId: string, job: ImportJob, now: number): Promise<{ job: ImportJob; tookOver: boolean }> {
  if (job.status !== "running" || running.has(job.jobId) || !isStale(job, now)) return { job, tookOver: false };
  const givenUp = takeoverExceedsBound(job, importProgressMark(job));
  const resumable = job.upload === "storage" && job.uploadBytes !== null && !givenUp;
  if (resumable) {
    const claimed = await services.data.claimImportJob(userId, job, THIS_RUNNER);
    if (claimed) {
      log().info("resuming an interrupted import", { jobId: job.jobId, done: claimed.done, resumes: claimed.resumes, runsWithoutProgress: claimed.runsWithoutProgress });
      launch(services, userId, claimed, claimed);
      return { job: claimed, tookOver: true };
    }
  } else {
    // Before the job ends: claims made after it are a new import's (one can start once it has ended).
    const endedAt = new Date().toISOString();
    if (await abandon(services, userId, job, givenUp ? GIVEN_UP : INTERRUPTED)) {
      if (job.upload === "storage") await deleteUpload(services.storage, job.jobId);
      // What its dead runner left claimed and unfinished (docs/import-export.md, "Claims").
      await services.data
        .deleteUnfinishedClaims(userId, { claimedBefore: endedAt })
        .catch((error: unknown) => log().warn("could not delete unfinished import claims", { jobId: job.jobId, error: String(error) }));
    }
  }
  return { job: (await services.data.getImportJob(userId, job.jobId)) ?? job, tookOver: false };
}

const abandon = (services: Services, userId: string, job: ImportJob, problem: ImportProblem) =>
  services.data.abandonImportJob(userId, job.jobId, job.updatedAt, importProblemEn(problem), problem);
