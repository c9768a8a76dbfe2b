import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache, type ReactNode } from "react";
import type { Element, Step } from "@/data";
import { threadNameShown } from "@/data/entities/thread-name";
import { plainMarkdownText } from "@/components/thread/markdown";
import { PRINT_RENDER_LIMITS } from "@/components/thread/prerender-steps";
import { prerenderedKey } from "@/components/thread/prerendered-key";
import { PrintControls } from "@/components/thread/print-controls";
import { formatFullDate } from "@/lib/shared/date-groups";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import type { Dictionary } from "@/lib/shared/i18n/en";
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
 * A whole thread (up to its bound: print-thread.ts) on one page, to print or save as PDF: every turn drawn on the
 * server, answers' Markdown through the one sanitising pipeline (markdown.tsx) within the print view's render budget
 * and as plain text past it, tool steps with their input and output, attachments by name (images shown). Nothing to
 * click but Print. Docs: docs/import-export.md, "Print or save as PDF".
 */
export default async function PrintPage({ params, searchParams }: Props) {
  const threadId = threadIdFromParam((await params).threadId);
  const [printed, locale, query] = await Promise.all([readPrint(threadId), requestLocale(), searchParams]);
  if (!printed) notFound();
  const t = DICTIONARIES[locale];
  const rendered = await prerenderWindow(printed.steps, PRINT_RENDER_LIMITS);
  const { thread, steps, attachments, cut } = printed;
  return (
    <article className="print-thread">
      <PrintControls autoPrint={query.print === "1"} />
      <header className="print-header">
        <h1>{threadNameShown(thread.name) ?? t.untitled}</h1>
        <p className="muted">{t.printDates(formatFullDate(thread.createdAt, locale), formatFullDate(thread.updatedAt ?? thread.createdAt, locale))}</p>
        {cut ? (
          <p className="print-cut" role="note" data-testid="print-cut">
            {t.printCut(cut.shown, cut.total)}
          </p>
        ) : null}
      </header>
      {steps.map((step) => (
        <PrintedStep key={step.id} step={step} t={t} rendered={rendered} attachments={attachments.byStep.get(step.id) ?? []} />
      ))}
      {attachments.loose.length > 0 ? (
        <section className="print-step">
          <h2 className="print-speaker">{t.attachments}</h2>
          <Attachments elements={attachments.loose} />
        </section>
      ) : null}
    </article>
  );
}

function PrintedStep({ step, t, rendered, attachments }: { step: Step; t: Dictionary; rendered: Record<string, ReactNode>; attachments: Element[] }) {
  // Past the render budget (or not Markdown or JSON at all: a tool's plain text), the text as it is.
  const text = (field: "input" | "output", value: string) => rendered[prerenderedKey(step.id, field)] ?? plainMarkdownText(value);
  const code = (field: "input" | "output", value: string) => rendered[prerenderedKey(step.id, field)] ?? <pre className="print-code">{value}</pre>;
  let body: ReactNode;
  if (step.type === "user_message" || step.type === "system_message") {
    const said = step.output || step.input;
    body = (
      <>
        <h2 className="print-speaker">{step.type === "user_message" ? t.you : (step.name ?? t.printSystem)}</h2>
        {said ? plainMarkdownText(said) : null}
      </>
    );
  } else if (step.type === "assistant_message") {
    body = (
      <>
        <h2 className="print-speaker">{t.assistant}</h2>
        {step.output ? text("output", step.output) : null}
      </>
    );
  } else if (step.type === "run" || (!step.input && !step.output)) {
    // A run only wraps its turn (its input repeats the question): only its attachments are printed.
    if (attachments.length === 0) return null;
    body = null;
  } else {
    body = (
      <>
        <h3 className="print-tool">{t.printStep(step.name ?? step.type ?? "step")}</h3>
        {step.input ? (
          <div className="print-io">
            <h4>{t.stepInput}</h4>
            {code("input", step.input)}
          </div>
        ) : null}
        {step.output ? (
          <div className="print-io">
            <h4>{t.stepOutput}</h4>
            {code("output", step.output)}
          </div>
        ) : null}
      </>
    );
  }
  return (
    <section className={`print-step print-${step.type ?? "step"}`} data-testid="print-step" data-step-id={step.id}>
      {body}
      {attachments.length > 0 ? <Attachments elements={attachments} /> : null}
    </section>
  );
}

/** Attachments by name; an image whose link was signed for this page (print-thread.ts) is shown too. */
function Attachments({ elements }: { elements: Element[] }) {
  return (
    <ul className="print-attachments">
      {elements.map((element) => (
        <li key={element.id}>
          {element.name ?? element.id}
          {element.urlExpiresAt && element.url ? <img src={element.url} alt={element.name ?? ""} referrerPolicy="no-referrer" /> : null}
        </li>
      ))}
    </ul>
  );
}
