import type { ReactNode } from "react";
import { cache } from "react";
import { prerenderSteps } from "@/components/thread/prerender-steps";
import { createUserRenderCache } from "@/lib/server/user-render-cache";
import { currentUser } from "@/server/auth";
import { getServices } from "@/server/services";
import { findOwnedThreadOutline } from "@/server/thread-access";
import { latestWindow } from "@/server/thread-window";

/**
 * The thread page's one read, shared by the layout (its 404), the metadata and the page within a request (React
 * cache): one Query of the thread's partition (per MB), owner checked on the THREAD item it holds, and only the
 * latest turns decoded and kept (the same window threads.get returns; docs/long-threads.md). Null for a thread that
 * is missing or someone else's.
 */
export const readThread = cache(async (threadId: string) => {
  const user = await currentUser();
  if (!user) return null;
  const services = getServices();
  const outline = await findOwnedThreadOutline(services.data, user, threadId);
  if (!outline) return null;
  return latestWindow(services.data, user.id, outline, services.threadPasses.issue(user, threadId));
});

/** This process's rendered Markdown of stored steps, in one compartment per user (user-render-cache.ts). */
const renderedSteps = createUserRenderCache<ReactNode>();

/**
 * The window's Markdown and JSON rendered for the page (prerender-steps.tsx), reusing what this user's earlier views
 * rendered from the same text: reopening a thread or moving between threads renders only what changed.
 */
export async function prerenderWindow(steps: Parameters<typeof prerenderSteps>[0]) {
  const user = await currentUser();
  return prerenderSteps(steps, user ? renderedSteps.forUser(user.id) : undefined);
}
