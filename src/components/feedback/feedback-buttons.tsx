"use client";

import { Suspense, useState } from "react";
import { lazyWithPreload } from "@/components/ui/lazy-preload";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { useReadOnlyThread } from "@/components/thread/read-only-thread";
import { CommentIcon, PencilIcon, ThumbDownIcon, ThumbUpIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import { useThreadCache, type ThreadStep } from "@/trpc/use-thread-cache";

/*
 * The comment dialog (Radix's Dialog, the form) loads when first wanted, not with the thread page, which has a pair of
 * thumbs per reply and nothing else of Radix in its first scripts (docs/long-threads.md, "First-load scripts").
 * Pointing at or focusing a thumb starts the load, so the dialog is usually in by the click.
 */
const { Component: FeedbackDialog, preload } = lazyWithPreload(() => import("./feedback-dialog").then((module) => module.FeedbackDialog));

type StoredFeedback = NonNullable<ThreadStep["feedback"]>;

/**
 * Thumbs for one rated step (the run, or the message when the thread has no runs). The state shown is the stored
 * step's `feedback`, so it survives a reload (Chainlit #2084 lost it on resume). Changes are optimistic: the
 * thread cache is edited at once and put back, with a toast, if the server says no.
 */
const THUMBS = [
  { value: 1, testId: "feedback-up", Icon: ThumbUpIcon },
  { value: 0, testId: "feedback-down", Icon: ThumbDownIcon },
] as const;

/** Nothing on a read-only (shared) thread: feedback is the owner's. */
export function FeedbackButtons(props: { threadId: string; step: Pick<ThreadStep, "id" | "feedback"> }) {
  return useReadOnlyThread() ? null : <OwnerFeedbackButtons {...props} />;
}

function OwnerFeedbackButtons({ threadId, step }: { threadId: string; step: Pick<ThreadStep, "id" | "feedback"> }) {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const cache = useThreadCache();
  const feedback = step.feedback ?? null;
  const [dialog, setDialog] = useState<{ value: 0 | 1; comment: string } | null>(null);

  // The thread's pass from its last read: with it, the server skips its ownership read (one round trip per click).
  const pass = () => utils.threads.get.getData({ threadId })?.pass;
  const setFeedback = (next: StoredFeedback | null) =>
    utils.threads.get.setData({ threadId }, (data) => (data ? { ...data, steps: data.steps.map((s) => (s.id === step.id ? { ...s, feedback: next } : s)) } : data));

  const upsert = api.feedback.upsert.useMutation({
    onMutate: async (input) => {
      await utils.threads.get.cancel({ threadId });
      const previous = feedback;
      setFeedback({ id: previous?.id ?? "", forId: step.id, threadId, value: input.value, comment: input.comment ?? null });
      return { previous };
    },
    onError: (_error, _input, context) => {
      setFeedback(context?.previous ?? null);
      toast(t.feedbackError);
    },
    onSuccess: ({ feedbackId }, input) => setFeedback({ id: feedbackId, forId: step.id, threadId, value: input.value, comment: input.comment ?? null }),
    onSettled: () => void cache.invalidateFeedbackLists(),
  });

  const remove = api.feedback.delete.useMutation({
    onMutate: async () => {
      await utils.threads.get.cancel({ threadId });
      const previous = feedback;
      setFeedback(null);
      return { previous };
    },
    onError: (_error, _input, context) => {
      setFeedback(context?.previous ?? null);
      toast(t.feedbackRemoveError);
    },
    onSettled: () => void cache.invalidateFeedbackLists(),
  });

  // The server's feedback id is needed to delete: wait for a pending write to land first.
  const busy = upsert.isPending || remove.isPending;

  const onThumb = (value: 0 | 1) => {
    if (busy) return;
    if (feedback && feedback.value === value) {
      remove.mutate({ threadId, pass: pass(), feedbackId: feedback.id });
    } else {
      setDialog({ value, comment: feedback?.comment ?? "" });
    }
  };

  const comment = feedback?.comment?.trim() ? feedback.comment : null;

  return (
    <>
      <span className="feedback" role="group" aria-label={t.helpful + " / " + t.notHelpful} onPointerEnter={preload} onFocus={preload}>
        {THUMBS.map(({ value, testId, Icon }) => {
          const label = value === 1 ? t.helpful : t.notHelpful;
          return (
            <button
              key={value}
              type="button"
              className="icon-btn icon-btn-sm thumb"
              data-testid={testId}
              aria-label={label}
              title={label}
              aria-pressed={feedback?.value === value}
              aria-disabled={busy || undefined}
              onClick={() => onThumb(value)}
            >
              <Icon size={15} />
            </button>
          );
        })}
        {feedback && !comment ? (
          <button type="button" className="link-btn" onClick={() => setDialog({ value: feedback.value as 0 | 1, comment: "" })}>
            <CommentIcon size={13} />
            {t.addComment}
          </button>
        ) : null}
      </span>
      {feedback && comment ? (
        <div className="feedback-comment" data-testid="feedback-comment">
          <span className="feedback-comment-icon" aria-hidden="true">
            {feedback.value === 1 ? <ThumbUpIcon size={13} /> : <ThumbDownIcon size={13} />}
          </span>
          <p>
            <span className="sr-only">{t.yourComment}: </span>
            {comment}
          </p>
          <button type="button" className="link-btn" onPointerEnter={preload} onFocus={preload} onClick={() => setDialog({ value: feedback.value as 0 | 1, comment })}>
            <PencilIcon size={12} />
            {t.editComment}
          </button>
        </div>
      ) : null}
      {dialog ? (
        <Suspense fallback={null}>
          <FeedbackDialog
            open
            value={dialog.value}
            initialComment={dialog.comment}
            onCancel={() => setDialog(null)}
            onSubmit={(text) => {
              setDialog(null);
              upsert.mutate({ threadId, pass: pass(), forId: step.id, value: dialog.value, ...(text ? { comment: text } : {}) });
            }}
          />
        </Suspense>
      ) : null}
    </>
  );
}
