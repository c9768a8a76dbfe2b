import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { prerenderSteps } from "@/components/thread/markdown/prerender-steps";
import { PrintedThread } from "@/components/thread/print/printed-thread";
import { LocalTime } from "@/components/ui/local-time";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { requestLocale } from "@/lib/server/request-locale";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { currentUser } from "@/server/auth";
import { getServices } from "@/server/services";
import { readSharedPrint } from "@/server/share/shared-print";
import { SHARE_ROBOTS } from "@/app/share/share-robots";

type Props = { params: Promise<{ threadId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * One read per request through the share's gate (shared-print.ts), shared by the metadata and the page. The proxy has
 * already counted the request against its client address's share budget (its matcher is every `/share/…` path: a 429
 * there), and the page security headers are the share page's (every page's CSP and nonce). No loading.tsx above it,
 * so the 404 status is decided before anything streams.
 */
const readPrint = cache(async (threadId: string) => readSharedPrint(getServices(), threadId, await currentUser()));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const [printed, locale] = await Promise.all([readPrint(threadIdFromParam((await params).threadId)), requestLocale()]);
  if (printed.kind !== "shared") return { title: "Threadbook", robots: SHARE_ROBOTS };
  // The title is what a "Save as PDF" names its file after; no link preview (the share page has one).
  return { title: printed.thread.name ?? DICTIONARIES[locale].untitled, robots: SHARE_ROBOTS };
}

/**
 * What a share link shows, as a document to print or save as PDF (printed-thread.tsx, the owner's print view's code):
 * the share's snapshot only, as its page shows it (docs/sharing.md, "Print"). Markdown is rendered within the share
 * page's own budget, not the owner's larger print budget: anyone with a public link can ask for this page as often as
 * the share's rate allows, and past the budget the text is printed as it is.
 */
export default async function SharePrintPage({ params, searchParams }: Props) {
  const threadId = threadIdFromParam((await params).threadId);
  const [printed, locale, query] = await Promise.all([readPrint(threadId), requestLocale(), searchParams]);
  if (printed.kind === "sign-in") redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/share/${encodeURIComponent(threadId)}/print`)}`);
  if (printed.kind !== "shared") notFound();
  const t = DICTIONARIES[locale];
  const { thread, cut } = printed;
  const byline = (
    <>
      {thread.ownerName ? `${t.sharedBy(thread.ownerName)} · ` : null}
      <LocalTime value={thread.sharedAt} sentence="sharedSnapshot" />
    </>
  );
  return (
    <PrintedThread
      title={thread.name ?? t.untitled}
      byline={byline}
      cut={cut ? t.printCutShared(cut.shown, cut.total) : null}
      asker={t.printAsker}
      printed={printed}
      rendered={prerenderSteps(printed.steps)}
      autoPrint={query.print === "1"}
      t={t}
    />
  );
}
