import { z } from "zod";
import { IdSchema } from "./common";

export const ImportJobStatusSchema = z.enum(["running", "done", "failed", "cancelled"]);
export type ImportJobStatus = z.infer<typeof ImportJobStatusSchema>;

/**
 * Why, as data each language words (src/lib/shared/import-problem.ts): a code and its parameters. The data layer
 * only keeps it; items written before it existed have none, and the English text stands.
 */
export const ImportProblemDataSchema = z.looseObject({ code: z.string().max(40) });
export type ImportProblemData = z.infer<typeof ImportProblemDataSchema>;

/** One conversation (or file) the import left out, and why, in words a user reads (English) and as a problem. */
export const ImportSkipSchema = z.object({ title: z.string(), reason: z.string(), problem: ImportProblemDataSchema.optional() });
export type ImportSkip = z.infer<typeof ImportSkipSchema>;

/** How many skip reasons a job item keeps: the item must stay far under DynamoDB's 400 KB; `skippedCount` counts them all. */
export const IMPORT_SKIPS_KEPT = 200;
const TEXT_MAX = 300;

/**
 * Job ids as the server makes them: `{base36 ms, 10 characters}-{uuid}`, time-ordered so a user's jobs list newest
 * first by key alone. The id also names the job's upload in storage, so nothing else is ever accepted as one.
 */
export const IMPORT_JOB_ID = /^[0-9a-z]{10}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where a job's file is: the app's upload in storage (any instance can read it) or the CLI's own file on its machine. */
export const ImportUploadSchema = z.enum(["storage", "local"]);
export type ImportUpload = z.infer<typeof ImportUploadSchema>;

/** A background import (`USER#{userId}` / `IMPORT#{jobId}`): what the progress bar and the summary show. */
export const ImportJobSchema = z.object({
  jobId: IdSchema,
  userId: z.string(),
  status: ImportJobStatusSchema,
  fileName: z.string().max(TEXT_MAX),
  /** chatgpt, claude, threadbook; null until the file is recognised. */
  format: z.string().nullable(),
  /** Conversations in the file; null until counted. */
  total: z.number().int().nullable(),
  done: z.number().int(),
  imported: z.number().int(),
  /** Conversations already imported before (same source id): skipped, never duplicated. */
  existing: z.number().int(),
  attachments: z.number().int(),
  /** Everything skipped: conversations not imported, and attachments left out of conversations that were. */
  skippedCount: z.number().int(),
  /** Of `skippedCount`, the attachments (their conversation was imported); 0 on items written before it was counted. */
  skippedAttachments: z.number().int().default(0),
  skipped: z.array(ImportSkipSchema),
  current: z.string().max(TEXT_MAX).nullable(),
  cancelRequested: z.boolean(),
  error: z.string().nullable(),
  /** The error as a problem (see ImportSkipSchema); null for none, or for a job written before it existed. */
  errorProblem: ImportProblemDataSchema.nullable().default(null),
  createdAt: z.string(),
  /** The last sign of life of its runner: every progress write, and a heartbeat while a long read goes on. */
  updatedAt: z.string(),
  // Defaults: items written before jobs could be resumed.
  upload: ImportUploadSchema.default("local"),
  /** The stored upload's size; null while it is being received (and for a CLI job). */
  uploadBytes: z.number().int().nullable().default(null),
  /** The process that runs the job (a random id per process): only it may write progress. */
  runner: z.string().nullable().default(null),
  /** How many times another process took over the job after its runner went silent. */
  resumes: z.number().int().default(0),
  /**
   * Runs started since the job last made progress, the first included, and its `done` as the latest started
   * (running-jobs.ts: a file that takes its runner's process down is bounded by these). 0 on items written before.
   */
  runsWithoutProgress: z.number().int().default(0),
  progressAtStart: z.number().int().default(0),
});
export type ImportJob = z.infer<typeof ImportJobSchema>;

/** What rises when a run got somewhere: conversations of the file settled, in its order. */
export const importProgressMark = (job: Pick<ImportJob, "done">) => job.done;

/** What the runner reports as it goes. */
export type ImportJobProgress = Partial<
  Pick<ImportJob, "format" | "total" | "done" | "imported" | "existing" | "attachments" | "skippedCount" | "skippedAttachments" | "skipped" | "current" | "status" | "error" | "errorProblem" | "uploadBytes">
>;

export const clipText = (text: string) => (text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text);
