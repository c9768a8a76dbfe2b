/**
 * Image previews (docs/long-threads.md, "Image previews"): a thread shows each image element as a small WebP made
 * from its file, not the whole file (twenty 4 MB phone photos were 80 MB to draw twenty thumbnails). Made when
 * Threadbook stores an image (createElement) and, for images another writer stored (Chainlit), on the first view
 * that asks (elements.preview, share.elementPreview); later views sign the stored preview.
 *
 * Where: previewKeyOf(threadId, elementId, objectKey), derived from the key the element item records, never from a
 * client. The item records `previewKey` once made, or `previewRefused` when the file cannot be made into one, so a
 * read signs a preview without asking storage whether it exists, and a refused file is not read again at every view.
 * A recorded key counts only when it equals the derivation from the item's own objectKey (a forged or stale record
 * names nothing that is signed). Deletes remove the derived key of every image element (elements.ts, delete-thread.ts).
 */
import sharp from "sharp";
import { type Element } from "../../entities/element";
import { DataError } from "../../errors";
import { isElementFileOf, previewKeyOf } from "../../storage/object-key";
import { type LayerContext } from "../context";
import { recordOnElement } from "./element-record";

/**
 * The thumbnail's CSS box is 200 px high and at most 360 px wide (threads.css, `.image-thumb`): at a device pixel
 * ratio of 2 that is 400 × 720, so a preview fits inside it and stays sharp on a phone or a Retina screen.
 */
export const PREVIEW_BOX = { width: 720, height: 400 } as const;
const WEBP_QUALITY = 75;

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

export const PREVIEW_ATTRIBUTE = "previewKey";
export const PREVIEW_REFUSED_ATTRIBUTE = "previewRefused";

type PreviewSubject = Pick<Element, "id" | "threadId" | "objectKey" | "type" | "mime">;

export const isImageElement = (element: Pick<Element, "type" | "mime">): boolean =>
  element.type === "image" || (element.mime ?? "").toLowerCase().startsWith("image/");

/** The preview key of an image element whose objectKey names its own file; null for anything else. */
export function previewKeyFor(element: PreviewSubject): string | null {
  const { objectKey, threadId, id } = element;
  if (!isImageElement(element) || !isElementFileOf(objectKey, threadId, id)) return null;
  return previewKeyOf(threadId, id, objectKey);
}

export type PreviewState = { kind: "made"; key: string } | { kind: "refused" } | { kind: "absent"; key: string } | { kind: "none" };

/** What the item records of its preview, checked against the key derived from its own objectKey. */
export function previewState(element: PreviewSubject & Pick<Element, "previewKey" | "previewRefused">): PreviewState {
  const key = previewKeyFor(element);
  if (!key) return { kind: "none" };
  if (element.previewKey === key) return { kind: "made", key };
  if (element.previewRefused === key) return { kind: "refused" };
  return { kind: "absent", key };
}

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

let making = 0;
const waiting: Array<() => void> = [];
async function oneOfFew<T>(work: () => Promise<T>): Promise<T> {
  // A finished maker hands its place to the next in line, so no newcomer slips in between.
  if (making >= MAKING_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  else making++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else making--;
  }
}

/** Thrown for a file that can never be made into a preview (recorded, so it is not read again). */
class Unpreviewable extends Error {}

/** The WebP preview of `bytes`, or Unpreviewable. The header is read first: the pixel count is refused before decoding. */
export async function renderPreview(bytes: Uint8Array): Promise<Buffer> {
  const options = { limitInputPixels: PREVIEW_LIMITS.maxInputPixels, failOn: "error" as const, animated: false };
  try {
    const meta = await sharp(bytes, options).metadata();
    if (!meta.format || !FORMATS.has(meta.format)) throw new Unpreviewable(`format ${meta.format ?? "unknown"}`);
    if (!meta.width || !meta.height || meta.width * meta.height > PREVIEW_LIMITS.maxInputPixels) throw new Unpreviewable(`${meta.width}×${meta.height} pixels`);
    return await sharp(bytes, options)
      .rotate() // as the camera held it (EXIF orientation), which the browser showed the original in
      .resize({ ...PREVIEW_BOX, fit: "inside", withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .timeout({ seconds: PREVIEW_LIMITS.timeoutSeconds })
      .toBuffer();
  } catch (error) {
    if (error instanceof Unpreviewable) throw error;
    // Anything sharp refuses (corrupt, truncated, over the pixel limit, too slow) is the file's fault.
    throw new Unpreviewable(String(error));
  }
}

/**
 * Makes, stores and records the preview of an image element (read as the item holds it), bounded by PREVIEW_LIMITS.
 * Returns the state afterwards: `made`, `refused` (recorded), or throws a storage error (nothing recorded, so a later
 * view tries again). The record is conditional on the item still naming the same file: an element deleted or
 * re-created meanwhile gets none, and the preview just stored is deleted again.
 */
export async function makePreview(ctx: LayerContext, element: Element): Promise<PreviewState> {
  const state = previewState(element);
  if (state.kind !== "absent" || !ctx.storage) return state;
  const storage = ctx.storage;
  const objectKey = element.objectKey!;
  return oneOfFew(async () => {
    let preview: Buffer;
    try {
      preview = await renderPreview(await storage.read(objectKey, { maxBytes: PREVIEW_LIMITS.maxSourceBytes }));
    } catch (error) {
      const gone = error instanceof DataError && (error.code === "too_large" || error.code === "not_found");
      if (!(error instanceof Unpreviewable) && !gone) throw error;
      ctx.logger.info("no preview for an image element", { threadId: element.threadId, elementId: element.id, reason: String(error).slice(0, 200) });
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
    return { kind: "made", key: state.key };
  });
}

async function record(ctx: LayerContext, element: Element, objectKey: string, attribute: string, key: string): Promise<void> {
  if (!(await recordOnElement(ctx, element, objectKey, attribute, key))) throw new DataError("not_found", `element ${element.id} changed while its preview was made`);
}

/**
 * A link to the element's preview, made first if none is recorded (the first view of an image another writer stored).
 * Null when it cannot be made (recorded as refused): the thumbnail shows the original then. The caller has decided
 * the element is the viewer's to see (the thread gate, or a share's window).
 */
export async function previewLink(ctx: LayerContext, element: Element): Promise<{ url: string; expiresAt: string } | null> {
  const state = await makePreview(ctx, element);
  if (state.kind !== "made") return null;
  const { previewUrl, previewUrlExpiresAt } = await signPreview(ctx, { ...element, previewKey: state.key });
  if (!previewUrl || !previewUrlExpiresAt) throw new DataError("storage", `could not sign the preview of element ${element.id}`);
  return { url: previewUrl, expiresAt: previewUrlExpiresAt };
}
