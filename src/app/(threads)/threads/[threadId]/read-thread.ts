import { cache } from "react";
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
