/**
 * /api/trpc as the route runs it (src/app/api/trpc/[trpc]/route.ts): the request's bounds first (trpc-limits.ts),
 * then tRPC, every answer marked as one nobody may store.
 */
import { fetchRequestHandler, type FetchCreateContextFn } from "@trpc/server/adapters/fetch";
import { appRouter, type AppRouter } from "../root";
import { limitTrpcRequest, type TrpcLimits } from "./trpc-limits";

export const TRPC_ENDPOINT = "/api/trpc";

/**
 * An answer is about the signed-in user (their list, a thread with its signed links, search results), under a URL
 * that is the same for everyone (`/api/trpc/threads.list?input={"first":30}`), and tRPC sets no Cache-Control: a
 * shared cache in front of the app (a CDN keeping 200s without one for its default TTL, a proxy's heuristic
 * freshness) could keep Alice's answer and give it to Bob, and the browser's own cache could keep it past her
 * sign-out. `private, no-store` rules both out.
 */
export const TRPC_CACHE_CONTROL = "private, no-store";

export async function handleTrpcRequest(original: Request, limits: TrpcLimits, createContext: FetchCreateContextFn<AppRouter>): Promise<Response> {
  const limited = await limitTrpcRequest(original, TRPC_ENDPOINT, limits);
  if (!limited.ok) return limited.response;
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: limited.req,
    router: appRouter,
    maxBatchSize: limits.maxBatchCalls,
    createContext,
    responseMeta: () => ({ headers: new Headers({ "cache-control": TRPC_CACHE_CONTROL }) }),
  });
}
