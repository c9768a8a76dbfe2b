import type { Readable } from "node:stream";

export type UploadData = Uint8Array | string | Readable | NodeJS.ReadableStream;

export interface UploadInput {
  objectKey: string;
  data: UploadData;
  mime: string;
  /** The original file name, offered again when the file is downloaded. */
  fileName?: string;
  /** Called with the bytes sent so far (and the total when known). */
  onProgress?: (loaded: number, total?: number) => void;
}

export interface ReadUrlOptions {
  /** The name the browser saves the download under (Content-Disposition: attachment). */
  downloadName?: string;
  /** Content type to serve with; defaults to what was stored. */
  mime?: string;
  expiresInSeconds?: number;
}

export interface SignedUrl {
  url: string;
  /** ISO time after which the link is refused. */
  expiresAt: string;
}

/** Bytes `[start, end)` of an object: `end` is exclusive, as in `Buffer.subarray`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The most one `readRange` returns: a reader of a large object (an import's upload) asks for it piece by piece, so
 * no call holds more than this in memory and no download stays open while its reader is busy elsewhere.
 */
export const MAX_RANGE_BYTES = 16 * 1024 * 1024;

/** One object of a listing: its key and when it was last written (storage's clock). */
export interface ListedObject {
  key: string;
  lastModified: Date;
}

/** A page of a listing, keys in ascending order; `continuation` is absent once the listing is complete. */
export interface ObjectPage {
  objects: ListedObject[];
  /** Opaque, for this backend and bucket only: handed back to `listObjects` to go on after this page. */
  continuation?: string;
}

/** The most keys one `listObjects` page asks for: S3's and Azure's own largest page. */
export const MAX_LIST_PAGE = 1000;

/** Where elements' bytes live: S3 or Azure Blob, one interface (docs/chainlit.md, "Storage clients"). */
export interface StorageClient {
  /** A short name for logs and errors, e.g. `s3://bucket` or `azure://container`. */
  readonly description: string;
  uploadFile(input: UploadInput): Promise<{ objectKey: string; url?: string }>;
  getReadUrl(objectKey: string, options?: ReadUrlOptions): Promise<SignedUrl>;
  /**
   * The object's bytes, for the server itself (the chat reads attachments through this, never through a URL stored in an
   * item). `too_large` when the object holds more than `maxBytes`, found without downloading it; `not_found` if missing.
   */
  read(objectKey: string, options: { maxBytes: number }): Promise<Uint8Array>;
  /**
   * Bytes `[start, end)` of the object (a ranged GET), exactly `end - start` of them: an import reads its upload's zip
   * by its central directory this way. `validation` for a range that is not whole numbers with `0 <= start < end`,
   * spans more than MAX_RANGE_BYTES, or reaches past the end of the object (checked on the answer: storage returns
   * fewer bytes, or s3rver a wrong count, and either is refused); `not_found` if the object is missing.
   */
  readRange(objectKey: string, range: ByteRange): Promise<Uint8Array>;
  /**
   * Copies an object inside the same bucket or container, server side (the bytes never pass through the app), with
   * its content type and disposition. `not_found` when the source is missing. Used by "Continue in my history".
   */
  copyFile(sourceKey: string, targetKey: string): Promise<void>;
  /**
   * The object's stored size in bytes, from its properties (a HEAD request, no bytes read); `not_found` if missing.
   * For objects whose item records no `bytes` (Chainlit records none), before they are copied.
   */
  size(objectKey: string): Promise<number>;
  /**
   * One page of the keys under `prefix` (non-empty, never starting with `/`), with their last-modified times, in
   * ascending key order: at most `pageSize` (a whole number from 1 to MAX_LIST_PAGE; storage may return fewer while
   * more remain), one request. `continuation` from the previous page goes on after it; a page with none is the last.
   * `validation` for a bad prefix or page size. Used by the orphan sweep (layer/orphans/orphan-sweep.ts).
   */
  listObjects(prefix: string, options: { pageSize: number; continuation?: string }): Promise<ObjectPage>;
  /** True if something was deleted (false if it was not there). */
  deleteFile(objectKey: string): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_URL_EXPIRES_SECONDS = 300;

/**
 * How long storage may keep a request waiting. S3: `connectTimeoutMs` to connect, `requestTimeoutMs` without a byte
 * moving either way (an idle timeout, so a large part on a slow link is not cut off while it flows). Azure has no
 * separate connect timeout: `requestTimeoutMs` bounds each try. Either way a call fails after `maxAttempts` tries.
 */
export interface StorageTimeouts {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

export const DEFAULT_STORAGE_TIMEOUTS: StorageTimeouts = { connectTimeoutMs: 3_000, requestTimeoutMs: 30_000, maxAttempts: 3 };
