import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ThreadView } from "@/components/thread-view";
import { currentUser } from "@/server/auth";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import { getServices } from "@/server/services";
import { readComposerSettings } from "../composer-settings";

/**
 * Read once per request (metadata and page share it) through the same procedure the client calls, so ownership is
 * checked the same way. Someone else's thread, a missing one and a malformed id all end in not-found.tsx.
 */
const readThread = cache(async (threadId: string) => {
  const user = await currentUser();
  if (!user) return null;
  try {
    return await createCaller(createInnerContext({ user, services: getServices() })).threads.get({ threadId });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

type Params = { params: Promise<{ threadId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { threadId } = await params;
  const thread = await readThread(safeDecode(threadId));
  return { title: thread?.name?.trim() || (thread ? "Untitled" : "Thread not found") };
}

export default async function ThreadPage({ params }: Params) {
  const { threadId: raw } = await params;
  const threadId = safeDecode(raw);
  const [thread, composerSettings] = await Promise.all([readThread(threadId), readComposerSettings()]);
  if (!thread) notFound();
  return <ThreadView key={threadId} threadId={threadId} initialData={thread} composerSettings={composerSettings} />;
}
