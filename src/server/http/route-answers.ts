/**
 * What the plain route handlers (export, import, attachment upload) answer alike, so each says it once: a table that
 * cannot be reached is a 503 with a message to retry (the session check itself reads it), never a 500; a write from
 * another site is refused before its body is read.
 */
import { isDataError } from "@/data";
import type { Refusal } from "@/lib/shared/refusal";
import { publicMessage } from "../errors";
import { CROSS_ORIGIN_MESSAGE, isSameOriginRequest } from "./same-origin";

/** Runs a handler; the table being unreachable anywhere in it becomes a 503. */
export async function answerUnavailable(handle: () => Promise<Response>): Promise<Response> {
  try {
    return await handle();
  } catch (error) {
    if (isDataError(error, "unavailable")) return Response.json({ error: publicMessage(error) }, { status: 503 });
    throw error;
  }
}

/** A 403 for a state-changing request that does not come from the app's pages (its body drained unread); else null. */
export async function refuseCrossOrigin(req: Request): Promise<Response | null> {
  if (isSameOriginRequest(req)) return null;
  await req.body?.cancel().catch(() => undefined);
  return Response.json({ error: CROSS_ORIGIN_MESSAGE }, { status: 403 });
}

/**
 * A refusal as JSON: `{ error }` for scripts, the `refusal` for the app's pages to word in the reader's language
 * (src/lib/shared/refusal.ts), and Retry-After when it names a time.
 */
export function refusedJson(result: { status: number; error: string; refusal?: Refusal }): Response {
  const { status, error, refusal } = result;
  const retryAfter = refusal?.retryAfterSeconds;
  return Response.json(refusal ? { error, refusal } : { error }, { status, headers: retryAfter ? { "retry-after": String(retryAfter) } : undefined });
}

/** A declared Content-Length, when it is a plain number. */
export function declaredLength(req: Request): number | null {
  const length = req.headers.get("content-length");
  return length && /^\d+$/.test(length) ? Number(length) : null;
}
