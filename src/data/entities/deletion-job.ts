import { z } from "zod";

/** `threads`: "Delete all conversations". `account`: the same, then every item keyed by the user (docs/security.md, "Deleting everything"). */
export const DeletionKindSchema = z.enum(["threads", "account"]);
export type DeletionKind = z.infer<typeof DeletionKindSchema>;

/**
 * A user's delete job (`USER#{userId}` / `DELETION`): one per user, so the owner's key alone reaches it and a
 * second request while one runs finds it instead of starting another.
 */
export const DeletionJobSchema = z.object({
  userId: z.string(),
  kind: DeletionKindSchema,
  /**
   * `cancelled`: a "Delete all conversations" its owner stopped (what it deleted stays deleted). `failed`: a threads
   * job that met an error, or an account job that failed MAX_ACCOUNT_ATTEMPTS times (run-deletion.ts).
   */
  status: z.enum(["running", "done", "failed", "cancelled"]),
  /** When the job began: the cutoff. Threads written since (new ones, or old ones written to) are kept. */
  startedAt: z.string(),
  /** The threads the job proposes to delete, counted as it began (run-deletion.ts); null until counted. */
  total: z.number().int().nullable(),
  deleted: z.number().int(),
  error: z.string().nullable(),
  /** The last sign of life of its runner: every progress write, and a heartbeat. */
  updatedAt: z.string(),
  /** The process that runs the job: only it may write progress. */
  runner: z.string(),
  /** How many times another process took the job over after its runner went silent. */
  resumes: z.number().int(),
  /** Its owner asked to stop it (a threads job only: cancelDeletionJob); the runner ends it at its next write. */
  cancelRequested: z.boolean().default(false),
  /** How many runs of an account job failed; it is tried again (after `retryAt`) until MAX_ACCOUNT_ATTEMPTS. */
  failures: z.number().int().default(0),
  /** A failed run's backoff: no one takes the job over before this time. */
  retryAt: z.string().nullable().default(null),
  /**
   * Runs started since the job last made progress, the first included, and its progress mark as the latest started
   * (running-jobs.ts: a run that takes its process down is bounded by these). 0 on items written before they existed.
   */
  runsWithoutProgress: z.number().int().default(0),
  progressAtStart: z.number().int().default(0),
});
export type DeletionJob = z.infer<typeof DeletionJobSchema>;

/**
 * What rises when a run got somewhere: threads deleted, or a failure recorded (a run that threw ended knowingly; its
 * own bound, MAX_ACCOUNT_ATTEMPTS, counts it). Both only ever grow within a job.
 */
export const deletionProgressMark = (job: Pick<DeletionJob, "deleted" | "failures">) => job.deleted + job.failures;

export type DeletionProgress = Partial<Pick<DeletionJob, "total" | "deleted" | "status" | "error" | "failures" | "retryAt">>;
