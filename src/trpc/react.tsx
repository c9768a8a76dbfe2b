"use client";

import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { httpBatchStreamLink, loggerLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import { useState, type ReactNode } from "react";
import type { AppRouter } from "@/server/root";
import { onClientStateReset, sessionEnded } from "@/lib/client/client-state";
import { transformer } from "@/server/transformer";
import { isLoggedFailure } from "./log-filter";
import { makeQueryClient } from "./query-client";

export const api = createTRPCReact<AppRouter>();

let browserQueryClient: QueryClient | undefined;
// Another user's lists and threads never outlive their session in this tab (lib/client/client-state.ts).
onClientStateReset(() => browserQueryClient?.clear());
function getQueryClient() {
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient({ onUnauthorized: sessionEnded });
  return browserQueryClient;
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    api.createClient({
      links: [
        // NODE_ENV is inlined by Next at build time: the browser has no environment to read. Failures only, and not
        // a request its caller cancelled (log-filter.ts).
        loggerLink({ enabled: (op) => process.env.NODE_ENV === "development" && isLoggedFailure(op) }),
        httpBatchStreamLink({ transformer, url: "/api/trpc" }),
      ],
    }),
  );
  return (
    <api.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </api.Provider>
  );
}
