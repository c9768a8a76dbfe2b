import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ThreadView } from "@/components/thread/thread-view";
import { SCROLL_TO_LATEST_SCRIPT } from "@/lib/shared/scroll-to-latest-script";
import { currentUser } from "@/server/auth";
import { NONCE_HEADER } from "@/server/security/security-headers";
import { getServices } from "@/server/services";
import { findOwnedThread } from "@/server/thread-access";
import { latestWindow } from "@/server/thread-window";
import { HydrateClient } from "@/trpc/server";
import { prefetchComposerSettings } from "../composer-settings";
import { threadIdFromParam } from "@/lib/shared/thread-param";

/**
 * Read once per request (metadata and page share it) through the thread gate, as threads.get does: one read of the
 * whole thread, owner checked on it, and only its latest turns go into the page (the same window threads.get
 * returns; docs/long-threads.md). The layout has already answered 404 for someone else's thread or a missing one;
 * this check still stands on its own (a layout does not guard a page) and catches a delete in between.
 */
const readThread = cache(async (threadId: string) => {
  const user = await currentUser();
  if (!user) return null;
  const services = getServices();
  const thread = await findOwnedThread(services.data, user, threadId, { signElements: false });
  if (!thread) return null;
  return latestWindow(services.data, user.id, thread, services.threadPasses.issue(user, threadId));
});

/** This request's moment, for times the page writes before the client clock is known. */
const requestTime = cache(() => Date.now());

type Params = { params: Promise<{ threadId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const thread = await readThread(threadIdFromParam((await params).threadId));
  return { title: thread?.name?.trim() || (thread ? "Untitled" : "Thread not found") };
}

export default async function ThreadPage({ params }: Params) {
  const threadId = threadIdFromParam((await params).threadId);
  const [thread, , nonce] = await Promise.all([readThread(threadId), prefetchComposerSettings(), headers().then((h) => h.get(NONCE_HEADER) ?? undefined)]);
  if (!thread) notFound();
  return (
    <HydrateClient>
      <ThreadView key={threadId} threadId={threadId} initialData={thread} renderedAt={requestTime()} />
      {/* At the newest turn before hydration too (the CSP lets only this response's nonce run inline). */}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SCROLL_TO_LATEST_SCRIPT }} />
    </HydrateClient>
  );
}
