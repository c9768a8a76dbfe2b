import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { readThread } from "./read-thread";

/**
 * The ownership check runs here, above this segment's loading.tsx, so it finishes before anything streams: a missing
 * thread or someone else's answers HTTP 404 (threads/not-found.tsx). Behind loading.tsx the status line was already
 * sent as 200 when the page called notFound(). The check is the page's own read (read-thread.ts, shared through React's
 * cache), so opening a thread is one Query: the THREAD item that says whose it is sits in the partition read anyway.
 * With the data in hand before the page renders, the page goes out in the first flush rather than behind the loading
 * skeleton, whose reveal React holds back by at least 300 ms after the first paint.
 */
export default async function ThreadLayout({ children, params }: { children: ReactNode; params: Promise<{ threadId: string }> }) {
  if (!(await readThread(threadIdFromParam((await params).threadId)))) notFound();
  return children;
}
