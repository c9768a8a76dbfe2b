/**
 * Reading an object's bytes into memory with a cap, identically for both backends. An object whose stored length is
 * over the cap is refused before its body is read (the download is dropped); the count while reading is the backstop
 * for a response without a length. (No range request: s3rver answers a range past the end with a wrong length.)
 */
import { DataError } from "../errors";

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
