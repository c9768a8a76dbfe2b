/**
 * The first bytes of a stream, read before it is stored, and the whole stream still to store: how an upload's content
 * is checked against its type (content-signatures.ts) without buffering the file. At most `bytes` plus the rest of
 * the chunk that crossed it are held (an HTTP body's chunks are at most 64 KB); nothing more is read until the
 * returned stream is. A refused file is dropped with `discard`, which ends the source (and so the request's body).
 */
import { Readable } from "node:stream";

export interface StreamHead {
  /** The stream's first bytes: `bytes` of them, or all of a shorter stream. */
  head: Buffer;
  /** The whole stream again, from its first byte. */
  content: Readable;
  /** Ends the source unread, for a file refused on its head. */
  discard: () => void;
}

export async function readHead(source: NodeJS.ReadableStream, bytes: number): Promise<StreamHead> {
  const chunks = (source as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const read: Buffer[] = [];
  let total = 0;
  let ended = false;
  while (total < bytes) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    read.push(chunk);
    total += chunk.length;
  }
  const start = Buffer.concat(read, total);
  async function* whole() {
    try {
      if (start.length > 0) yield start;
      if (ended) return;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    } finally {
      // Stopped early (the upload failed, or the file was discarded): the source goes too.
      await chunks.return?.();
    }
  }
  const content = Readable.from(whole(), { objectMode: false });
  return { head: start.subarray(0, bytes), content, discard: () => void chunks.return?.() };
}
