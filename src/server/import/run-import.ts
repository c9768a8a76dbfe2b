/**
 * The import job: reads the source (import-source.ts), writes conversations in batches (the data layer's
 * importThreads: one BatchGetItem and a few BatchWriteItems per batch, each thread claimed before it is written),
 * stores attachments, and after each batch writes progress to the job item, whose answer also says whether the owner
 * asked to cancel. Whatever happens, the job ends with a status and a message, unless it stopped being this runner's
 * (another instance took it over, or it was ended elsewhere): then it stops writing at once and leaves the file to
 * whoever has the job now.
 *
 * Resuming: after each batch the job item says exactly how many conversations, in the file's order, are written
 * (`done`), with the counts so far. A runner that takes over a job passes over those `done` and carries on from the
 * counts; thread ids are deterministic, so a batch interrupted half way is found already there, never duplicated.
 */
import { clipText, DataError, DEFAULT_MIME, IMPORT_SKIPS_KEPT, isDataError, type DynamoDBDataLayer, type ImportJob, type ImportJobProgress, type ImportSkip } from "@/data";
import { getLogger } from "@/data/logger";
import type { AttachmentProblem, ImportProblem } from "@/lib/shared/import-problem";
import { importProblemEn } from "@/lib/shared/i18n/import-problems";
import { ALLOWED_EXTENSIONS, ALLOWED_TYPES, checkAttachment, extensionOf } from "../chat/uploads/attachments";
import { bytesMatchType, SNIFF_BYTES } from "../chat/uploads/content-signatures";
import { readHead } from "../chat/uploads/read-head";
import { baseName, clip } from "./archive";
import { base64Bytes, dataUrlImage, decodeDataUrl } from "./data-url";
import type { ImportFile } from "./import-file";
import { ImportError, type ImportLimits } from "./import-limits";
import { openImportSource, type ImportSource } from "./import-source";
import type { PlannedElement, PlannedThread } from "./plan-thread";
import type { ImportOverBudget } from "../upload-budget";

const BATCH_CONVERSATIONS = 25;
/** A batch also ends at this many steps, so one request's worth of items stays modest. */
const BATCH_STEPS = 1_000;
/** ...and at this many conversations read, skipped ones included, so a run of skips still reports progress. */
const BATCH_READ = 100;
/**
 * Batches written at once: while the oldest waits on DynamoDB the next are read, planned and sent, so an import is
 * not one round trip at a time. Bounded, so memory holds a few batches whatever the file's size.
 */
export const BATCHES_IN_FLIGHT = 3;
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
  /** How often the runner says it is alive (HEARTBEAT_MS); a test counting requests sets it past its own length. */
  heartbeatMs?: number;
  /** Also called after each batch (the CLI's progress bar). */
  onProgress?: (job: ImportJobProgress & { done: number }) => void;
  /**
   * Charges what the import is about to store (text, then each attachment) to its owner's day (upload-budget.ts,
   * importAllowance); a refusal stops the import. None from the CLI, which an operator runs.
   */
  budget?: (bytes: number) => Promise<ImportOverBudget | null>;
}

/** Charges `bytes` to the import's budget, if it has one; over it, the import stops with the reason. */
async function charge(options: RunImportOptions, bytes: number): Promise<void> {
  const over = options.budget ? await options.budget(bytes) : null;
  if (over) throw new ImportError({ code: "upload-budget", ...over });
}

const log = () => getLogger("Import");

