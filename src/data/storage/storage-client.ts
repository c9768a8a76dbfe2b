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
   * Copies an object inside the same bucket or container, server side (the bytes never pass through the app), with
   * its content type and disposition. `not_found` when the source is missing. Used by "Continue in my history".
   */
  copyFile(sourceKey: string, targetKey: string): Promise<void>;
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
