import { defaultShouldDehydrateQuery, QueryCache, QueryClient, replaceEqualDeep } from "@tanstack/react-query";
import { mergeThreadWindows, type ThreadWindowLike } from "@/lib/shared/thread/thread-window-merge";
import { transformer } from "@/server/transformer";

/** tRPC's query key of `threads.get` for any input (a prefix of every thread's key). */
const THREAD_GET_KEY = [["threads", "get"]];

/** `onUnauthorized`: a read was answered 401, so the session it was made in has ended (the browser's client). */
export function makeQueryClient(options: { onUnauthorized?: () => void } = {}) {
  const client = new QueryClient({
    queryCache: new QueryCache({ onError: (error) => (isUnauthorized(error) ? options.onUnauthorized?.() : undefined) }),
    defaultOptions: {
      // Signed URLs expire; lists change under other tabs: keep data a short while, refetch on focus.
      queries: { staleTime: 30_000, retry: (count, error) => count < 2 && !isClientError(error) },
      dehydrate: {
        serializeData: transformer.serialize,
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: { deserializeData: transformer.deserialize },
    },
  });
  // Every write to a thread's cache (refetch, page, optimistic edit) merges into the block of turns already held,
  // then shares unchanged objects with it, so memoised turns do not redraw (lib/shared/thread/thread-window-merge.ts).
  client.setQueryDefaults(THREAD_GET_KEY, {
    structuralSharing: (old: unknown, next: unknown) =>
      replaceEqualDeep(old, mergeThreadWindows(old as ThreadWindowLike | undefined, next as ThreadWindowLike)),
  });
  return client;
}

function isUnauthorized(error: unknown): boolean {
  return (error as { data?: { code?: string } } | null)?.data?.code === "UNAUTHORIZED";
}

/** 4xx answers are final: retrying a NOT_FOUND or a validation error only delays the message. */
function isClientError(error: unknown): boolean {
  const status = (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
  return typeof status === "number" && status >= 400 && status < 500;
}
