import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ThreadView } from "@/components/thread-view";
import { currentUser } from "@/server/auth";
import { toOwnerThread } from "@/server/public-thread";
import { getServices } from "@/server/services";
import { findOwnedThread } from "@/server/thread-access";
import { readComposerSettings } from "../composer-settings";
import { threadIdFromParam } from "./thread-param";

/**
 * Read once per request (metadata and page share it) through the thread gate, as threads.get does: one read of the
 * whole thread, owner checked on it. The layout has already answered 404 for someone else's thread or a missing one;
 * this check still stands on its own (a layout does not guard a page) and catches a delete in between.
 */
const readThread = cache(async (threadId: string) => {
  const user = await currentUser();
  if (!user) return null;
  const services = getServices();
  const thread = await findOwnedThread(services.data, user, threadId);
  return thread && toOwnerThread(thread, services.threadPasses.issue(user, threadId));
});

type Params = { params: Promise<{ threadId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const thread = await readThread(threadIdFromParam((await params).threadId));
  return { title: thread?.name?.trim() || (thread ? "Untitled" : "Thread not found") };
}

export default async function ThreadPage({ params }: Params) {
  const threadId = threadIdFromParam((await params).threadId);
  const [thread, composerSettings] = await Promise.all([readThread(threadId), readComposerSettings()]);
  if (!thread) notFound();
  return <ThreadView key={threadId} threadId={threadId} initialData={thread} composerSettings={composerSettings} />;
}
