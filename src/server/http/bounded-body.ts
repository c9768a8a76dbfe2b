/**
 * Reads a request body up to a byte limit, counting as the chunks arrive: a body over the limit is refused once the
 * limit is crossed, so a 50 MB (or endless) body costs the server at most the limit in memory, whatever its
 * Content-Length says. A declared length over the limit is refused before a byte is read. Also a response's body
 * (another service's answer the server reads), which has the same two fields.
 */
export type BoundedBody = { ok: true; bytes: Uint8Array<ArrayBuffer> | null } | { ok: false };

export async function readBoundedBody(req: Pick<Request, "body" | "headers">, maxBytes: number): Promise<BoundedBody> {
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

/**
 * The request with its body read within `maxBytes` (in memory, ready for a handler that buffers it whole), or null
 * when the body is over the limit. A GET or HEAD passes as it is: Next hands it an empty body stream, and a GET
 * Request cannot be rebuilt with a body.
 */
export async function withBoundedBody(req: Request, maxBytes: number): Promise<Request | null> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const body = await readBoundedBody(req, maxBytes);
  if (!body.ok) return null;
  if (body.bytes === null) return req;
  const headers = new Headers(req.headers);
  headers.delete("content-length");
  return new Request(req.url, { method: req.method, headers, body: body.bytes, signal: req.signal });
}