/** Keeps the job's `updatedAt` fresh while `runner` holds it; the returned function stops it. */
export function keepAlive(data: DynamoDBDataLayer, userId: string, jobId: string, runner: string, everyMs = HEARTBEAT_MS): () => void {
  const timer = setInterval(() => {
    data.updateImportJob(userId, jobId, runner, {}).catch((error: unknown) => log().warn("import heartbeat failed", { jobId, error: String(error) }));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A conversation left out, and why. */
interface Skipped {
  title: string;
  problem: ImportProblem;
}
/** A run of conversations in the file's order, written together: the planned ones and the ones skipped while reading. */
interface Batch {
  planned: PlannedThread[];
  steps: number;
  /** Conversations of the file it covers (planned and skipped). */
  count: number;
  skips: Skipped[];
}
/** What writing a batch changed, added to the job's counts once every batch before it is counted too. */
interface BatchOutcome {
  imported: number;
  existing: number;
  attachments: number;
  skips: Skipped[];
}

/** Every string of a problem clipped as the job's texts are (names and details come from the file). */
function clipProblem<T>(value: T): T {
  if (typeof value === "string") return clipText(value) as T;
  if (Array.isArray(value) || !value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, clipProblem(inner)])) as T;
}

/** A skip as the job item keeps it: the English reason, and the problem for other languages. */
const keptSkip = ({ title, problem }: Skipped): ImportSkip => ({ title: clipText(title), reason: clipText(importProblemEn(problem)), problem: clipProblem(problem) });
const emptyBatch = (): Batch => ({ planned: [], steps: 0, count: 0, skips: [] });

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
    skippedAttachments: resume?.skippedAttachments ?? 0,
    skipped: [...(resume?.skipped ?? [])] as ImportSkip[],
  };
  const skip = (skipped: Skipped) => {
    state.skippedCount++;
    if (skipped.problem.code === "attachment") state.skippedAttachments++;
    if (state.skipped.length < IMPORT_SKIPS_KEPT) state.skipped.push(keptSkip(skipped));
  };
  const stopHeartbeat = keepAlive(data, userId, jobId, runner, options.heartbeatMs);
  let source: ImportSource | null = null;
  let outcome: ImportJobProgress;
  let lost = false;
  // Batches being written, oldest first. Their outcomes are counted in the file's order, so the job's `done` only
  // ever covers conversations written, with every one before them written too.
  const inFlight: Array<{ batch: Batch; ids: Set<string>; outcome: Promise<BatchOutcome>; current: string | null }> = [];
  const count = (batch: Batch, written: BatchOutcome) => {
    state.done += batch.count;
    state.imported += written.imported;
    state.existing += written.existing;
    state.attachments += written.attachments;
    for (const skipped of [...batch.skips, ...written.skips]) skip(skipped);
  };
  try {
    source = await openImportSource(options.file, { userId, limits: options.limits, now: Date.now() * 1000 });
    state.total ??= await source.count();
    let stop = await report({ format: source.format, ...state });
    let batch = emptyBatch();
    // The batches the last runner may have left half written: their threads are found already there, and their
    // attachments (stored after the THREAD items) are stored again, under the same ids. Batches start where the job
    // item says and are cut by the same rule, so these are the batches that runner had in flight.
    let repairBatches = resume ? BATCHES_IN_FLIGHT : 0;
    const settleOldest = async () => {
      const oldest = inFlight.shift()!;
      count(oldest.batch, await oldest.outcome);
      stop = await report({ ...state, current: oldest.current });
    };
    const dispatch = async (current: string | null) => {
      const sent = batch;
      batch = emptyBatch();
      const ids = new Set(sent.planned.map((p) => p.thread.id));
      // A conversation listed twice in the file: the earlier writes finish first, so the second finds the first.
      if (inFlight.some((f) => [...ids].some((id) => f.ids.has(id)))) while (inFlight.length > 0 && !stop) await settleOldest();
      if (stop) return;
      const written = writeBatch(options, source!, sent.planned, repairBatches-- > 0);
      written.catch(() => undefined); // awaited in order by settleOldest; this keeps an early failure from going unhandled meanwhile
      inFlight.push({ batch: sent, ids, outcome: written, current });
      if (inFlight.length >= BATCHES_IN_FLIGHT) await settleOldest();
    };
    for await (const item of source.items(state.done)) {
      if (stop) break;
      batch.count++;
      if ("skipped" in item) batch.skips.push({ title: item.title, problem: item.skipped });
      else {
        batch.planned.push(item.planned);
        batch.steps += item.planned.thread.steps.length;
      }
      if (batch.planned.length >= BATCH_CONVERSATIONS || batch.steps >= BATCH_STEPS || batch.count >= BATCH_READ) await dispatch(item.title);
    }
    if (!stop && batch.count > 0) await dispatch(null);
    while (inFlight.length > 0 && !stop) await settleOldest();
    // Stopped (cancelled, or no longer this runner's): the writes already sent still finish and are counted.
    while (inFlight.length > 0) {
      const oldest = inFlight.shift()!;
      count(oldest.batch, await oldest.outcome);
    }
    lost = stop === "lost";
    outcome = { ...state, status: stop === "cancelled" ? "cancelled" : "done", current: null };
  } catch (error) {
    const problem = failureProblem(error);
    outcome = { ...state, status: "failed", current: null, error: importProblemEn(problem), errorProblem: clipProblem(problem) };
    if (!(error instanceof ImportError)) log().error("import failed", { jobId, error: String(error) });
  } finally {
    // Nothing may still be writing (or reading the upload) once the job is recorded as ended.
    await Promise.allSettled(inFlight.map((f) => f.outcome));
    stopHeartbeat();
    source?.close();
  }
  if (lost) {
    log().info("import taken over or ended elsewhere; this runner stops", { jobId });
    return null;
  }
  // Every batch has settled and the job is still this runner's, so no import of the user claims anything now: every
  // claim left is abandoned (docs/import-export.md, "Claims"): this job's (a cleanup the table refused), or an
  // earlier job's (a runner that died mid-batch, whose job was resumed or ended since). They go before the job ends,
  // while a new import of the user is still refused. One Query when there are none.
  await sweepClaims();
  // A cancel may have been asked for after the last batch: the job still ends as what it did.
  const recorded = await data.updateImportJob(userId, jobId, runner, outcome).catch((error: unknown) => {
    log().error("could not record the end of an import", { jobId, error: String(error) });
    return undefined;
  });
  if (recorded === null) return null;
  options.onProgress?.({ ...outcome, done: state.done });
  return outcome;

  /** Deletes the user's unfinished claims; a failure is logged, never the import's. */
  async function sweepClaims() {
    await data.deleteUnfinishedClaims(userId).catch((error: unknown) => log().warn("could not delete unfinished import claims", { jobId, error: String(error) }));
  }

  /** Why the job should stop: cancelled by its owner, or no longer this runner's; false to go on. */
  async function report(progress: ImportJobProgress & { done: number }): Promise<false | "cancelled" | "lost"> {
    options.onProgress?.(progress);
    const answer = await data.updateImportJob(userId, jobId, runner, { ...progress, skipped: [...state.skipped] });
    return answer === null ? "lost" : answer.cancelRequested ? "cancelled" : false;
  }
}

