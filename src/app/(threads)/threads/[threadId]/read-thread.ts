import type { ReactNode } from "react";
import { cache } from "react";
import { prerenderSteps, type RenderLimits } from "@/components/thread/markdown/prerender-steps";
import { createUserRenderCache } from "@/lib/server/user-render-cache";
import { currentUser } from "@/server/auth";
import { getServices } from "@/server/services";
import { findOwnedThreadOutline } from "@/server/thread/thread-access";
import { claimFreeOf } from "@/server/chat/thread-claim";
import { latestWindow } from "@/server/thread/thread-window";

/**
 * The thread page's one read, shared by the layout (its 404), the metadata and the page within a request (React
 * cache): one Query of the thread's partition (per MB), owner checked on the THREAD item it holds, and only the
 * latest turns decoded and kept (the same window threads.get returns; docs/long-threads.md). `latest` is null for a
 * thread that is missing or someone else's.
 * `opened` says as early as the read can whether the page may start: null (a 404) for a thread that is missing or
 * not the caller's; the thread's name and `reading: false` once the whole read is done; or `reading: true` as soon
 * as the first page of a partition of more than one page (1 MB) showed the THREAD item is the caller's, while the
 * rest is still read. The layout then sends the document's head and shell at once and the page when its window is
 * ready, so the browser fetches and runs its scripts meanwhile ("Opening a long thread", docs/long-threads.md).
 */
const openThread = cache((threadId: string) => {
  let ownedBeforeRest!: (opened: OpenedThread) => void;
  const early = new Promise<OpenedThread>((resolve) => (ownedBeforeRest = resolve));
  const latest = (async () => {
    const user = await currentUser();
    if (!user) return null;
    const services = getServices();
    const outline = await findOwnedThreadOutline(services.data, user, threadId, (thread) => ownedBeforeRest({ name: thread.name, reading: true }));
    if (!outline) return null;
    return latestWindow(services.data, user.id, outline, services.threadPasses.issue(user, threadId), claimFreeOf(services.data, user, threadId));
  })();
  const done = latest.then((thread): OpenedThread | null => thread && { name: thread.name, reading: false });
  return { latest, opened: Promise.race([early, done]) };
});

export interface OpenedThread {
  name: string | null | undefined;
  /** The window is still being read: the page comes behind a Suspense boundary. */
  reading: boolean;
}

/** The thread's latest window, or null for a missing or foreign thread (one read per request, above). */
export const readThread = (threadId: string) => openThread(threadId).latest;

/** Whether the page may start, and how (above): null for a missing or foreign thread. */
export const threadOpened = (threadId: string) => openThread(threadId).opened;

/** This process's rendered Markdown of stored steps, in one compartment per user (user-render-cache.ts). */
const renderedSteps = createUserRenderCache<ReactNode>();

/**
 * The window's Markdown and JSON rendered for the page (prerender-steps.tsx), reusing what this user's earlier views
 * rendered from the same text: reopening a thread or moving between threads renders only what changed. The print view
 * passes its own, larger `limits` (prerender-steps.tsx).
 */
export async function prerenderWindow(steps: Parameters<typeof prerenderSteps>[0], limits?: RenderLimits) {
  const user = await currentUser();
  return prerenderSteps(steps, user ? renderedSteps.forUser(user.id) : undefined, limits);
}
