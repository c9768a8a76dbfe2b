import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { threadNameShown } from "@/data/entities/thread-name";
import { PRINT_RENDER_LIMITS } from "@/components/thread/markdown/prerender-steps";
import { PrintedThread } from "@/components/thread/print/printed-thread";
import { LocalTime } from "@/components/ui/local-time";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { requestLocale } from "@/lib/server/request-locale";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { currentUser } from "@/server/auth";
import { readPrintedThread } from "@/server/export/print-thread";
import { getServices } from "@/server/services";
import { prerenderWindow } from "@/app/(threads)/threads/[threadId]/read-thread";

type Props = { params: Promise<{ threadId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** One read per request, shared by the metadata and the page (React cache): null for a missing or foreign thread. */
const readPrint = cache(async (threadId: string) => {
  const user = await currentUser();
  return user ? readPrintedThread(getServices().data, user, threadId) : null;
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const [printed, locale] = await Promise.all([readPrint(threadIdFromParam((await params).threadId)), requestLocale()]);
  const t = DICTIONARIES[locale];
  // The title is what a "Save as PDF" names its file after.
  return { title: printed ? (threadNameShown(printed.thread.name) ?? t.untitled) : t.notFoundTitle };
}

/**
 * The owner's whole thread (up to its bound: print-thread.ts) on one page, to print or save as PDF (printed-thread.tsx),
 * its Markdown rendered within the print view's budget, reusing what this user's views already rendered.
 * Docs: docs/import-export.md, "Print or save as PDF".
 */
export default async function PrintPage({ params, searchParams }: Props) {
  const threadId = threadIdFromParam((await params).threadId);
  const [printed, locale, query] = await Promise.all([readPrint(threadId), requestLocale(), searchParams]);
  if (!printed) notFound();
  const t = DICTIONARIES[locale];
  const { thread, cut } = printed;
  const byline = (
    <>
      <LocalTime value={thread.createdAt} sentence="printCreated" />
      {" · "}
      <LocalTime value={thread.updatedAt ?? thread.createdAt} sentence="printUpdated" />
    </>
  );
  return (
    <PrintedThread
      title={threadNameShown(thread.name) ?? t.untitled}
      byline={byline}
      cut={cut ? t.printCut(cut.shown, cut.total) : null}
      asker={t.you}
      printed={printed}
      rendered={await prerenderWindow(printed.steps, PRINT_RENDER_LIMITS)}
      autoPrint={query.print === "1"}
      t={t}
    />
  );
}
