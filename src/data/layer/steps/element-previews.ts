/**
 * Image previews (docs/long-threads.md, "Image previews"): a thread shows each image element as a small WebP made
 * from its file, not the whole file (twenty 4 MB phone photos were 80 MB to draw twenty thumbnails). Made when
 * Threadbook stores an image (createElement) and, for images another writer stored (Chainlit), on the first view
 * that asks (elements.preview, share.elementPreview); later views sign the stored preview.
 *
 * Where: previewKeyOf(threadId, elementId, objectKey), derived from the key the element item records, never from a
 * client. The item records `previewKey` once made, or `previewRefused` when the file cannot be made into one, so a
 * read signs a preview without asking storage whether it exists, and a refused file is not read again at every view.
 * Only a file that can never be made into one is refused (not an image, corrupt, over a limit); a making that ran out
 * of time records `previewRetry` instead (when to try again, doubling), and one that met a busy process or storage
 * error records nothing: a later view tries again, and a slow file costs at most one try per back-off, not every view.
 * A recorded key counts only when it equals the derivation from the item's own objectKey and the current settings
 * (PREVIEW_VERSION: a forged, stale or old-settings record names nothing that is signed). Deletes remove the keys of
 * every settings version derived from each image element's file (elements.ts, delete-thread.ts).
 */
import sharp from "sharp";
import { type Element } from "../../entities/element";
import { DataError } from "../../errors";
import { isElementFileOf, previewKeyOf, previewKeysOf } from "../../storage/object-key";
import { type LayerContext } from "../context";
import { recordOnElement } from "./element-record";
import { FairSlots } from "./fair-slots";

/**
 * The thumbnail's CSS box is 200 px high and at most 360 px wide (threads.css, `.image-thumb`): at a device pixel
 * ratio of 2 that is 400 × 720, so a preview fits inside it and stays sharp on a phone or a Retina screen.
 */
export const PREVIEW_BOX = { width: 720, height: 400 } as const;
/** Photos: lossy, as a photo is anyway (a JPEG source has lost more than this already). */
const PHOTO_WEBP = { quality: 75 } as const;
/**
 * Graphics (charts, screenshots, diagrams, logos): lossless, as lossy WebP speckles flat colour and smears text. A
 * source of at most this many colours once resized is a graphic (the demo's chart: 3, a text screenshot: about 1,800,
 * a photo: over 100,000); the count stops as soon as it passes this.
 */
const GRAPHIC_MAX_COLOURS = 8192;
/** A lossless preview larger than this (a noisy or dithered graphic) is made lossy after all: a preview stays small. */
const LOSSLESS_MAX_BYTES = 160 * 1024;
/** Sources a lossy codec made: their preview is a photo's whatever their colour count (no lossless try). */
const LOSSY_FORMATS = new Set(["jpeg", "heif"]);

/** Limits on making one (docs/security.md, "Limits"): bytes read from storage, pixels decoded, time taken. */
export const PREVIEW_LIMITS = {
  /** An original larger than this is not read (the thumbnail falls back to it). */
  maxSourceBytes: 32 * 1024 * 1024,
  /** width × height before any decoding (sharp's limitInputPixels): a 48 MP phone photo passes, a PNG bomb does not. */
  maxInputPixels: 50_000_000,
  timeoutSeconds: 10,
};
/** Raster formats only: SVG would run librsvg over a document anyone may have written, for no gain. */
const FORMATS = new Set(["jpeg", "png", "webp", "gif", "avif", "heif", "tiff"]);
/** Previews made at once in this process: sharp uses several threads each, on a machine shared with the pages. */
const MAKING_AT_ONCE = 2;
/**
 * Makings waiting for a place, beyond which an ask is turned away (not recorded: a later view asks again), so a burst
 * of asks (a share opened by many) queues a bounded amount of work in this process. Room for a page of Chainlit
 * images opened at once (a gallery of 40 asks for all 40 together): one turned away shows its original. A waiting
 * making holds nothing but its request: the file is read once it has a place. Shared between threads in turn, so one
 * thread's burst neither delays nor shuts out another's first thumbnail (fair-slots.ts).
 */
export const PREVIEW_QUEUE = { waiting: 48 };
/** After a making ran out of time: the first wait before another try, doubled at each timeout, at most a day. */
export const PREVIEW_RETRY = { firstMs: 60_000, maxMs: 24 * 60 * 60_000 };

