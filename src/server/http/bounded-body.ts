/**
 * Reads a request body up to a byte limit, counting as the chunks arrive: a body over the limit is refused once the
 * limit is crossed, so a 50 MB (or endless) body costs the server at most the limit in memory, whatever its
 * Content-Length says. A declared length over the limit is refused before a byte is read.
 */
export type BoundedBody = { ok: true; bytes: Uint8Array<ArrayBuffer> | null } | { ok: false };

export async function readBoundedBody(req: Request, maxBytes: number): Promise<BoundedBody> {
  if (!req.body) return { ok: true, bytes: null };
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await req.body.cancel().catch(() => undefined);
    return { ok: false };
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      total += read.value.byteLength;
      // Counted before the chunk is kept: nothing past the limit is ever held.
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false };
      }
      chunks.push(read.value);
    }
  } finally {
    reader.releaseLock();
  }
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}
