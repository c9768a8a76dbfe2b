"use client";

import { createContext, useContext, useEffect, useRef, useState } from "react";
import { formatDuration } from "@/lib/shared/format";
import { formatFullDate, formatShortDateTime, machineDateTime } from "@/lib/shared/date-groups";
import { useNow } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { hasEditDraft } from "@/lib/client/draft-store";
import { CopyButton } from "@/components/ui/copy-button";
import { ElementList } from "@/components/elements/element-view";
import { FeedbackButtons } from "@/components/feedback/feedback-buttons";
import { Markdown, prerenderedKey } from "./markdown/lazy-markdown";
import { AlertIcon, RetryIcon } from "@/components/ui/icons";
import { stepElementId } from "./window/use-step-anchor";
import { EditQuestionButton, QuestionEditContext, QuestionEditor } from "./question-edit";
import type { ThreadElement, ThreadStep } from "@/trpc/use-thread-cache";

/**
 * What the thread's newest answer offers, provided by the thread view and read by the message it names, wherever
 * the step tree draws it: `retry` on a failed answer (its question sent again), `regenerate` on a real one (asked
 * again, the new reply taking its place). `disabled` while another turn is still in flight.
 */
export interface AnswerAction {
  stepId: string;
  kind: "retry" | "regenerate";
  disabled: boolean;
  run: () => void;
}
export const AnswerActionContext = createContext<AnswerAction | null>(null);

/** The time a message was written: short on screen, the full date on hover (title). Client clock only. */
export function StepTime({ step }: { step: Pick<ThreadStep, "createdAt" | "start"> }) {
  const { locale } = useI18n();
  const now = useNow();
  const at = step.createdAt ?? step.start;
  if (!at) return null;
  // The server has no idea of the reader's time zone: the text appears once the client clock is known.
  const text = now.getTime() === 0 ? "" : formatShortDateTime(at, now, locale);
  return (
    <time className="message-time" dateTime={machineDateTime(at)} title={now.getTime() === 0 ? undefined : formatFullDate(at, locale)}>
      {text}
    </time>
  );
}

export function ErrorLabel() {
  const { t } = useI18n();
  return <span className="error-label">{t.stepError}</span>;
}

/**
 * What the user wrote: plain text (whitespace kept), on the right. A message the thread view offers Edit on
 * (QuestionEditContext) has a pencil that turns it into an editor; Cancel gives the pencil its focus back. One left
 * with an edit draft (question-edit.tsx) is an editor again, with it, when it is drawn again.
 */
export function UserMessage({ threadId, step, elements }: { threadId: string; step: ThreadStep; elements: ThreadElement[] }) {
  const { t } = useI18n();
  const text = step.output ?? step.input ?? "";
  const edit = useContext(QuestionEditContext);
  const [editing, setEditing] = useState(false);
  const pencil = useRef<HTMLButtonElement>(null);
  const editable = edit?.editable.has(step.id) ? edit : null;
  const returned = editable?.returned?.stepId === step.id ? editable.returned.draft : null;
  // Read once drawn (after hydration): drafts are the browser's, never in the server's HTML.
  const canEdit = editable !== null;
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- browser storage, read once the message is on screen
    if (canEdit && hasEditDraft(threadId, step.id)) setEditing(true);
  }, [canEdit, threadId, step.id]);
  const closeEditor = (saved: boolean) => {
    setEditing(false);
    if (returned !== null) editable?.dismissReturned();
    if (!saved) requestAnimationFrame(() => pencil.current?.focus());
  };
  return (
    <div id={stepElementId(step.id)} className="turn turn-user" data-testid="user-message" data-step-id={step.id}>
      <h2 className="sr-only">{t.you}</h2>
      {(editing || returned !== null) && editable ? (
        <QuestionEditor key={returned === null ? "edit" : "returned"} threadId={threadId} stepId={step.id} text={returned ?? text} hasFiles={elements.length > 0} edit={editable} onClose={closeEditor} />
      ) : text ? (
        <div className="bubble">{text}</div>
      ) : null}
      <ElementList threadId={threadId} elements={elements} align="end" />
      <div className="message-footer message-footer-end">
        {editable && !editing && returned === null ? <EditQuestionButton buttonRef={pencil} disabled={editable.disabled} onClick={() => setEditing(true)} /> : null}
        {step.isError ? <ErrorLabel /> : null}
        <StepTime step={step} />
      </div>
    </div>
  );
}

function RetryButton({ retry }: { retry: AnswerAction }) {
  const { t } = useI18n();
  return (
    <button type="button" className="btn btn-sm error-callout-retry" aria-disabled={retry.disabled || undefined} onClick={() => !retry.disabled && retry.run()}>
      <RetryIcon size={14} />
      {t.retryMessage}
    </button>
  );
}

