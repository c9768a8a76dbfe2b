import { httpBatchLink, httpBatchStreamLink, loggerLink, splitLink, type TRPCLink } from "@trpc/client";
import type { AppRouter } from "@/server/root";
import { tabUserHeaders } from "@/lib/client/client-state";
import { keptAliveFetch } from "@/lib/client/kept-alive-fetch";
import { transformer } from "@/server/transformer";
import { isLoggedFailure } from "./log-filter";

/** The changes whose answer is a stream of the reply's events: they end with their page (the Stop button, a closed tab). */
const STREAMED_MUTATIONS = new Set<string>(["chat.send", "chat.regenerate", "chat.edit"]);

/** How the browser's tRPC client reaches the server. */
export function trpcLinks(): TRPCLink<AppRouter>[] {
  return [
    // NODE_ENV is inlined by Next at build time: the browser has no environment to read. Failures only, and not
    // a request its caller cancelled (log-filter.ts).
    loggerLink({ enabled: (op) => process.env.NODE_ENV === "development" && isLoggedFailure(op) }),
    // Each request says whose page made it (tabUserHeaders): answered only while the session is still theirs.
    // A one-shot change (a 👍, a rename, a pin, a delete) outlives its page: the view shows it at once, and a reload
    // a moment later no longer cancels it on its way (kept-alive-fetch.ts). Reads and replies stream as before.
    splitLink({
      condition: (op) => op.type === "mutation" && !STREAMED_MUTATIONS.has(op.path),
      true: httpBatchLink({ transformer, url: "/api/trpc", fetch: keptAliveFetch, headers: tabUserHeaders }),
      false: httpBatchStreamLink({ transformer, url: "/api/trpc", headers: tabUserHeaders }),
    }),
  ];
}
