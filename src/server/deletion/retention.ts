/**
 * "Delete conversations older than…" (docs/security.md, "Retention"), run by the server whether or not its user is
 * online. Every RETENTION_SWEEP_MS one Query lists the users whose run is due (the data layer's retention.ts); each is
 * claimed with a conditional write, so of two instances one runs it. A run deletes, with the app's one complete
 * delete (deleteThread, as "Delete all conversations"), the user's threads last active before the cutoff, except
 * pinned ones; it is bounded (RUN_LIMITS: pages of the index) and stores where it stopped, so the next sweep goes
 * on from there; a finished walk is due again a day later.
 *
 * What decides, per thread, is the thread's own partition, never an index row: `onlyOwnedBy` (the THREAD item's
 * owner) and `keepIfWrittenAfter: cutoff` (its true-UTC stamps, true-activity.ts), so a thread written after the
 * cutoff was computed, by either app, is kept. The walk goes LOCAL_CLOCK_ALLOWANCE past the cutoff as the delete
 * jobs' does (run-deletion.ts): a Chainlit host east of UTC files its threads hours ahead.
 */
import { isoFromMicros, mapLimited, MAX_RUNS_WITHOUT_PROGRESS } from "@/data";
import { getLogger } from "@/data/logger";
import { lifecycle } from "../lifecycle/lifecycle";
import { runPeriodically } from "../lifecycle/periodic";
import type { Services } from "../services";
import { processSlots, walkBound } from "./run-deletion";

export const RETENTION_SWEEP_MS = 10 * 60_000;
const USERS_PER_SWEEP = 10;
/** A run's bound: PAGES_PER_RUN pages of PAGE_SIZE index rows (tests pass smaller ones). */
export const RUN_LIMITS = { pageSize: 50, pages: 4 };
const THREADS_IN_FLIGHT = 4;
/** Runs failing one after another in a sweep that end it: the store, not the users, is failing then. */
const SYSTEMIC_FAILURES = 2;
/** How long a claimed run is this runner's; a runner that dies leaves the user due again after it. */
const LEASE_MS = 5 * 60_000;
/** A finished walk is due again after a day: the period is in days. */
export const RETENTION_EVERY_MS = 86_400_000;
const DAY_MS = 86_400_000;

const iso = (ms: number) => isoFromMicros(ms * 1000);
const log = () => getLogger("Retention");

type RetentionServices = Pick<Services, "data">;

/** One sweep: the due users, run one after another; how many threads it deleted. */
export async function sweepRetention(services: RetentionServices, { now = Date.now(), limits = RUN_LIMITS } = {}): Promise<number> {
  let deleted = 0;
  let failedInARow = 0;
  for (const { userId, due } of await services.data.listDueRetentions(iso(now), USERS_PER_SWEEP)) {
    if (lifecycle().draining) break;
    // A run that throws (storage refusing one of the user's files, a throttled table) is that user's alone: its claim
    // has counted it (runsWithoutProgress, so it is stopped after the bound), and the users due after it in this sweep
    // still run. It used to end the sweep, leaving them to the next one, ten minutes on, for as long as it kept failing.
    try {
      deleted += (await runRetention(services, userId, due, now, limits)) ?? 0;
      failedInARow = 0;
    } catch (error) {
      log().warn("a retention run failed", { error: String(error).slice(0, 300) });
      // Two in a row look like the store being down, not like either user: the rest wait for the next sweep rather
      // than each have a run counted against them (an outage would otherwise stop every due user's setting).
      if (++failedInARow >= SYSTEMIC_FAILURES) break;
    }
  }
  return deleted;
}

/**
 * One bounded run for `userId`, claimed from the due time `seenDue`; how many threads it deleted, or null when it
 * was not claimed (another instance has it, or the setting changed). `now` decides the cutoff, once, at the start.
 */
export async function runRetention(services: RetentionServices, userId: string, seenDue: string, now = Date.now(), limits = RUN_LIMITS): Promise<number | null> {
  const { data } = services;
  let lease = iso(Date.now() + LEASE_MS);
  const state = await data.moveRetention(userId, seenDue, lease, "keep");
  if (!state) return null;
  // The claim counted this run's start. One too many in a row got nowhere (they died with their process, or threw):
  // the runs are stopped, not tried again every sweep forever; the dialog says so and choosing again restarts them.
  if (state.runsWithoutProgress > MAX_RUNS_WITHOUT_PROGRESS) {
    if (await data.stopRetention(userId, lease)) log().error("retention stopped: its runs keep getting nowhere", { runs: state.runsWithoutProgress - 1, days: state.days });
    return null;
  }
  const cutoff = iso(now - state.days * DAY_MS);
  const bound = walkBound(cutoff);
  let cursor = state.cursor ?? undefined;
  let deleted = 0;
  for (let page = 0; page < limits.pages; page++) {
    // Read per page, just before its deletes (beside the page's own read: one round trip): a thread pinned while the
    // run goes is kept from the next page on.
    const [pinned, { threadIds, next }] = await Promise.all([data.pinnedThreadIds(userId), data.threadsToDelete(userId, bound, limits.pageSize, cursor)]);
    const candidates = threadIds.filter((threadId) => !pinned.has(threadId));
    const gone = await mapLimited(candidates, THREADS_IN_FLIGHT, (threadId) => processSlots(() => data.deleteThread(threadId, { onlyOwnedBy: userId, keepIfWrittenAfter: cutoff })));
    deleted += gone.filter(Boolean).length;
    cursor = next;
    if (!cursor) break;
    // Renewing the lease stores the cursor and checks the setting still stands (Off or a new period fail it).
    const renewed = iso(Date.now() + LEASE_MS);
    if (!(await data.moveRetention(userId, lease, renewed, cursor))) return deleted;
    lease = renewed;
  }
  // The walk's end: due again a day later, from the top. Not at its end: due again at the next sweep, from the cursor.
  await data.moveRetention(userId, lease, cursor ? iso(Date.now()) : iso(Date.now() + RETENTION_EVERY_MS), cursor ?? null);
  if (deleted > 0) log().info("retention deleted old threads", { deleted, days: state.days, finished: !cursor });
  return deleted;
}

export function startRetentionSweep(services: () => Services): () => void {
  return runPeriodically(
    RETENTION_SWEEP_MS,
    () => sweepRetention(services()),
    (error) => log().warn("could not run retention", { error: String(error) }),
  );
}
