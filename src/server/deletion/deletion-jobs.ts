/**
 * Delete jobs for the app (docs/security.md, "Deleting everything"). Starting one writes the job item (the cutoff is
 * its start) and runs it in the background of this process; the progress lives in the item, so the job does not
 * depend on this process: when its runner goes silent (a restart), the owner's next look at it, or the periodic
 * sweep (resume-deletions.ts), takes it over and carries on. Every call names the signed-in user: a job is reached
 * only through its owner's key.
 */
import { randomUUID } from "node:crypto";
import { deletionProgressMark, MAX_RUNS_WITHOUT_PROGRESS, takeoverExceedsBound, type DeletionJob, type DeletionKind } from "@/data";
import { getLogger } from "@/data/logger";
import { processWide } from "@/data/process-wide";
import { refusedError } from "../errors";
import { lookAfterJob } from "../import/import-jobs";
import type { Services } from "../services";
import { DELETION_STALE_AFTER_MS, runDeletion } from "./run-deletion";

/** This process as a runner, and the jobs it runs (by user), one per process as the import's (import-jobs.ts). */
const shared = processWide("deletions", () => ({ runner: randomUUID(), running: new Map<string, Promise<void>>() }));
export const DELETION_RUNNER = shared.runner;
export const deletionsRunningHere = () => shared.running.size;
/** For tests and the e2e: the job this process runs for `userId`, done. */
export const waitForDeletion = (userId: string) => shared.running.get(userId) ?? Promise.resolve();

const log = () => getLogger("Deletion");

function launch(services: Services, job: DeletionJob) {
  const run = runDeletion(services, job, DELETION_RUNNER).then(() => undefined).finally(() => shared.running.delete(job.userId));
  shared.running.set(job.userId, run);
}

/**
 * Starts the user's delete job, or answers the one already running. Refused while an import of theirs runs: it
 * writes threads with the times of the file's conversations, which a cutoff by activity cannot tell from old ones.
 */
export async function startDeletion(services: Services, userId: string, kind: DeletionKind): Promise<DeletionJob> {
  const [latestImport] = await services.data.listImportJobs(userId, 1);
  if (latestImport && (await lookAfterJob(services, userId, latestImport)).status === "running") {
    throw refusedError("CONFLICT", "An import is running; wait for it to finish or cancel it first.", { code: "import-running" });
  }
  const { job, created } = await services.data.startDeletionJob(userId, kind, DELETION_RUNNER);
  if (created) {
    log().info("delete job started", { kind });
    launch(services, job);
    return job;
  }
  return lookAfterDeletion(services, job);
}

/**
 * Asks the user's running "Delete all conversations" to stop (deletion-jobs.ts in the data layer says why an account
 * job never is); the job as it is after. A job whose runner went silent is looked after first, so the cancel is
 * carried out by the runner that takes it over.
 */
export async function cancelDeletion(services: Services, userId: string): Promise<DeletionJob | null> {
  if (!(await services.data.cancelDeletionJob(userId))) {
    throw refusedError("CONFLICT", "There is no Delete all conversations running to cancel.", { code: "deletion-not-cancellable" });
  }
  const job = await services.data.getDeletionJob(userId);
  return job ? lookAfterDeletion(services, job) : null;
}

/**
 * The job as its owner sees it, after looking after it: one whose runner went silent is taken over and resumed here,
 * or ended failed when its runs keep dying with their process (lookAfterSilent).
 */
export async function lookAfterDeletion(services: Services, job: DeletionJob, now = Date.now()): Promise<DeletionJob> {
  return (await lookAfterSilent(services, job, now)).job;
}

/** The job taken over and now run here, or null when it is not silent (or another instance took it first, or it was given up). */
export async function takeOverIfSilent(services: Services, job: DeletionJob, now: number): Promise<DeletionJob | null> {
  const looked = await lookAfterSilent(services, job, now);
  return looked.tookOver ? looked.job : null;
}

/** What the job's owner reads when its runs kept stopping with their process: the same failed state, and Try again. */
export const GIVEN_UP_MESSAGE = `The deletion was interrupted ${MAX_RUNS_WITHOUT_PROGRESS} times without getting further, so it was stopped.`;

async function lookAfterSilent(services: Services, job: DeletionJob, now: number): Promise<{ job: DeletionJob; tookOver: boolean }> {
  const heardFrom = Date.parse(job.updatedAt);
  if (job.status !== "running" || shared.running.has(job.userId) || !(now - heardFrom > DELETION_STALE_AFTER_MS)) return { job, tookOver: false };
  // A failed run's backoff (run-deletion.ts, MAX_ACCOUNT_ATTEMPTS): not before.
  if (job.retryAt !== null && now < Date.parse(job.retryAt)) return { job, tookOver: false };
  // Its runs keep taking their process down (data layer, running-jobs.ts): ended failed, as a run that threw too often
  // is: a threads job for its owner's Try again, an account job kept for a sign-in again or `npm run user -- remove`.
  if (takeoverExceedsBound(job, deletionProgressMark(job))) {
    const ended = await services.data.giveUpDeletionJob(job.userId, job, GIVEN_UP_MESSAGE, { keep: job.kind === "account" });
    if (ended) log().error("delete job given up: its runs keep stopping with their process", { kind: job.kind, deleted: job.deleted, runs: job.runsWithoutProgress });
    return { job: ended ?? job, tookOver: false };
  }
  const claimed = await services.data.claimDeletionJob(job.userId, DELETION_RUNNER, job);
  if (!claimed) return { job, tookOver: false };
  log().info("resuming an interrupted delete job", { kind: claimed.kind, deleted: claimed.deleted, resumes: claimed.resumes, runsWithoutProgress: claimed.runsWithoutProgress });
  launch(services, claimed);
  return { job: claimed, tookOver: true };
}
