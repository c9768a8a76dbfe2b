/**
 * The fetch of the app's one-shot changes (a 👍 and its comment, a rename, a pin, a delete: src/trpc/react.tsx). The
 * view shows such a change at once, before the server has it, so a reload or a click away a moment later cancelled
 * the request and lost the change the reader had just seen made. A `keepalive` request outlives its page.
 *
 * Chrome refuses a keepalive request (a network error) once the bodies of those in flight pass 64 KiB for the page,
 * so only what fits in a smaller budget of our own goes kept alive; the rest goes as before. The budget is given back
 * once the answer's headers are in: the body went out before them.
 */
export const KEPT_ALIVE_BUDGET_BYTES = 48 * 1024;

let inFlightBytes = 0;

export async function keptAliveFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const bytes = typeof init?.body === "string" ? new TextEncoder().encode(init.body).byteLength : null;
  if (bytes === null || inFlightBytes + bytes > KEPT_ALIVE_BUDGET_BYTES) return fetch(input, init);
  inFlightBytes += bytes;
  try {
    return await fetch(input, { ...init, keepalive: true });
  } finally {
    inFlightBytes -= bytes;
  }
}
