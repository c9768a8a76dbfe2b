import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { Suspense, type ReactNode } from "react";
import { ThreadErrorBoundary } from "@/components/thread/thread-error-boundary";
import { ThreadSkeleton } from "@/components/thread/thread-states";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { THREAD_PAGE_END_ID } from "@/lib/shared/early-scripts/scroll-to-latest-script";
import { NONCE_HEADER } from "@/server/security/security-headers";
import { threadOpened } from "./read-thread";

/** React streams a boundary's content into `<div hidden id="S:…">`; the skeleton is the boundary's fallback. */
const NO_SCRIPT_STYLE = `div[hidden][id^="S:"]{display:block}.thread-view[role="status"]{display:none}`;

/**
 * The ownership check runs here, before anything streams: a missing thread or someone else's answers HTTP 404
 * (threads/not-found.tsx). The check is the page's own read (read-thread.ts, shared through React's cache), so opening
 * a thread is one Query: the THREAD item that says whose it is sits in the partition read anyway.
 * A thread of one page (under 1 MB: most) is read whole before anything is sent, and the page is part of the first
 * HTML, with no boundary: React reveals a streamed Suspense boundary no sooner than 300 ms after the first paint.
 * A longer one starts as soon as the first page of its read shows it is the caller's: the head (stylesheets, the
 * first-load scripts) and the shell go out while the rest of the partition is read, and the page follows behind a
 * Suspense boundary. The `expect` link holds the browser's first paint until the page's end is parsed, so nothing is
 * painted before the thread is (no skeleton flashing by, and no first paint for that 300 ms to count from), while
 * the browser fetches and evaluates the scripts and hydrates the shell (docs/long-threads.md, "Opening a long thread").
 * There is deliberately no loading.tsx.
 * The page's error boundary is rendered here rather than as an `error.tsx`, whose chunk the browser only learned of
 * from the RSC payload and fetched late, with hydration waiting for it (thread-error-boundary.tsx).
 */
export default async function ThreadLayout({ children, params }: { children: ReactNode; params: Promise<{ threadId: string }> }) {
  const opened = await threadOpened(threadIdFromParam((await params).threadId));
  if (!opened) notFound();
  if (!opened.reading) return <ThreadErrorBoundary>{children}</ThreadErrorBoundary>;
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <ThreadErrorBoundary>
      {/* React puts it in the head; a render-blocking link counts only there, before the body is parsed. */}
      <link rel="expect" href={`#${THREAD_PAGE_END_ID}`} blocking="render" />
      {/* Without JavaScript nothing moves the streamed page into place: show React's hidden copy of it, not the skeleton. */}
      <noscript>
        <style nonce={nonce}>{NO_SCRIPT_STYLE}</style>
      </noscript>
      <Suspense fallback={<ThreadSkeleton />}>{children}</Suspense>
    </ThreadErrorBoundary>
  );
}
