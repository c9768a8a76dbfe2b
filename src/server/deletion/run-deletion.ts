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
const walkBound = (startedAt: string) => isoFromMicros((timestampMicros(startedAt) ?? 0) + LOCAL_CLOCK_ALLOWANCE_MICROS);

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

/** Process-wide, on globalThis as the import's runner state (import-jobs.ts): Next's bundles each load this module. */
const processSlots = ((globalThis as unknown as Record<symbol, ReturnType<typeof createSlots> | undefined>)[Symbol.for("threadbook.deletion-slots")] ??=
  createSlots(THREADS_IN_FLIGHT_PER_PROCESS));

/** Runs `job` (new, or taken over with its progress) for `runner` until it ends or stops being this runner's. */
export async function runDeletion(services: Pick<Services, "data" | "sessions">, job: DeletionJob, runner: string): Promise<void> {
  const { data } = services;
  const { userId, startedAt } = job;
  const bound = walkBound(startedAt);
  const heartbeat = setInterval(() => void data.updateDeletionJob(userId, runner, {}).catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    let current: DeletionJob | null = job;
    if (job.total === null) current = await data.updateDeletionJob(userId, runner, { total: await data.countThreadsToDelete(userId, bound) });
    let deleted = job.deleted;
    let startKey: Record<string, unknown> | undefined;
    do {
      if (!current) return; // Ended, or taken over by another process: it is theirs now.
      const page = await data.threadsToDelete(userId, bound, PAGE_SIZE, startKey);
      const gone = await mapLimited(page.threadIds, THREADS_IN_FLIGHT_PER_JOB, (threadId) => processSlots(() => data.deleteThread(threadId, { onlyOwnedBy: userId, keepIfWrittenAfter: startedAt })));
      deleted += gone.filter(Boolean).length;
      startKey = page.next;
      // The write's answer carries the kind too: an account request may have widened a running job.
      current = await data.updateDeletionJob(userId, runner, { deleted });
    } while (startKey);
    if (!current) return;
    if (current.kind === "account") {
      await data.deleteAccountItems(userId);
      services.sessions.forget(userId);
    } else {
      await data.updateDeletionJob(userId, runner, { status: "done" });
    }
    log().info("delete job finished", { kind: current.kind, deleted, resumes: current.resumes });
  } catch (error) {
    log().error("delete job failed", { kind: job.kind, error: String(error) });
    // An account job is left running: its owner is signed out and cannot ask again, so after DELETION_STALE_AFTER_MS
    // of silence the sweep (resume-deletions.ts) takes it over and tries again. What is deleted stays deleted, so a
    // threads job that failed is simply asked for again by its owner, and deletes the rest.
    const kind = (await data.getDeletionJob(userId).catch(() => null))?.kind ?? job.kind;
    if (kind === "threads") await data.updateDeletionJob(userId, runner, { status: "failed", error: String(error).slice(0, 300) }).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
  }
}