export const PREVIEW_ATTRIBUTE = "previewKey";
export const PREVIEW_REFUSED_ATTRIBUTE = "previewRefused";
/** `{key} {retry after, ms since the epoch} {timeouts so far}`: one string, for the one conditional SET recordOnElement makes. */
export const PREVIEW_RETRY_ATTRIBUTE = "previewRetry";

type PreviewSubject = Pick<Element, "id" | "threadId" | "objectKey" | "type" | "mime">;

/** Also over a raw item (previousPreviews): a `mime` another writer stored as no string is no image type. */
export const isImageElement = (element: Pick<Element, "type" | "mime">): boolean =>
  element.type === "image" || (typeof element.mime === "string" && element.mime.toLowerCase().startsWith("image/"));

/** The preview key of an image element whose objectKey names its own file; null for anything else. */
export function previewKeyFor(element: PreviewSubject): string | null {
  const { objectKey, threadId, id } = element;
  if (!isImageElement(element) || !isElementFileOf(objectKey, threadId, id)) return null;
  return previewKeyOf(threadId, id, objectKey);
}

/** Every key a preview of this element's file may have, under any settings version: what deleting it removes. */
export function previewKeysFor(element: PreviewSubject): string[] {
  const { objectKey, threadId, id } = element;
  if (!isImageElement(element) || !isElementFileOf(objectKey, threadId, id)) return [];
  return previewKeysOf(threadId, id, objectKey);
}

/**
 * `made`, `refused`, `absent` (to be made), `waiting` (a making ran out of time; not again before `retryAt`), or `none`
 * (not an image of its own file).
 */
export type PreviewState = { kind: "made"; key: string } | { kind: "refused" } | { kind: "absent"; key: string; timeouts: number } | { kind: "waiting"; retryAt: number } | { kind: "none" };

type Recorded = Pick<Element, "previewKey" | "previewRefused" | "previewRetry">;

/** What the item records of its preview, checked against the key derived from its own objectKey. */
export function previewState(element: PreviewSubject & Recorded, now = Date.now()): PreviewState {
  const key = previewKeyFor(element);
  if (!key) return { kind: "none" };
  if (element.previewKey === key) return { kind: "made", key };
  if (element.previewRefused === key) return { kind: "refused" };
  const retry = parseRetry(element.previewRetry, key);
  if (retry && retry.retryAt > now) return { kind: "waiting", retryAt: retry.retryAt };
  return { kind: "absent", key, timeouts: retry?.timeouts ?? 0 };
}

/** The back-off recorded for this very key (one recorded for another file or other settings counts for nothing). */
function parseRetry(recorded: string | null | undefined, key: string): { retryAt: number; timeouts: number } | null {
  const [recordedKey, at, count] = (recorded ?? "").split(" ");
  const retryAt = Number(at);
  const timeouts = Number(count);
  if (recordedKey !== key || !Number.isSafeInteger(retryAt) || !Number.isSafeInteger(timeouts) || timeouts < 1) return null;
  return { retryAt, timeouts };
}

/** When to try again after the n-th timeout: firstMs, doubled each time, at most maxMs. */
export const retryDelayMs = (timeouts: number) => Math.min(PREVIEW_RETRY.maxMs, PREVIEW_RETRY.firstMs * 2 ** Math.min(30, timeouts - 1));

/**
 * `previewUrl` signed for a recorded preview, or null; `previewRefused` kept only when it is this file's (a refusal
 * recorded for an earlier file must not stop the view from asking). Stored `previewUrl`s are never kept (elementFields).
 */
export async function signPreview(ctx: LayerContext, element: Element): Promise<Pick<Element, "previewUrl" | "previewUrlExpiresAt" | "previewRefused">> {
  const state = previewState(element);
  const previewRefused = state.kind === "refused" ? element.previewRefused : null;
  if (!ctx.storage || state.kind !== "made") return { previewUrl: null, previewUrlExpiresAt: null, previewRefused };
  try {
    // As a download like every element link (never rendered as a page on the storage origin); an <img> shows it.
    const signed = await ctx.storage.getReadUrl(state.key, { downloadName: "preview.webp", mime: "image/webp" });
    return { previewUrl: signed.url, previewUrlExpiresAt: signed.expiresAt, previewRefused };
  } catch (error) {
    ctx.logger.warn("could not sign a preview URL", { threadId: element.threadId, elementId: element.id, error: String(error) });
    return { previewUrl: null, previewUrlExpiresAt: null, previewRefused };
  }
}

