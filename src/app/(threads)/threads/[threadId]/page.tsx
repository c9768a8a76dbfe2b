import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { newestTurnStepIds } from "@/components/thread/window/first-view";
import { ThreadView } from "@/components/thread/thread-view";
import { updatedLabel } from "@/components/thread/header/updated-label";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { requestLocale } from "@/lib/server/request-locale";
import { SCROLL_TO_LATEST_SCRIPT, THREAD_PAGE_END_ID } from "@/lib/shared/early-scripts/scroll-to-latest-script";
import { threadNameShown } from "@/data/entities/thread-name";
import { NONCE_HEADER } from "@/server/security/security-headers";
import { prerenderWindow, readThread, threadOpened } from "./read-thread";
import { threadIdFromParam } from "@/lib/shared/thread-param";

/** This request's moment, for times the page writes before the client clock is known. */
const requestTime = cache(() => Date.now());

type Params = { params: Promise<{ threadId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The name as soon as the read knows the thread is the caller's: a long thread's title need not wait for its window.
  const [thread, locale] = await Promise.all([threadOpened(threadIdFromParam((await params).threadId)), requestLocale()]);
  // The early name is the stored one (a Chainlit name is a whole first message): one short line, as everywhere.
  return { title: threadNameShown(thread?.name) ?? (thread ? DICTIONARIES[locale].untitled : DICTIONARIES[locale].notFoundTitle) };
}

export default async function ThreadPage({ params }: Params) {
  const threadId = threadIdFromParam((await params).threadId);
  const [thread, nonce, locale] = await Promise.all([readThread(threadId), headers().then((h) => h.get(NONCE_HEADER) ?? undefined), requestLocale()]);
  if (!thread) notFound();
  // Only the newest turns are drawn here; the browser draws the rest of the window with its own Markdown code.
  const newest = newestTurnStepIds(thread.steps);
  // The header's "Updated …" in the server's clock, kept by the browser until hydration is over (thread-view.tsx).
  const serverUpdated = updatedLabel(DICTIONARIES[locale], thread.updatedAt, new Date(requestTime()), locale);
  return (
    <>
      <ThreadView key={threadId} threadId={threadId} initialData={thread} serverUpdated={serverUpdated} prerendered={await prerenderWindow(thread.steps.filter((step) => newest.has(step.id)))} />
      {/* At the newest turn before hydration too (the CSP lets only this response's nonce run inline). Also the
          page's end, which a long thread's layout holds the first paint for. */}
      <script id={THREAD_PAGE_END_ID} nonce={nonce} dangerouslySetInnerHTML={{ __html: SCROLL_TO_LATEST_SCRIPT }} />
    </>
  );
}
