import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { SharedThreadView } from "@/components/share/shared-thread-view";
import { prerenderSteps } from "@/components/thread/markdown/prerender-steps";
import { currentUser } from "@/server/auth";
import { getServices } from "@/server/services";
import { readSharePage } from "@/server/share/shared-thread";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { requestLocale } from "@/lib/server/request-locale";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { SHARE_ROBOTS } from "../share-robots";

/**
 * A thread through its share link (docs/sharing.md), read once per request (metadata and page share it) through
 * the share gate, its first turns only (docs/sharing.md, "Long shares": the rest pages in through share.turns); the
 * proxy has already counted the request against its client address's budget (a 429 there). Anything but a live share
 * is the same 404 (not-found.tsx); a share for signed-in people sends an anonymous viewer to sign in and back here. No loading.tsx in
 * this segment, so the 404 status is decided before anything streams.
 */
const readPage = cache(async (threadId: string) => {
  const services = getServices();
  const viewer = await currentUser();
  const read = await readSharePage(services, threadId, viewer);
  return read.kind === "shared" ? ({ ...read, signedIn: viewer !== null } as const) : read;
});

type Params = { params: Promise<{ threadId: string }> };

const idOf = async (params: Params["params"]) => threadIdFromParam((await params).threadId);

/** Never indexed; a link preview shows the thread's name and nothing else of it. */
export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const page = await readPage(await idOf(params));
  const robots = SHARE_ROBOTS;
  if (page.kind !== "shared") return { title: "Threadbook", robots };
  // Already one short line (sharedWindow); a thread without a name is "Untitled" in the reader's language.
  const title = page.thread.name ?? DICTIONARIES[await requestLocale()].untitled;
  return { title, robots, openGraph: { title, type: "article", siteName: "Threadbook", description: "A conversation shared from Threadbook" } };
}

export default async function SharePage({ params }: Params) {
  const threadId = await idOf(params);
  const page = await readPage(threadId);
  if (page.kind === "sign-in") redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/share/${encodeURIComponent(threadId)}`)}`);
  if (page.kind !== "shared") notFound();
  // The Markdown the server draws, within the page's budget (prerender-steps.tsx); the browser draws the rest.
  return <SharedThreadView thread={page.thread} signedIn={page.signedIn} prerendered={prerenderSteps(page.thread.steps)} />;
}
