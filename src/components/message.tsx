"use client";

import { formatDuration } from "@/lib/format";
import { formatFullDate, formatShortDateTime } from "@/lib/date-groups";
import { useNow } from "@/lib/hooks";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { CopyButton } from "./copy-button";
import { ElementList } from "./element-view";
import { FeedbackButtons } from "./feedback-buttons";
import { Markdown } from "./markdown";
import type { ThreadElement, ThreadStep } from "./use-thread-cache";

/** The time a message was written: short on screen, the full date on hover (title). Client clock only. */
export function StepTime({ step }: { step: Pick<ThreadStep, "createdAt" | "start"> }) {
  const { locale } = useI18n();
  const now = useNow();
  const at = step.createdAt ?? step.start;
  if (!at) return null;
  // The server has no idea of the reader's time zone: the text appears once the client clock is known.
  const text = now.getTime() === 0 ? "" : formatShortDateTime(at, now, locale);
  return (
    <time className="message-time" dateTime={at} title={now.getTime() === 0 ? undefined : formatFullDate(at, locale)}>
      {text}
    </time>
  );
}

export function ErrorLabel() {
  const { t } = useI18n();
  return <span className="error-label">{t.stepError}</span>;
}

/** What the user wrote: plain text (whitespace kept), on the right. */
export function UserMessage({ threadId, step, elements }: { threadId: string; step: ThreadStep; elements: ThreadElement[] }) {
  const { t } = useI18n();
  const text = step.output ?? step.input ?? "";
  return (
    <div className="turn turn-user" data-testid="user-message" data-step-id={step.id}>
      <h2 className="sr-only">{t.you}</h2>
      {text ? <div className="bubble">{text}</div> : null}
      <ElementList threadId={threadId} elements={elements} align="end" />
      <div className="message-footer message-footer-end">
        {step.isError ? <ErrorLabel /> : null}
        <StepTime step={step} />
      </div>
    </div>
  );
}

/**
 * An assistant answer: Markdown, its files, then copy / thumbs / time. `ratedStep` is the step that carries the
 * feedback (its run, or itself in a thread without runs); `run` gives the turn's duration.
 */
export function AssistantMessage({
  threadId,
  step,
  elements,
  ratedStep,
  run,
}: {
  threadId: string;
  step: ThreadStep;
  elements: ThreadElement[];
  ratedStep?: ThreadStep;
  run?: ThreadStep;
}) {
  const { t } = useI18n();
  const text = step.output ?? "";
  const duration = run ? formatDuration(run.start, run.end) : null;
  return (
    <div className="message message-assistant" data-testid="assistant-message" data-step-id={step.id}>
      <h2 className="sr-only">{t.assistant}</h2>
      {text ? <Markdown>{text}</Markdown> : null}
      {step.isError ? <ErrorLabel /> : null}
      <ElementList threadId={threadId} elements={elements} />
      <div className="message-footer">
        {text ? <CopyButton text={text} label={t.copyMessage} /> : null}
        {ratedStep ? <FeedbackButtons threadId={threadId} step={ratedStep} /> : null}
        <span className="message-meta">
          <StepTime step={step} />
          {duration ? (
            <span className="message-duration" title={t.durationTitle(duration)}>
              · {duration}
            </span>
          ) : null}
        </span>
      </div>
    </div>
  );
}
