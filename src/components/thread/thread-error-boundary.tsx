"use client";

import { catchError, type ErrorInfo } from "next/error";
import { ThreadError } from "./thread-states";

/**
 * The thread page's error boundary, rendered by the `[threadId]` layout around the page, in place of an `error.tsx`.
 * Same place in the tree and same behaviour (Next's `notFound()`/`redirect()` pass through it; it clears on
 * navigation; "Retry" refreshes the page's server data and renders it again), but its code is a client component
 * the layout renders, so the page's first scripts include it. A segment's `error.tsx` chunk is only named in the RSC
 * payload, fetched once the framework's scripts have run, and hydration waited for it (docs/long-threads.md,
 * "Hydration order and first-load scripts").
 */
export const ThreadErrorBoundary = catchError(ThreadErrorFallback);

/** What the boundary shows in place of the page: the error state, whose "Retry" is the boundary's retry. */
export function ThreadErrorFallback(_props: object, { retry }: Pick<ErrorInfo, "retry">) {
  return <ThreadError onRetry={retry} />;
}