/** Writes the planned conversations and their attachments; what it did, for the job's counts. */
async function writeBatch(options: RunImportOptions, source: ImportSource, batch: PlannedThread[], repairAttachments: boolean): Promise<BatchOutcome> {
  const { data, userId } = options;
  const outcome: BatchOutcome = { imported: 0, existing: 0, attachments: 0, skips: [] };
  if (batch.length === 0) return outcome;
  const skip = (title: string, problem: ImportProblem) => outcome.skips.push({ title, problem });
  const byId = new Map(batch.map((p) => [p.thread.id, p]));
  let written: string[];
  let withAttachments: string[];
  try {
    // Before anything is written: the text the batch would store.
    await charge(options, batch.reduce((sum, p) => sum + Buffer.byteLength(JSON.stringify(p.thread.steps)), 0));
    const result = await data.importThreads(userId, batch.map((p) => p.thread));
    written = result.written;
    withAttachments = repairAttachments ? [...result.written, ...result.existing] : result.written;
    // A copy of a thread still there (a Threadbook export imported back) is already there too; it has no attachments to repair.
    outcome.existing += result.existing.length + result.originals.length;
    for (const id of result.taken) skip(byId.get(id)!.title, { code: "id-taken" });
  } catch (error) {
    const refused = isDataError(error, "validation") || isDataError(error, "too_large");
    if (!refused) throw error;
    // One conversation the table refuses (too large, a bad field) must not sink its batch: retry them one by one.
    if (batch.length > 1) {
      for (const planned of batch) {
        const one = await writeBatch(options, source, [planned], repairAttachments);
        outcome.imported += one.imported;
        outcome.existing += one.existing;
        outcome.attachments += one.attachments;
        outcome.skips.push(...one.skips);
      }
      return outcome;
    }
    skip(batch[0]!.title, isDataError(error, "too_large") ? { code: "message-too-large" } : { code: "does-not-fit" });
    return outcome;
  }
  outcome.imported += written.length;
  // A thread pinned where it was exported is pinned again (an account's pins are full: it stays unpinned, as a pin would).
  for (const id of written) if (byId.get(id)!.pinned) await data.pinThread(userId, id);
  for (const id of withAttachments) {
    const planned = byId.get(id)!;
    for (const element of planned.elements) {
      const problem = await storeElement(options, source, id, element);
      if (problem) skip(planned.title, { code: "attachment", name: clip(element.name, 80), problem });
      else outcome.attachments++;
    }
  }
  return outcome;
}

/** The MIME type a file name's extension stands for, among the types attachments may have. */
function mimeFor(name: string, declared: string | null): string {
  const extension = extensionOf(name);
  if (declared && ALLOWED_TYPES[declared]?.extensions.includes(extension)) return declared;
  return Object.entries(ALLOWED_TYPES).find(([, t]) => t.extensions.includes(extension))?.[0] ?? "application/octet-stream";
}

