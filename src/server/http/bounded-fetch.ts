/**
 * A fetch bounded in time and bytes, for requests the server makes to another service on behalf of a request it is
 * serving: the answer must come, headers and body, within `timeoutMs`, and its body is read as it arrives up to
 * `maxBytes` (readBoundedBody), so a service that hangs holds the request that waits on it for the timeout at most,
 * and one that answers 50 MB (or an endless stream) costs the server the bound in memory, whatever it declares.
 *
 * What it returns is an ordinary Response over the bytes read, status and headers kept, so code written for fetch
 * (Auth.js and oauth4webapi) reads it as it would have read the original.
 */
import { readBoundedBody } from "./bounded-body";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface FetchBounds {
  timeoutMs: number;
  maxBytes: number;
}

/** Why a bounded request failed, in words that name the service's address (origin and path) and nothing it sent. */
export class BoundedFetchError extends Error {
  override name = "BoundedFetchError";
}

/** Statuses a Response may not carry a body with (its constructor refuses one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Origin and path only: a query string may carry a code or a token, and the message reaches logs. */
export function addressOf(input: string | URL | Request): string {
  try {
    const url = new URL(input instanceof Request ? input.url : input);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "(unparseable address)";
  }
}

export function boundedFetch(bounds: FetchBounds, fetchFn: FetchLike = fetch): FetchLike {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(bounds.timeoutMs);
    // The caller's own signal still cancels; the timeout covers the headers and the body alike (fetch's signal
    // aborts the body's stream too).
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      const response = await fetchFn(input, { ...init, signal });
      const body = await readBoundedBody(response, bounds.maxBytes);
      if (!body.ok) throw new BoundedFetchError(`${addressOf(input)}: answer over ${bounds.maxBytes} bytes, not read`);
      const headers = new Headers(response.headers);
      // The bytes are the decoded body, and their length is what was read: the wire's encoding and length no longer
      // describe them.
      headers.delete("content-encoding");
      headers.delete("content-length");
      const bytes = NULL_BODY_STATUS.has(response.status) ? null : body.bytes;
      return new Response(bytes, { status: response.status, statusText: response.statusText, headers });
    } catch (error) {
      if (timeout.aborted && !(error instanceof BoundedFetchError)) {
        throw new BoundedFetchError(`${addressOf(input)}: no complete answer within ${bounds.timeoutMs} ms`);
      }
      throw error;
    }
  };
}
