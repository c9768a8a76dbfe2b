/**
 * The file an import reads, wherever it is: the app's upload in storage (`threadbook-imports/{jobId}`, so any
 * instance can read it and a job outlives the process that received it) or a file on disk (the CLI's own file).
 *
 * A stored upload is never downloaded whole: a zip is read by its central directory with ranged reads (yauzl over a
 * RandomAccessReader), and an entry's bytes, or a bare conversations.json, come as a stream of ranges of at most
 * STREAM_PIECE_BYTES, each fetched when the reader wants more. So memory holds about one piece, and no download stays
 * open while the import is busy writing (an idle connection would be cut by the storage timeouts).
 */
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import yauzl from "yauzl";
import { MAX_RANGE_BYTES, type StorageClient } from "@/data";

export interface ImportFile {
  readonly size: number;
  /** Up to `bytes` first bytes (what the file is comes from them). */
  head(bytes: number): Promise<Buffer>;
  /** The whole file as a stream (a bare conversations.json). */
  stream(): Readable;
  /** The file as a zip, read by its central directory. */
  openZip(options: yauzl.Options): Promise<yauzl.ZipFile>;
}

export async function localImportFile(path: string): Promise<ImportFile> {
  const { size } = await stat(path);
  return {
    size,
    async head(bytes) {
      const handle = await open(path, "r");
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    stream: () => createReadStream(path),
    openZip: (options) => yauzl.openPromise(path, options),
  };
}

/** A range a stream asks for at a time: large enough to keep requests few (60 for 500 MB), small enough to hold. */
export const STREAM_PIECE_BYTES = Math.min(8 * 1024 * 1024, MAX_RANGE_BYTES);

/** `size` is what the upload counted as it was stored (the job item's `uploadBytes`), never what a client said. */
export function storedImportFile(storage: StorageClient, objectKey: string, size: number): ImportFile {
  const range = (start: number, end: number) => storage.readRange(objectKey, { start, end }).then((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    size,
    head: async (bytes) => (size === 0 ? Buffer.alloc(0) : range(0, Math.min(bytes, size))),
    stream: () => rangeStream(range, 0, size),
    openZip: (options) => yauzl.fromRandomAccessReaderPromise(new StoredZipReader(range, size), size, options),
  };
}

type ReadRange = (start: number, end: number) => Promise<Buffer>;

/** Bytes [start, end) as a stream of pieces, the next fetched only when the consumer has taken the last. */
function rangeStream(range: ReadRange, start: number, end: number): Readable {
  let next = start;
  return new Readable({
    read() {
      if (next >= end) return void this.push(null);
      const to = Math.min(end, next + STREAM_PIECE_BYTES);
      range(next, to).then(
        (bytes) => {
          next = to;
          this.push(bytes);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
  });
}

/** The first read of a block away from the last one; blocks grow while reads go on in sequence (the central directory). */
const FIRST_BLOCK_BYTES = 64 * 1024;
const MAX_BLOCK_BYTES = 1024 * 1024;

/**
 * yauzl reads the central directory in small reads (46 bytes, then the name, per entry) and each entry's local header
 * in two more: one request each would be tens of thousands for a large export. So reads go through one cached block,
 * which doubles (up to 1 MiB) while reads stay in it or just past it: a 2 MB central directory takes a handful of
 * requests, and an attachment small enough to sit in its header's block takes one.
 */
class StoredZipReader extends yauzl.RandomAccessReader {
  private block: { start: number; bytes: Buffer } | null = null;
  private blockSize = FIRST_BLOCK_BYTES;

  constructor(
    private readonly range: ReadRange,
    private readonly size: number,
  ) {
    super();
  }

  private cached(start: number, end: number): Buffer | null {
    const block = this.block;
    if (!block || start < block.start || end > block.start + block.bytes.length) return null;
    return block.bytes.subarray(start - block.start, end - block.start);
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null, bytesRead?: number) => void): void {
    const hit = this.cached(position, position + length);
    if (hit) {
      hit.copy(buffer, offset);
      return void setImmediate(() => callback(null, length));
    }
    if (length > MAX_BLOCK_BYTES) return super.read(buffer, offset, length, position, callback);
    const block = this.block;
    const inSequence = block !== null && position >= block.start && position <= block.start + block.bytes.length;
    this.blockSize = inSequence ? Math.min(this.blockSize * 2, MAX_BLOCK_BYTES) : FIRST_BLOCK_BYTES;
    const end = Math.min(this.size, position + Math.max(length, this.blockSize));
    if (end <= position) return void setImmediate(() => callback(null, 0));
    this.range(position, end).then(
      (bytes) => {
        this.block = { start: position, bytes };
        const copied = bytes.copy(buffer, offset, 0, Math.min(length, bytes.length));
        callback(null, copied);
      },
      (error: unknown) => callback(error as Error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const hit = this.cached(start, end);
    return hit ? Readable.from([hit]) : rangeStream(this.range, start, end);
  }
}
