/**
 * Import jobs for the app: an upload is streamed to a temporary file (bounded by IMPORT_MAX_MB, never held in memory),
 * a job item is written in the user's partition, and the job runs in the background of this process. Progress,
 * cancel and the summary go through the job item, so a page reload, or a request served by another instance, sees
 * the same job. Pure of Next: the route handler passes the request's parts in.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ImportJob } from "@/data";
import type { SessionUser } from "../auth/session-user";
import type { Services } from "../services";
import { importLimits } from "./import-limits";
import { runImport } from "./run-import";

/** A running job not heard from for this long lost its process (a restart): it is shown as failed. */
const STALE_AFTER_MS = 5 * 60_000;
export const INTERRUPTED_MESSAGE = "The import was interrupted (the server restarted). Conversations imported so far are kept; import the file again to finish.";

/** Jobs this process runs, so tests and the CLI can wait for one. */
const running = new Map<string, Promise<unknown>>();
export const waitForImport = (jobId: string) => running.get(jobId) ?? Promise.resolve();

/** Time-ordered ids: the user's jobs list newest first by key alone. */
export const newJobId = () => `${Date.now().toString(36).padStart(10, "0")}-${randomUUID()}`;

export type StartImportResult = { status: 202; job: ImportJob } | { status: 400 | 401 | 409 | 413 | 503; error: string };

export const ALREADY_RUNNING = "An import is already running; wait for it to finish or cancel it first.";

export interface ImportUpload {
  fileName: string;
  contentLength: number | null;
  body: ReadableStream<Uint8Array> | null;
}

class TooLarge extends Error {}

const tooLargeMessage = (maxBytes: number) => `The file is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB an import accepts.`;

export async function startImport(services: Services, user: SessionUser | null, upload: ImportUpload): Promise<StartImportResult> {
  if (!user) return { status: 401, error: "Sign in to continue" };
  const limits = importLimits(services.env);
  if (upload.contentLength !== null && upload.contentLength > limits.maxUploadBytes) return { status: 413, error: tooLargeMessage(limits.maxUploadBytes) };
  if (!upload.body) return { status: 400, error: "The upload has no content." };
  // One import at a time per user: each holds a file on disk and a share of the table's throughput.
  const [latest] = await services.data.listImportJobs(user.id, 1);
  if (latest && presentJob(latest).status === "running") {
    await upload.body.cancel().catch(() => undefined);
    return { status: 409, error: ALREADY_RUNNING };
  }
  const fileName = (upload.fileName.trim() || "export").slice(0, 255);
  const jobId = newJobId();
  const dir = join(services.env.THREADBOOK_DATA_DIR ?? tmpdir(), "imports");
  const filePath = join(dir, `${jobId}.upload`);
  await mkdir(dir, { recursive: true });
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limits.maxUploadBytes ? new TooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(upload.body as WebReadableStream<Uint8Array>), limiter, createWriteStream(filePath, { flags: "wx" }));
  } catch (error) {
    await rm(filePath, { force: true });
    if (error instanceof TooLarge) return { status: 413, error: tooLargeMessage(limits.maxUploadBytes) };
    return { status: 400, error: "The upload did not complete; please try again." };
  }
  if (seen === 0) {
    await rm(filePath, { force: true });
    return { status: 400, error: "The file is empty." };
  }
  let job: ImportJob;
  try {
    job = await services.data.createImportJob(user.id, jobId, fileName);
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
  const run = runImport({ data: services.data, userId: user.id, jobId, filePath, limits, removeFile: true }).finally(() => running.delete(jobId));
  running.set(jobId, run);
  return { status: 202, job };
}

/** A job as its owner sees it: one whose process went away is reported as interrupted, not running forever. */
export function presentJob(job: ImportJob, now = Date.now()): ImportJob {
  if (job.status !== "running" || running.has(job.jobId)) return job;
  const heardFrom = Date.parse(job.updatedAt);
  return Number.isFinite(heardFrom) && now - heardFrom > STALE_AFTER_MS ? { ...job, status: "failed", error: INTERRUPTED_MESSAGE } : job;
}
