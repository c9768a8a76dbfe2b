/**
 * The import job: reads the source (import-source.ts), writes conversations in batches (the data layer's
 * importThreads: one BatchGetItem and a few BatchWriteItems per batch), stores attachments, and after each batch
 * writes progress to the job item, whose answer also says whether the owner asked to cancel. Whatever happens, the job
 * ends with a status and a message, unless it stopped being this runner's (another instance took it over, or it was
 * ended elsewhere): then it stops writing at once and leaves the file to whoever has the job now.
 *
 * Resuming: after each batch the job item says exactly how many conversations, in the file's order, are written
 * (`done`), with the counts so far. A runner that takes over a job passes over those `done` and carries on from the
 * counts; thread ids are deterministic, so a batch interrupted half way is found already there, never duplicated.
 */
import { clipText, DataError, IMPORT_SKIPS_KEPT, isDataError, type DynamoDBDataLayer, type ImportJob, type ImportJobProgress, type ImportSkip } from "@/data";
import { getLogger } from "@/data/logger";
import { ALLOWED_TYPES, checkAttachment } from "../chat/attachments";
import { baseName, clip } from "./archive";
import type { ImportFile } from "./import-file";
import { ImportError, type ImportLimits } from "./import-limits";
import { openImportSource, type ImportSource } from "./import-source";
import type { PlannedElement, PlannedThread } from "./plan-thread";

const BATCH_CONVERSATIONS = 25;
/** A batch also ends at this many steps, so one request's worth of items stays modest. */
const BATCH_STEPS = 1_000;
/**
 * How often a runner says it is alive while it works (counting a large file takes a while between progress writes).
 * A job not heard from for IMPORT_STALE_AFTER_MS has lost its runner.
 */
export const HEARTBEAT_MS = 30_000;
export const IMPORT_STALE_AFTER_MS = 2 * 60_000;

export interface RunImportOptions {
  data: DynamoDBDataLayer;
  userId: string;
  jobId: string;
  file: ImportFile;
  limits: ImportLimits;
  /** This process's id: the job item's `runner`, the condition of every write. */
  runner: string;
  /** The job as taken over from a silent runner: carry on from its progress. */
  resume?: ImportJob | null;
  /** Also called after each batch (the CLI's progress bar). */
  onProgress?: (job: ImportJobProgress & { done: number }) => void;
}

const log = () => getLogger("Import");

