/**
 * Types derived from the router, for the browser side: components import these, never a type from src/server, so the
 * client code depends on the API's shape alone. Type-only: nothing of the server reaches the bundle.
 */
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** One event of `chat.send`'s stream (start, token, done, error). */
export type ChatEvent = RouterOutputs["chat"]["send"] extends AsyncIterable<infer Event> ? Event : never;
