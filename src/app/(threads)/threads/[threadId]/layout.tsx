import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { currentUser } from "@/server/auth";
import { getServices } from "@/server/services";
import { findOwnedThreadRef } from "@/server/thread-access";
import { threadIdFromParam } from "@/lib/shared/thread-param";

/**
 * The ownership check runs here, above this segment's loading.tsx, so it finishes before anything streams: a missing
 * thread or someone else's answers HTTP 404 (threads/not-found.tsx). Behind loading.tsx the status line was already
 * sent as 200 when the page called notFound(). One GetItem; the page then reads the thread itself, gated again.
 */
export default async function ThreadLayout({ children, params }: { children: ReactNode; params: Promise<{ threadId: string }> }) {
  const user = await currentUser();
  if (!user || !(await findOwnedThreadRef(getServices().data, user, threadIdFromParam((await params).threadId)))) notFound();
  return children;
}
