import type { ReactNode } from "react";
import type { Element, Step } from "@/data";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { plainMarkdownText } from "../markdown/markdown";
import { prerenderedKey } from "../markdown/prerendered-key";
import { PrintControls } from "./print-controls";

/** What is printed (print-thread.ts, `PrintedWindow`): the steps in reading order and their attachments. */
export interface PrintedParts {
  steps: Step[];
  attachments: { byStep: Map<string, Element[]>; loose: Element[] };
}

/**
 * A thread as a document to print or save as PDF, drawn on the server for both print views (the owner's,
 * app/(print)/threads, and a share link's, app/(print)/share): the name and `byline` (its dates, in the reader's
 * zone: local-time.tsx), the `cut` note when the bound left the oldest part out (print-thread.ts), then every printed
 * turn: answers' Markdown as `rendered` (the one sanitising pipeline, markdown.tsx, within the view's render budget)
 * and as plain text past it, tool steps with their input and output, attachments by name (images shown). Nothing to
 * click but Print. Docs: docs/import-export.md, "Print or save as PDF".
 */
export function PrintedThread({ title, byline, cut, asker, printed, rendered, autoPrint, t }: {
  title: string;
  /** Who asked the questions, as this reader says it: the owner's "You", a share's "User". */
  asker: string;
  byline: ReactNode;
  cut: string | null;
  printed: PrintedParts;
  rendered: Record<string, ReactNode>;
  autoPrint: boolean;
  t: Dictionary;
}) {
  const { steps, attachments } = printed;
  return (
    <article className="print-thread">
      <PrintControls autoPrint={autoPrint} />
      <header className="print-header">
        <h1>{title}</h1>
        <p className="muted">{byline}</p>
        {cut ? (
          <p className="print-cut" role="note" data-testid="print-cut">
            {cut}
          </p>
        ) : null}
      </header>
      {steps.map((step) => (
        <PrintedStep key={step.id} step={step} t={t} asker={asker} rendered={rendered} attachments={attachments.byStep.get(step.id) ?? []} />
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

function PrintedStep({ step, t, asker, rendered, attachments }: { step: Step; t: Dictionary; asker: string; rendered: Record<string, ReactNode>; attachments: Element[] }) {
  // Past the render budget (or not Markdown or JSON at all: a tool's plain text), the text as it is.
  const text = (field: "input" | "output", value: string) => rendered[prerenderedKey(step.id, field)] ?? plainMarkdownText(value);
  const code = (field: "input" | "output", value: string) => rendered[prerenderedKey(step.id, field)] ?? <pre className="print-code">{value}</pre>;
  let body: ReactNode;
  if (step.type === "user_message" || step.type === "system_message") {
    const said = step.output || step.input;
    body = (
      <>
        <h2 className="print-speaker">{step.type === "user_message" ? asker : (step.name ?? t.printSystem)}</h2>
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
        {(["input", "output"] as const).map((field) => {
          const value = step[field];
          return value ? (
            <div className="print-io" key={field}>
              <h4>{field === "input" ? t.stepInput : t.stepOutput}</h4>
              {code(field, value)}
            </div>
          ) : null;
        })}
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
