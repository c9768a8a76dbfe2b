import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ThreadErrorBoundary } from "@/components/thread/thread-error-boundary";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { readThread } from "./read-thread";

/**
 * The ownership check runs here, before anything streams: a missing thread or someone else's answers HTTP 404
 * (threads/not-found.tsx). The check is the page's own read (read-thread.ts, shared through React's cache), so opening
 * a thread is one Query: the THREAD item that says whose it is sits in the partition read anyway.
 * There is deliberately no loading.tsx: the page has its data by the time it renders, and a loading boundary only
 * made its content a streamed Suspense boundary, which React reveals no sooner than 300 ms after the first paint
 * (docs/long-threads.md, "Opening a thread").
 * The page's error boundary is rendered here rather than as an `error.tsx`, whose chunk the browser only learned of
 * from the RSC payload and fetched late, with hydration waiting for it (thread-error-boundary.tsx).
 */
export default async function ThreadLayout({ children, params }: { children: ReactNode; params: Promise<{ threadId: string }> }) {
  if (!(await readThread(threadIdFromParam((await params).threadId)))) notFound();
  return <ThreadErrorBoundary>{children}</ThreadErrorBoundary>;
}
