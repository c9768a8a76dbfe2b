/**
 * Stores one attachment of a message being written: checked (type allow-list, size limit, and its first bytes against
 * its type: content-signatures.ts) before a byte is stored,
 * streamed to the storage client with the size enforced as it flows, and written as an element item only once the
 * upload worked (the data layer's createElement), within the user's daily upload budget (upload-budget.ts). Pure of Next: the route handler passes the request's parts in.
 */
import { pipeline, Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { DataError, IdSchema, isDataError, type Element } from "@/data";
import type { SessionUser } from "../../auth/session-user";
import type { Services } from "../../services";
import { findOwnedThreadRef, THREAD_NOT_FOUND } from "../../thread/thread-access";
import type { Refusal } from "@/lib/shared/refusal";
import { publicMessage } from "../../errors";
import { chargeUpload } from "../../upload-budget";
import { checkAttachment, CONTENT_MISMATCH_REFUSAL, contentMismatchMessage, tooLargeMessage, tooLargeRefusal, type AttachmentCheck } from "./attachments";
import { bytesMatchType, SNIFF_BYTES } from "./content-signatures";
import { readHead } from "./read-head";

export interface UploadRequest {
  threadId: string;
  elementId: string;
  forId: string;
  fileName: string;
  mime: string;
  contentLength: number | null;
  body: ReadableStream<Uint8Array> | null;
}

export type UploadResult = { status: 201; element: Element } | { status: 400 | 401 | 404 | 413 | 415 | 429 | 503; error: string; refusal?: Refusal };

class TooLarge extends Error {}

/**
 * Passes at most `max` bytes, then fails the stream. `exceeded` is what the caller checks afterwards: the storage SDK may
 * report a different error than TooLarge (lib-storage rethrows a failed AbortMultipartUpload instead), and an oversize
 * upload must still answer 413, not 503.
 */
function limitBytes(max: number): Transform & { exceeded: boolean; seen: number } {
  const limiter = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        limiter.seen += chunk.length;
        if (limiter.seen > max) limiter.exceeded = true;
        callback(limiter.exceeded ? new TooLarge() : null, limiter.exceeded ? undefined : chunk);
      },
    }),
    { exceeded: false, seen: 0 },
  );
  return limiter;
}

export async function uploadElement(services: Services, user: SessionUser | null, request: UploadRequest): Promise<UploadResult> {
  if (!user) return { status: 401, error: "Sign in to continue" };
  for (const [name, value] of [["threadId", request.threadId], ["elementId", request.elementId], ["forId", request.forId]] as const) {
    if (!IdSchema.safeParse(value).success) return { status: 400, error: `${name} is not a valid id` };
  }
  const maxBytes = services.env.MAX_UPLOAD_MB * 1024 * 1024;
  const check = checkAttachment(request.fileName, request.mime, request.contentLength, maxBytes);
  if (!check.ok) return { status: check.status, error: check.message, refusal: check.refusal };
  if (!request.body) return { status: 400, error: "The upload has no content." };
  // Only an existing thread of the caller takes files (a new chat makes one with threads.create first). The day's
  // budget is charged beside that read (the declared size, else the most the file may be), so it adds no round trip.
  const [thread, budget] = await Promise.all([
    findOwnedThreadRef(services.data, user, request.threadId),
    chargeUpload(services, user.id, request.contentLength ?? maxBytes),
  ]);
  if (!budget.ok) return { status: budget.status, error: budget.error, refusal: budget.refusal };
  if (!thread) {
    await budget.charge.settle(null);
    return { status: 404, error: THREAD_NOT_FOUND, refusal: { code: "thread-not-found" } };
  }
  let storedBytes: number | null = null;
  try {
    const result = await storeElement(services, user, { ...request, body: request.body }, check, maxBytes);
    if (result.status === 201) storedBytes = result.element.bytes ?? 0;
    return result;
  } finally {
    await budget.charge.settle(storedBytes);
  }
}

async function storeElement(services: Services, user: SessionUser, request: UploadRequest & { body: ReadableStream<Uint8Array> }, check: Extract<AttachmentCheck, { ok: true }>, maxBytes: number): Promise<UploadResult> {
  // pipeline, not pipe: a client that aborts mid-upload errors the source, and the error must reach the storage upload
  // (which then aborts its multipart upload) instead of leaving it waiting forever on an unhandled 'error' event.
  const limiter = limitBytes(maxBytes);
  const body = pipeline(Readable.fromWeb(request.body as WebReadableStream<Uint8Array>), limiter, () => {});
  try {
    // The type is the client's word until the first bytes say the same (content-signatures.ts); only then is anything stored.
    const { head, content, discard } = await readHead(body, SNIFF_BYTES);
    if (!bytesMatchType(check.mime, head)) {
      discard();
      return { status: 415, error: contentMismatchMessage(request.fileName), refusal: CONTENT_MISMATCH_REFUSAL };
    }
    const element = await services.data.createElement({
      id: request.elementId,
      threadId: request.threadId,
      forId: request.forId,
      type: check.elementType,
      name: request.fileName.trim(),
      mime: check.mime,
      display: "inline",
      content,
    }, { owner: user.id });
    if (!element.objectKey) return { status: 201, element: { ...element, url: null, urlExpiresAt: null } };
    // The file's link and its preview's (made as it was stored), signed as a thread's read signs them.
    const [signed] = await services.data.signElements([element]);
    if (!signed?.urlExpiresAt) throw new DataError("storage", `could not sign element ${element.id}`);
    return { status: 201, element: signed };
  } catch (error) {
    if (limiter.exceeded) return { status: 413, error: tooLargeMessage(request.fileName, maxBytes), refusal: tooLargeRefusal(maxBytes) };
    if (isDataError(error, "storage") || isDataError(error, "unavailable")) {
      return { status: 503, error: "File storage is unavailable right now, so the file was not saved. Please try again.", refusal: { code: "storage-unavailable" } };
    }
    if (isDataError(error, "validation")) return { status: 400, error: publicMessage(error) };
    throw error;
  }
}