/** Keeps the job's `updatedAt` fresh while `runner` holds it; the returned function stops it. */
export function keepAlive(data: DynamoDBDataLayer, userId: string, jobId: string, runner: string): () => void {
  const timer = setInterval(() => {
    data.updateImportJob(userId, jobId, runner, {}).catch((error: unknown) => log().warn("import heartbeat failed", { jobId, error: String(error) }));
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The job's end as written, or null when the job stopped being this runner's (nothing more was written). */
export async function runImport(options: RunImportOptions): Promise<ImportJobProgress | null> {
  const { data, userId, jobId, runner, resume } = options;
  const state = {
    total: resume?.total ?? null,
    done: resume?.done ?? 0,
    imported: resume?.imported ?? 0,
    existing: resume?.existing ?? 0,
    attachments: resume?.attachments ?? 0,
    skippedCount: resume?.skippedCount ?? 0,
    skipped: [...(resume?.skipped ?? [])] as ImportSkip[],
  };
  const skip = (title: string, reason: string) => {
    state.skippedCount++;
    if (state.skipped.length < IMPORT_SKIPS_KEPT) state.skipped.push({ title: clipText(title), reason: clipText(reason) });
  };
  const stopHeartbeat = keepAlive(data, userId, jobId, runner);
  let source: ImportSource | null = null;
  let outcome: ImportJobProgress;
  let lost = false;
  try {
    source = await openImportSource(options.file, { userId, limits: options.limits, now: Date.now() * 1000 });
    state.total ??= await source.count();
    let stop = await report({ format: source.format, ...state });
    let batch: PlannedThread[] = [];
    let steps = 0;
    // The batch the last runner may have left half written: its threads are found already there, and their
    // attachments (stored after the THREAD items) are stored again, under the same ids.
    let repairAttachments = Boolean(resume);
    const flush = async (current: string | null) => {
      await writeBatch(options, source!, batch, state, skip, repairAttachments);
      repairAttachments = false;
      batch = [];
      steps = 0;
      stop = await report({ ...state, current });
    };
    for await (const item of source.items(state.done)) {
      if (stop) break;
      if ("skipped" in item) {
        state.done++;
        skip(item.title, item.skipped);
      } else {
        batch.push(item.planned);
        steps += item.planned.thread.steps.length;
      }
      if (batch.length >= BATCH_CONVERSATIONS || steps >= BATCH_STEPS) await flush(item.title);
    }
    if (!stop && batch.length > 0) await flush(null);
    lost = stop === "lost";
    outcome = { ...state, status: stop === "cancelled" ? "cancelled" : "done", current: null };
  } catch (error) {
    outcome = { ...state, status: "failed", current: null, error: failureMessage(error) };
    if (!(error instanceof ImportError)) log().error("import failed", { jobId, error: String(error) });
  } finally {
    stopHeartbeat();
    source?.close();
  }
  if (lost) {
    log().info("import taken over or ended elsewhere; this runner stops", { jobId });
    return null;
  }
  // A cancel may have been asked for after the last batch: the job still ends as what it did.
  const recorded = await data.updateImportJob(userId, jobId, runner, outcome).catch((error: unknown) => {
    log().error("could not record the end of an import", { jobId, error: String(error) });
    return undefined;
  });
  if (recorded === null) return null;
  options.onProgress?.({ ...outcome, done: state.done });
  return outcome;

  /** Why the job should stop: cancelled by its owner, or no longer this runner's; false to go on. */
  async function report(progress: ImportJobProgress & { done: number }): Promise<false | "cancelled" | "lost"> {
    options.onProgress?.(progress);
    const answer = await data.updateImportJob(userId, jobId, runner, { ...progress, skipped: [...state.skipped] });
    return answer === null ? "lost" : answer.cancelRequested ? "cancelled" : false;
  }
}

type State = { done: number; imported: number; existing: number; attachments: number };

async function writeBatch(
  options: RunImportOptions,
  source: ImportSource,
  batch: PlannedThread[],
  state: State,
  skip: (title: string, reason: string) => void,
  repairAttachments = false,
) {
  const { data, userId } = options;
  const byId = new Map(batch.map((p) => [p.thread.id, p]));
  let written: string[];
  let withAttachments: string[];
  try {
    const result = await data.importThreads(userId, batch.map((p) => p.thread));
    written = result.written;
    withAttachments = repairAttachments ? [...result.written, ...result.existing] : result.written;
    state.existing += result.existing.length;
    for (const id of result.taken) skip(byId.get(id)!.title, "its id is taken by another thread");
  } catch (error) {
    const refused = isDataError(error, "validation") || isDataError(error, "too_large");
    if (!refused) throw error;
    // One conversation the table refuses (too large, a bad field) must not sink its batch: retry them one by one.
    if (batch.length > 1) {
      for (const planned of batch) await writeBatch(options, source, [planned], state, skip, repairAttachments);
      return;
    }
    state.done++;
    skip(batch[0]!.title, isDataError(error, "too_large") ? "a message is too large to store" : "it does not fit the data model");
    return;
  }
  state.done += batch.length;
  state.imported += written.length;
  for (const id of withAttachments) {
    const planned = byId.get(id)!;
    for (const element of planned.elements) {
      const problem = await storeElement(options, source, id, element);
      if (problem) skip(planned.title, `attachment “${clip(element.name, 80)}”: ${problem}`);
      else state.attachments++;
    }
  }
}

/** The MIME type a file name's extension stands for, among the types attachments may have. */
function mimeFor(name: string, declared: string | null): string {
  const extension = name.includes(".") ? name.split(".").pop()!.toLowerCase() : "";
  if (declared && ALLOWED_TYPES[declared]?.extensions.includes(extension)) return declared;
  return Object.entries(ALLOWED_TYPES).find(([, t]) => t.extensions.includes(extension))?.[0] ?? "application/octet-stream";
}

/** Stores one attachment; a reason when it cannot be (not in the file, not an allowed type, too large). */
async function storeElement(options: RunImportOptions, source: ImportSource, threadId: string, element: PlannedElement): Promise<string | null> {
  const max = options.limits.maxFileBytes;
  let content: string | NodeJS.ReadableStream;
  let size: number;
  let name = element.name;
  let streamError: unknown = null;
  if (element.source.kind === "text") {
    content = element.source.text;
    size = Buffer.byteLength(content);
  } else {
    const entry = source.attachment(element.source);
    if (!entry || !source.archive) return "not included in the export";
    // ChatGPT names a file by its id in the JSON; the zip's own name carries the extension.
    if (!name.includes(".")) name = baseName(entry.name).replace(/^file[-_][A-Za-z0-9]+-?/, "") || baseName(entry.name);
    const refused = source.archive.refusal(entry, max);
    if (refused) return refused;
    size = entry.size;
    const stream = await source.archive.stream(entry, max);
    // A lying entry fails while it uploads; the upload's error then names storage, so remember the real reason.
    stream.once("error", (error) => (streamError = error));
    content = stream;
  }
  const check = checkAttachment(name, mimeFor(name, element.mime), size, max);
  if (!check.ok) {
    if (typeof content !== "string") (content as NodeJS.ReadableStream & { destroy(): void }).destroy();
    return check.message;
  }
  try {
    await options.data.createElement({
      id: element.id,
      threadId,
      forId: element.forId,
      type: element.type ?? check.elementType,
      name: name.trim().slice(0, 255),
      mime: check.mime,
      display: element.display ?? "inline",
      size: element.size ?? null,
      content,
    }, { owner: options.userId });
    return null;
  } catch (error) {
    if (error instanceof ImportError) return error.message;
    if (streamError instanceof ImportError) return streamError.message;
    if (isDataError(error, "storage") || isDataError(error, "unavailable")) throw error;
    if (error instanceof DataError) return error.code === "too_large" ? "too large" : "could not be stored";
    throw error;
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof ImportError) return error.message;
  if (isDataError(error, "storage")) return "File storage is unavailable, so the import stopped. Conversations imported so far are kept; import the file again to finish.";
  if (isDataError(error, "unavailable")) return "The history store is unavailable, so the import stopped. Conversations imported so far are kept; import the file again to finish.";
  return "The import stopped on an unexpected error. Conversations imported so far are kept; import the file again to finish.";
}
