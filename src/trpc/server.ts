/**
 * tRPC for Server Components: `api` calls procedures in-process (same context, same gate, same errors as over HTTP)
 * and `api.x.y.prefetch()` fills this request's query cache, which `<HydrateClient>` hands to the browser's, so a
 * component's `useQuery` has its data in the first paint and asks for nothing. Server-only: it reads the session;
 * the lint rules keep components from importing it.
 */
import { createHydrationHelpers } from "@trpc/react-query/rsc";
import { cache } from "react";
import { currentUser } from "@/server/auth";
import { createInnerContext } from "@/server/context";
import { createCaller, type AppRouter } from "@/server/root";
import { getServices } from "@/server/services";
import { makeQueryClient } from "./query-client";

/** One context and one query cache per request (React cache), shared by every call a render makes. */
const createContext = cache(async () => createInnerContext({ user: await currentUser(), services: getServices() }));
/** A page reads back what it prefetched from here (one call serves the page and the browser's `useQuery`). */
const getQueryClient = cache(makeQueryClient);

export const { trpc: api, HydrateClient } = createHydrationHelpers<AppRouter>(createCaller(createContext), getQueryClient);
