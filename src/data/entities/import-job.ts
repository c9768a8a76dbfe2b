import { z } from "zod";
import { IdSchema } from "./common";

export const ImportJobStatusSchema = z.enum(["running", "done", "failed", "cancelled"]);
export type ImportJobStatus = z.infer<typeof ImportJobStatusSchema>;

/** One conversation (or file) the import left out, and why, in words a user reads. */
export const ImportSkipSchema = z.object({ title: z.string(), reason: z.string() });
export type ImportSkip = z.infer<typeof ImportSkipSchema>;

/** How many skip reasons a job item keeps: the item must stay far under DynamoDB's 400 KB; `skippedCount` counts them all. */
export const IMPORT_SKIPS_KEPT = 200;
const TEXT_MAX = 300;

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
  skippedCount: z.number().int(),
  skipped: z.array(ImportSkipSchema),
  current: z.string().max(TEXT_MAX).nullable(),
  cancelRequested: z.boolean(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ImportJob = z.infer<typeof ImportJobSchema>;

/** What the runner reports as it goes. */
export type ImportJobProgress = Partial<
  Pick<ImportJob, "format" | "total" | "done" | "imported" | "existing" | "attachments" | "skippedCount" | "skipped" | "current" | "status" | "error">
>;

export const clipText = (text: string) => (text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text);
