/**
 * An image an export carries inside its JSON as a `data:` URL (Open WebUI keeps a pasted image so). Only base64 data
 * URLs of an image type are read: the URL is the file's, whatever wrote it, so its declared type is only a hint
 * (the upload checks that decide what is stored apply as to any file) and its size is known before decoding.
 */
const DATA_URL_HEAD = /^data:(image\/[a-z0-9.+-]{1,40});base64,/i;

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg", "image/gif": "gif", "image/webp": "webp" };

export interface DataUrlImage {
  mime: string;
  /** The name's extension for that type, or null for a type no upload takes. */
  extension: string | null;
  /** Start of the base64 text in the URL. */
  start: number;
}

/** What a data URL says it holds, or null when it is not a base64 image (no bytes are decoded here). */
export function dataUrlImage(url: string): DataUrlImage | null {
  const head = DATA_URL_HEAD.exec(url.slice(0, 64));
  if (!head) return null;
  const mime = head[1]!.toLowerCase();
  return { mime, extension: EXTENSIONS[mime] ?? null, start: head[0].length };
}

/** The decoded size of a base64 text, from its length alone: what a size limit checks before anything is decoded. */
export function base64Bytes(url: string, start: number): number {
  const length = url.length - start;
  const padding = url.endsWith("==") ? 2 : url.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

/** The bytes, or null when the text is not base64 (Node would skip the stray characters and store garbage). */
export function decodeDataUrl(url: string, start: number): Buffer | null {
  const text = url.slice(start);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, "base64");
}
