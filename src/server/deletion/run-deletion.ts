/**
 * Runs a delete job in this process (docs/security.md, "Deleting everything"): counts the threads up to the cutoff,
 * then deletes them page by page with the app's one complete delete (deleteThread: elements and their files, feedback
 * markers, search postings, shares and their copies, the pin), writing progress after every page. An account job
 * then deletes every item keyed by the user, itself included.
 *
 * Bounded so that one user's thousands of threads cannot starve the server or the table: each job deletes
 * THREADS_IN_FLIGHT_PER_JOB threads at a time, and all the jobs of a process share THREADS_IN_FLIGHT_PER_PROCESS
 * slots (each thread delete is itself a few bounded batches, delete-thread.ts).
 */
import { isoFromMicros, mapLimited, timestampMicros, type DeletionJob } from "@/data";
import { getLogger } from "@/data/logger";
import { processWide } from "@/data/process-wide";
import type { Services } from "../services";

const PAGE_SIZE = 50;
const THREADS_IN_FLIGHT_PER_JOB = 4;
export const THREADS_IN_FLIGHT_PER_PROCESS = 8;
/** How often a runner says it is alive, and how long a silence makes a job someone else's to take over. */
const HEARTBEAT_MS = 20_000;
export const DELETION_STALE_AFTER_MS = 90_000;

/**
 * How far past the cutoff the index is walked. A Chainlit host not on UTC files its threads by its local clock marked
 * as UTC (docs/chainlit.md, "Timestamps"): up to 14 hours ahead (UTC+14). Rows that far ahead are proposed too, and
 * each thread's own true-UTC stamps decide whether it was written after the start (deleteThread's
 * `keepIfWrittenAfter`, true-activity.ts).
 */
const LOCAL_CLOCK_ALLOWANCE_MICROS = 14 * 3_600_000_000;
export const walkBound = (startedAt: string) => isoFromMicros((timestampMicros(startedAt) ?? 0) + LOCAL_CLOCK_ALLOWANCE_MICROS);

const log = () => getLogger("Deletion");

/** A counting semaphore: at most `size` of the functions given to `run` run at once, the others wait in order. */
export function createSlots(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  return async function run<T>(work: () => Promise<T>): Promise<T> {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** One per process (src/data/process-wide.ts), as the import's runner state: Next's bundles each load this module. */
export const processSlots = processWide("deletion-slots", () => createSlots(THREADS_IN_FLIGHT_PER_PROCESS));

/**
 * How many runs of an account job may fail before it is left `failed`: each failed run is taken over again by the
 * sweep (resume-deletions.ts) only after its backoff, `retryDelayMs`. A job that fails every time (a file storage
 * refuses to delete, a table that throttles it) would otherwise be run again every 90 s forever.
 */
export const MAX_ACCOUNT_ATTEMPTS = 5;
/** 90 s, 3, 6, 12 minutes after the first, second, third and fourth failure. */
export const retryDelayMs = (failures: number) => DELETION_STALE_AFTER_MS * 2 ** Math.max(0, failures - 1);

/**
 * Runs `job` (new, or taken over with its progress) for `runner` until it ends or stops being this runner's. How many
 * threads (and unfinished claims) it deleted when it finished; null when it failed, was cancelled or is someone else's.
 */
export async function runDeletion(services: { data: Services["data"]; sessions: Pick<Services["sessions"], "forget"> }, job: DeletionJob, runner: string): Promise<number | null> {
  const { data } = services;
  const { userId, startedAt } = job;
  const bound = walkBound(startedAt);
  const heartbeat = setInterval(() => void data.updateDeletionJob(userId, runner, {}).catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  /** Ends a threads job its owner cancelled; true when it did (the job is no longer to be run). */
  const cancelled = async (seen: DeletionJob) => {
    if (seen.kind !== "threads" || !seen.cancelRequested) return false;
    await data.updateDeletionJob(userId, runner, { status: "cancelled" });
    log().info("delete job cancelled", { deleted: seen.deleted });
    return true;
  };
  try {
    let current: DeletionJob | null = job;
    if (job.total === null) {
      // The threads filed up to the cutoff, and what the user's imports left unfinished (unfinished-claims.ts).
      const [threads, claims] = await Promise.all([data.countThreadsToDelete(userId, bound), data.countUnfinishedClaims(userId)]);
      current = await data.updateDeletionJob(userId, runner, { total: threads + claims });
    }
    let deleted = job.deleted;
    let startKey: Record<string, unknown> | undefined;
    do {
      if (!current) return null; // Ended, or taken over by another process: it is theirs now.
      if (await cancelled(current)) return null;
      const page = await data.threadsToDelete(userId, bound, PAGE_SIZE, startKey);
      const gone = await mapLimited(page.threadIds, THREADS_IN_FLIGHT_PER_JOB, (threadId) => processSlots(() => data.deleteThread(threadId, { onlyOwnedBy: userId, keepIfWrittenAfter: startedAt })));
      deleted += gone.filter(Boolean).length;
      startKey = page.next;
      // The write's answer carries the kind too: an account request may have widened a running job.
      current = await data.updateDeletionJob(userId, runner, { deleted });
    } while (startKey);
    if (!current || (await cancelled(current))) return null;
    // The claims of imports never finished: no list shows them, so the walk above never met them. No import of the
    // user runs beside a delete job (both refuse to start beside the other), so every claim left is abandoned.
    const claims = await data.deleteUnfinishedClaims(userId);
    if (claims > 0) current = await data.updateDeletionJob(userId, runner, { deleted: (deleted += claims) });
    if (!current) return null;
    if (current.kind === "account") {
      await data.deleteAccountItems(userId);
      services.sessions.forget(userId);
    } else {
      await data.updateDeletionJob(userId, runner, { status: "done" });
    }
    log().info("delete job finished", { kind: current.kind, deleted, resumes: current.resumes });
    return deleted;
  } catch (error) {
    log().error("delete job failed", { kind: job.kind, error: String(error) });
    await recordFailure(data, job, runner, error).catch(() => undefined);
    return null;
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * A threads job that failed ends `failed`: what is deleted stays deleted, and its owner asks again (the sidebar's
 * Try again). An account job's owner is signed out and cannot: it stays running, its next run not before its backoff
 * (the sweep takes it over then), until MAX_ACCOUNT_ATTEMPTS runs have failed; then it ends `failed` and is kept (no
 * expiry), for a sign-in again to show and `npm run user -- remove` to finish.
 */
async function recordFailure(data: Services["data"], job: DeletionJob, runner: string, error: unknown): Promise<void> {
  const latest = (await data.getDeletionJob(job.userId).catch(() => null)) ?? job;
  const message = String(error).slice(0, 300);
  if (latest.kind === "threads") {
    await data.updateDeletionJob(job.userId, runner, { status: "failed", error: message });
    return;
  }
  const failures = latest.failures + 1;
  if (failures >= MAX_ACCOUNT_ATTEMPTS) {
    log().error("account deletion failed for good; its owner or `npm run user -- remove` can run it again", { failures });
    await data.updateDeletionJob(job.userId, runner, { status: "failed", failures, error: message }, { keep: true });
    return;
  }
  await data.updateDeletionJob(job.userId, runner, { failures, retryAt: new Date(Date.now() + retryDelayMs(failures)).toISOString(), error: message });
}