/** A making turned away or cut short for a reason that is not the file's (busy, out of time): tried again later. */
export class PreviewDeferred extends Error {
  constructor(
    message: string,
    /** Ran out of time: recorded with a back-off, so the next views do not each pay the time limit again. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** Previews are made 2 at a time, waiting asks served a thread at a time in turn (fair-slots.ts). */
const slots = new FairSlots(MAKING_AT_ONCE, PREVIEW_QUEUE, () => new PreviewDeferred("too many previews being made in this process"));

/** Thrown for a file that can never be made into a preview (recorded, so it is not read again). */
class Unpreviewable extends Error {}

/** sharp's own words when `.timeout()` stops a pipeline (libvips: "timeout: N% complete"). */
const TIMED_OUT = /\btimeout: \d+% complete/;

/**
 * Why sharp failed: PreviewDeferred when it ran out of time (the machine may have been busy: not the file's fault,
 * and not to be recorded as refused), else Unpreviewable (corrupt, truncated, over the pixel limit).
 */
export function renderFailure(error: unknown): Error {
  if (error instanceof Unpreviewable || error instanceof PreviewDeferred) return error;
  if (TIMED_OUT.test(String(error))) return new PreviewDeferred(String(error), true);
  return new Unpreviewable(String(error));
}

/** True when the pixels hold at most GRAPHIC_MAX_COLOURS colours (alpha aside), stopping as soon as they do not. */
function fewColours(pixels: Buffer, channels: number): boolean {
  // One bit per 24-bit colour (2 MB): a Set of hundreds of thousands of numbers took a photo's preview 400 ms longer.
  const seen = new Uint8Array(1 << 21);
  let colours = 0;
  const last = pixels.length - Math.min(3, channels);
  for (let i = 0; i <= last; i += channels) {
    const colour = channels < 3 ? pixels[i]! : (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
    const byte = colour >>> 3;
    const bit = 1 << (colour & 7);
    const had = seen[byte]!;
    if (had & bit) continue;
    seen[byte] = had | bit;
    if (++colours > GRAPHIC_MAX_COLOURS) return false;
  }
  return true;
}

/**
 * The WebP preview of `bytes`, or Unpreviewable / PreviewDeferred. The header is read first: the pixel count is
 * refused before decoding. Settings by content (docs/long-threads.md, "Image previews"): a photo (a lossy source, or
 * many colours) lossy at quality 75; a graphic (a lossless source of few colours: charts, screenshots) lossless, unless
 * that comes out larger than LOSSLESS_MAX_BYTES. Decoded and resized once; the time limit covers the whole making.
 */
export async function renderPreview(bytes: Uint8Array): Promise<Buffer> {
  const options = { limitInputPixels: PREVIEW_LIMITS.maxInputPixels, failOn: "error" as const, animated: false };
  const deadline = Date.now() + PREVIEW_LIMITS.timeoutSeconds * 1000;
  // sharp counts whole seconds, and 0 would mean none: a step starting with no time left is a timeout of its own.
  const timeout = () => {
    const seconds = Math.ceil((deadline - Date.now()) / 1000);
    if (seconds < 1) throw new PreviewDeferred("timeout: the making's time ran out between its steps", true);
    return { seconds };
  };
  try {
    const meta = await sharp(bytes, options).metadata();
    if (!meta.format || !FORMATS.has(meta.format)) throw new Unpreviewable(`format ${meta.format ?? "unknown"}`);
    if (!meta.width || !meta.height || meta.width * meta.height > PREVIEW_LIMITS.maxInputPixels) throw new Unpreviewable(`${meta.width}×${meta.height} pixels`);
    const resized = () =>
      sharp(bytes, options)
        .rotate() // as the camera held it (EXIF orientation), which the browser showed the original in
        .resize({ ...PREVIEW_BOX, fit: "inside", withoutEnlargement: true })
        .timeout(timeout());
    // A photo in one pipeline, as before graphics were told apart: nothing of it is looked at.
    if (LOSSY_FORMATS.has(meta.format)) return await resized().webp(PHOTO_WEBP).toBuffer();
    // 8 bits a channel whatever the source's (a 16-bit PNG): the count and the encode read the buffer as that.
    const { data, info } = await resized().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    if (fewColours(data, info.channels)) {
      const lossless = await sharp(data, raw).webp({ lossless: true }).timeout(timeout()).toBuffer();
      if (lossless.byteLength <= LOSSLESS_MAX_BYTES) return lossless;
    }
    return await sharp(data, raw).webp(PHOTO_WEBP).timeout(timeout()).toBuffer();
  } catch (error) {
    throw renderFailure(error);
  }
}

/**
 * Makes, stores and records the preview of an image element (read as the item holds it), bounded by PREVIEW_LIMITS.
 * Returns the state afterwards: `made`; `refused` (recorded: the file can never be made into one); `waiting` (turned
 * away by a busy process, or out of time, recorded with a back-off then; nothing else recorded, so a later view tries
 * again); or throws a storage error (nothing recorded either). `mayMake` is asked just before the file is read, only
 * when it is to be made (a share's budget for making: share.elementPreview); false answers `waiting`. The record is
 * conditional on the item still naming the same file: an element deleted or re-created meanwhile gets none, and the
 * preview just stored is deleted again. A preview of earlier settings (PREVIEW_VERSION) is deleted once replaced.
 */
export async function makePreview(ctx: LayerContext, element: Element, mayMake?: () => Promise<boolean>): Promise<PreviewState> {
  const state = previewState(element);
  if (state.kind !== "absent" || !ctx.storage) return state;
  if (mayMake && !(await mayMake())) return { kind: "waiting", retryAt: Date.now() };
  const storage = ctx.storage;
  const objectKey = element.objectKey!;
  const log = { threadId: element.threadId, elementId: element.id };
  let preview: Buffer;
  try {
    preview = await slots.run(element.threadId, async () => renderPreview(await storage.read(objectKey, { maxBytes: PREVIEW_LIMITS.maxSourceBytes })));
  } catch (error) {
    if (error instanceof PreviewDeferred) {
      ctx.logger.info("an image element's preview is put off", { ...log, reason: error.message.slice(0, 200) });
      if (!error.timedOut) return { kind: "waiting", retryAt: Date.now() };
      const timeouts = state.timeouts + 1;
      const retryAt = Date.now() + retryDelayMs(timeouts);
      await record(ctx, element, objectKey, PREVIEW_RETRY_ATTRIBUTE, `${state.key} ${retryAt} ${timeouts}`).catch(() => undefined);
      return { kind: "waiting", retryAt };
    }
    const gone = error instanceof DataError && (error.code === "too_large" || error.code === "not_found");
    if (!(error instanceof Unpreviewable) && !gone) throw error;
    ctx.logger.info("no preview for an image element", { ...log, reason: String(error).slice(0, 200) });
    await record(ctx, element, objectKey, PREVIEW_REFUSED_ATTRIBUTE, state.key).catch(() => undefined);
    return { kind: "refused" };
  }
  await storage.uploadFile({ objectKey: state.key, data: preview, mime: "image/webp", fileName: "preview.webp" });
  try {
    await record(ctx, element, objectKey, PREVIEW_ATTRIBUTE, state.key);
  } catch (error) {
    await storage.deleteFile(state.key).catch(() => false);
    throw error;
  }
  // The one it replaces, when made with earlier settings: only a key derived from this file, never what a record names.
  const replaced = previewKeysFor(element).find((key) => key !== state.key && key === element.previewKey);
  if (replaced) await storage.deleteFile(replaced).catch(() => false);
  return { kind: "made", key: state.key };
}

async function record(ctx: LayerContext, element: Element, objectKey: string, attribute: string, key: string): Promise<void> {
  if (!(await recordOnElement(ctx, element, objectKey, attribute, key))) throw new DataError("not_found", `element ${element.id} changed while its preview was made`);
}

/**
 * A link to the element's preview, made first if none is recorded (the first view of an image another writer stored).
 * Null when it cannot be made (recorded as refused) or not now (`waiting`): the thumbnail shows the original then. The caller has decided
 * the element is the viewer's to see (the thread gate, or a share's window).
 */
export async function previewLink(ctx: LayerContext, element: Element, mayMake?: () => Promise<boolean>): Promise<{ url: string; expiresAt: string } | null> {
  const state = await makePreview(ctx, element, mayMake);
  if (state.kind !== "made") return null;
  const { previewUrl, previewUrlExpiresAt } = await signPreview(ctx, { ...element, previewKey: state.key });
  if (!previewUrl || !previewUrlExpiresAt) throw new DataError("storage", `could not sign the preview of element ${element.id}`);
  return { url: previewUrl, expiresAt: previewUrlExpiresAt };
}
