/**
 * Bounds what one `/api/trpc` request can make the server do, before tRPC sees it: at most `maxBatchCalls` calls in a
 * batch (checked from the URL, so none of them runs) and a body of at most `maxBodyBytes` (counted while it streams).
 * tRPC's own `req.json()` would buffer any body whole, and a batch of 1,000 calls would run 1,000 procedures.
 * A mutation (POST) must come from the app's own pages (same-origin.ts): the session cookie alone proves nothing,
 * and SameSite=Lax still sends it from a sibling subdomain. Refusals are tRPC-shaped error responses, so the client
 * shows their message like any other API error.
 */
import { TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { ServerEnv } from "../env";
import { transformer } from "../transformer";
import { withBoundedBody } from "./bounded-body";
import { CROSS_ORIGIN_API_MESSAGE, isSameOriginRequest } from "./same-origin";

export interface TrpcLimits {
  maxBodyBytes: number;
  maxBatchCalls: number;
}

export const trpcLimitsFrom = (env: Pick<ServerEnv, "API_MAX_BODY_KB" | "API_MAX_BATCH">): TrpcLimits => ({
  maxBodyBytes: env.API_MAX_BODY_KB * 1024,
  maxBatchCalls: env.API_MAX_BATCH,
});

/** One error for the whole request; tRPC's batch links hand a non-array error to every call of the batch. */
export function trpcErrorResponse(code: TRPC_ERROR_CODE_KEY, message: string): Response {
  const status = getHTTPStatusCodeFromError(new TRPCError({ code, message }));
  const shape = { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status } };
  return Response.json({ error: transformer.serialize(shape) }, { status });
}

/** The procedure paths of a request: `/api/trpc/a,b,c` is a batch of three. */
function callCount(req: Request, endpoint: string): number {
  const path = new URL(req.url).pathname.slice(endpoint.length).replace(/^\/+|\/+$/g, "");
  return path === "" ? 0 : path.split(",").length;
}

const kilobytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`);

/** The request to hand to tRPC (its body now in memory, within the limit), or the response refusing it. */
export async function limitTrpcRequest(req: Request, endpoint: string, limits: TrpcLimits): Promise<{ ok: true; req: Request } | { ok: false; response: Response }> {
  const calls = callCount(req, endpoint);
  if (calls > limits.maxBatchCalls) {
    await req.body?.cancel().catch(() => undefined);
    return { ok: false, response: trpcErrorResponse("BAD_REQUEST", `A request may batch at most ${limits.maxBatchCalls} calls; this one has ${calls}.`) };
  }
  // Next hands route handlers an (empty) body stream even on GET, and a GET Request cannot be rebuilt with a body.
  if (req.method === "GET" || req.method === "HEAD") return { ok: true, req };
  if (!isSameOriginRequest(req)) {
    await req.body?.cancel().catch(() => undefined);
    return { ok: false, response: trpcErrorResponse("FORBIDDEN", CROSS_ORIGIN_API_MESSAGE) };
  }
  const bounded = await withBoundedBody(req, limits.maxBodyBytes);
  if (!bounded) return { ok: false, response: trpcErrorResponse("PAYLOAD_TOO_LARGE", `The request body is larger than the ${kilobytes(limits.maxBodyBytes)} limit.`) };
  return { ok: true, req: bounded };
}
