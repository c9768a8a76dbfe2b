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

/** Where elements' bytes live: S3 or Azure Blob, one interface (seed, "Storage"). */
export interface StorageClient {
  /** A short name for logs and errors, e.g. `s3://bucket` or `azure://container`. */
  readonly description: string;
  uploadFile(input: UploadInput): Promise<{ objectKey: string; url?: string }>;
  getReadUrl(objectKey: string, options?: ReadUrlOptions): Promise<SignedUrl>;
  /** True if something was deleted (false if it was not there). */
  deleteFile(objectKey: string): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_URL_EXPIRES_SECONDS = 300;