/**
 * A reply that stopped short with no error step to say so, with Retry: cut off (a server that died mid-reply left its
 * run open, and nobody holds the thread any more: server/chat/open-reply.ts) or its run marked failed (`failed`). Drawn
 * under its partial answer, or by the run itself when it holds none (step-tree.tsx).
 */
export function UnfinishedReply({ failed, retry }: { failed: boolean; retry: AnswerAction }) {
  const { t } = useI18n();
  return (
    <div className="error-callout" data-testid="reply-unfinished">
      <AlertIcon size={18} className="error-callout-icon" />
      <div className="error-callout-body">{failed ? t.replyFailedEarly : t.replyCutOff}</div>
      <RetryButton retry={retry} />
    </div>
  );
}

/**
 * An assistant answer: Markdown, its files, then copy / thumbs / time. `ratedStep` is the step that carries the
 * feedback (its run, or itself in a thread without runs); `run` gives the turn's duration. `streaming`: the reply
 * is still arriving: a caret after the text, dots before the first token, no actions yet; the footer keeps
 * its height so nothing moves when they appear. An error step (`isError`) is drawn as an error, with Retry when it
 * is the thread's last answer; the thread's last real answer has Regenerate beside its thumbs; a reply stopped by
 * the user (`metadata.cancelled`) says so.
 */
export function AssistantMessage({
  threadId,
  step,
  elements,
  ratedStep,
  run,
  streaming,
}: {
  threadId: string;
  step: ThreadStep;
  elements: ThreadElement[];
  ratedStep?: ThreadStep;
  run?: ThreadStep;
  streaming?: boolean;
}) {
  const { t } = useI18n();
  const action = useContext(AnswerActionContext);
  const retry = action?.stepId === step.id && action.kind === "retry" ? action : null;
  const regenerate = action?.stepId === step.id && action.kind === "regenerate" && !streaming ? action : null;
  const text = step.output ?? "";
  const source = { key: prerenderedKey(step.id, "output"), text };
  const duration = run ? formatDuration(run.start, run.end) : null;
  const cancelled = (step.metadata as { cancelled?: unknown } | null | undefined)?.cancelled === true;
  const className = ["message message-assistant", streaming ? "message-streaming" : "", step.isError ? "message-error" : ""].filter(Boolean).join(" ");
  return (
    <div id={stepElementId(step.id)} className={className} data-testid="assistant-message" data-step-id={step.id} data-streaming={streaming ? "true" : undefined} aria-busy={streaming || undefined}>
      <h2 className="sr-only">{t.assistant}</h2>
      {step.isError ? (
        <div className="error-callout">
          <AlertIcon size={18} className="error-callout-icon" />
          <div className="error-callout-body">
            {/* The run above already shows the Error label; a reader hears it here, with the text. */}
            <span className="sr-only">{t.stepError}: </span>
            {text ? <Markdown source={source}>{text}</Markdown> : null}
          </div>
          {retry ? <RetryButton retry={retry} /> : null}
        </div>
      ) : text ? (
        <div className="message-text" data-testid="message-text">
          <Markdown source={streaming ? undefined : source} live={streaming}>{text}</Markdown>
        </div>
      ) : cancelled && !streaming ? (
        <p className="muted stopped-note">{t.stoppedBeforeReply}</p>
      ) : streaming ? (
        <span className="typing" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
      ) : null}
      {/* Retry on an answer that is no error step: the reply it ends was cut off, or failed without saying why. */}
      {retry && !step.isError ? <UnfinishedReply failed={Boolean(run?.isError)} retry={retry} /> : null}
      <ElementList threadId={threadId} elements={elements} />
      <div className="message-footer">
        {text && !streaming ? <CopyButton text={text} label={t.copyMessage} /> : null}
        {ratedStep && !streaming ? <FeedbackButtons threadId={threadId} step={ratedStep} /> : null}
        {regenerate ? (
          <button
            type="button"
            className="icon-btn icon-btn-sm"
            aria-label={t.regenerateReply}
            title={t.regenerateReply}
            aria-disabled={regenerate.disabled || undefined}
            onClick={() => !regenerate.disabled && regenerate.run()}
          >
            <RetryIcon size={14} />
          </button>
        ) : null}
        {cancelled ? <span className="stopped-label">{t.stopped}</span> : null}
        {streaming ? null : (
          <span className="message-meta">
            <StepTime step={step} />
            {duration ? (
              <span className="message-duration" title={t.durationTitle(duration)}>
                · {duration}
              </span>
            ) : null}
          </span>
        )}
      </div>
    </div>
  );
}
