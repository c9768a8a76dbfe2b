/**
 * Reading an object's bytes into memory with a cap, identically for both backends. An object whose stored length is
 * over the cap is refused before its body is read (the download is dropped); the count while reading is the backstop
 * for a response without a length. (No range request in `read`: s3rver answers a range past the end with a wrong
 * length.) Ranged reads (`readRange`) are checked before the request and counted exactly on the answer, so a range
 * past the end is refused whatever the backend answers.
 */
import { DataError } from "../errors";
import { MAX_RANGE_BYTES, type ByteRange } from "./storage-client";

export const objectNotFound = (objectKey: string) => new DataError("not_found", `object "${objectKey}" not found`);

const tooLarge = (objectKey: string, maxBytes: number) => new DataError("too_large", `object "${objectKey}" is larger than the ${maxBytes} bytes allowed to read`);

type Body = AsyncIterable<Uint8Array | string> & { destroy?: () => void };

export async function readAtMost(body: Body | undefined, declaredLength: number | undefined, objectKey: string, maxBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    body.destroy?.();
    throw tooLarge(objectKey, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early (the throw) destroys the stream, which ends the download.
  for await (const chunk of body) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.byteLength;
    if (total > maxBytes) throw tooLarge(objectKey, maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/** A range both backends may send: whole numbers, not empty, inside MAX_RANGE_BYTES. Its length. */
export function checkRange({ start, end }: ByteRange): number {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
    throw new DataError("validation", `byte range [${start}, ${end}) must be whole numbers with 0 <= start < end`);
  }
  if (end - start > MAX_RANGE_BYTES) throw new DataError("validation", `byte range [${start}, ${end}) is longer than the ${MAX_RANGE_BYTES} bytes one read may return`);
  return end - start;
}

/** The answer to a ranged GET: exactly the bytes asked for, or a `validation` error (the object ends before `end`). */
export async function readExactly(body: Body | undefined, objectKey: string, range: ByteRange): Promise<Uint8Array> {
  const length = range.end - range.start;
  const bytes = await readAtMost(body, undefined, objectKey, length).catch((error: unknown) => {
    throw isDataErrorTooLarge(error) ? rangeNotSatisfiable(objectKey, range) : error;
  });
  if (bytes.byteLength !== length) throw rangeNotSatisfiable(objectKey, range);
  return bytes;
}

const isDataErrorTooLarge = (error: unknown) => error instanceof DataError && error.code === "too_large";
export const rangeNotSatisfiable = (objectKey: string, { start, end }: ByteRange) =>
  new DataError("validation", `object "${objectKey}" does not hold the bytes [${start}, ${end}) asked for`);
