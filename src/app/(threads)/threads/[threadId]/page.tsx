import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ThreadView } from "@/components/thread/thread-view";
import { SCROLL_TO_LATEST_SCRIPT } from "@/lib/shared/scroll-to-latest-script";
import { NONCE_HEADER } from "@/server/security/security-headers";
import { threadGetKey } from "@/trpc/query-client";
import { api, getQueryClient, HydrateClient } from "@/trpc/server";
import type { ThreadDetail } from "@/trpc/use-thread-cache";
import { prefetchComposerSettings } from "../composer-settings";
import { threadIdFromParam } from "@/lib/shared/thread-param";

/**
 * Read once per request (metadata and page share it): threads.get prefetched into this request's query cache, so the
 * same one read (the thread gate: one Query of the thread's partition, owner checked on it; only its latest turns
 * kept, docs/long-threads.md) gives the page its title and its 404, and <HydrateClient> hands it to ThreadView's
 * useQuery. The layout has already answered 404 for someone else's thread or a missing one; this check still stands
 * on its own (a layout does not guard a page) and catches a delete in between: a refused prefetch leaves no data.
 */
const readThread = cache(async (threadId: string): Promise<ThreadDetail | null> => {
  await api.threads.get.prefetch({ threadId });
  return getQueryClient().getQueryData<ThreadDetail>(threadGetKey(threadId)) ?? null;
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
      <ThreadView key={threadId} threadId={threadId} renderedAt={requestTime()} />
      {/* At the newest turn before hydration too (the CSP lets only this response's nonce run inline). */}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SCROLL_TO_LATEST_SCRIPT }} />
    </HydrateClient>
  );
}