/** Stores one attachment; a reason when it cannot be (not in the file, not an allowed type, too large). */
async function storeElement(options: RunImportOptions, source: ImportSource, threadId: string, element: PlannedElement): Promise<AttachmentProblem | null> {
  const max = options.limits.maxFileBytes;
  let content: string | Uint8Array | NodeJS.ReadableStream;
  let size: number;
  let name = element.name;
  let streamError: unknown = null;
  if (element.source.kind === "text") {
    content = element.source.text;
    size = Buffer.byteLength(content);
  } else if (element.source.kind === "not-exported") {
    return { kind: "missing" };
  } else if (element.source.kind === "data-url") {
    const { url } = element.source;
    const image = dataUrlImage(url);
    if (!image) return { kind: "missing" };
    // Its size is known from the text's length: one over the limit is refused before it is decoded.
    size = base64Bytes(url, image.start);
    if (size > max) return { kind: "over", name: name.trim(), limitMb: Math.round(max / 1024 / 1024) };
    const bytes = decodeDataUrl(url, image.start);
    if (!bytes) return { kind: "missing" };
    content = bytes;
    size = bytes.byteLength;
  } else {
    const entry = source.attachment(element.source);
    if (!entry || !source.archive) return { kind: "missing" };
    // ChatGPT names a file by its id in the JSON; the zip's own name carries the extension.
    if (!name.includes(".")) name = baseName(entry.name).replace(/^file[-_][A-Za-z0-9]+-?/, "") || baseName(entry.name);
    const refused = source.archive.refusal(entry, max);
    if (refused) return { kind: "refused", refusal: refused };
    size = entry.size;
    const stream = await source.archive.stream(entry, max);
    // A lying entry fails while it uploads; the upload's error then names storage, so remember the real reason.
    stream.once("error", (error) => (streamError = error));
    content = stream;
  }
  const check = checkAttachment(name, mimeFor(name, element.mime), size, max);
  const discard = () => {
    if (typeof content !== "string" && !(content instanceof Uint8Array)) (content as NodeJS.ReadableStream & { destroy(): void }).destroy();
  };
  if (!check.ok) {
    discard();
    return check.status === 415
      ? { kind: "type", name: name.trim(), allowed: ALLOWED_EXTENSIONS.join(", ") }
      : check.status === 413
        ? { kind: "over", name: name.trim(), limitMb: Math.round(max / 1024 / 1024) }
        : { kind: "name" };
  }
  await charge(options, size).catch((error: unknown) => {
    discard();
    throw error;
  });
  try {
    const { stored, matches } = await checkContent(content, check.mime);
    await options.data.createElement({
      id: element.id,
      threadId,
      forId: element.forId,
      // Bytes that are not their type's (content-signatures.ts) are kept, as a download: never drawn, played or previewed.
      type: matches ? (element.type ?? check.elementType) : "file",
      name: name.trim().slice(0, 255),
      mime: matches ? check.mime : DEFAULT_MIME,
      display: element.display ?? "inline",
      size: element.size ?? null,
      content: stored,
    }, { owner: options.userId });
    return null;
  } catch (error) {
    if (error instanceof ImportError) return { kind: "entry", problem: error.problem };
    if (streamError instanceof ImportError) return { kind: "entry", problem: streamError.problem };
    if (isDataError(error, "storage") || isDataError(error, "unavailable")) throw error;
    if (error instanceof DataError) return error.code === "too_large" ? { kind: "too-large" } : { kind: "not-stored" };
    throw error;
  }
}

/**
 * Whether an attachment's first bytes are its type's, and its content to store (a stream is read from its start
 * again). A file whose bytes lie is not refused: the export is the user's own, and the file may be all that is left of
 * it; it is stored as a download (`application/octet-stream`), whatever the export called it.
 */
async function checkContent(content: string | Uint8Array | NodeJS.ReadableStream, mime: string): Promise<{ stored: string | Uint8Array | NodeJS.ReadableStream; matches: boolean }> {
  if (typeof content === "string") return { stored: content, matches: bytesMatchType(mime, Buffer.from(content.slice(0, SNIFF_BYTES))) };
  if (content instanceof Uint8Array) return { stored: content, matches: bytesMatchType(mime, content.subarray(0, SNIFF_BYTES)) };
  const { head, content: stored } = await readHead(content, SNIFF_BYTES);
  return { stored, matches: bytesMatchType(mime, head) };
}

function failureProblem(error: unknown): ImportProblem {
  if (error instanceof ImportError) return error.problem;
  if (isDataError(error, "storage")) return { code: "storage-unavailable" };
  if (isDataError(error, "unavailable")) return { code: "store-unavailable" };
  return { code: "unexpected" };
}
