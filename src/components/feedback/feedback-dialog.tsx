"use client";

import { useId, useRef, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { FormActions } from "@/components/ui/form-actions";
import { FEEDBACK_COMMENT_MAX } from "@/data/entities/limits";

interface Props {
  open: boolean;
  value: 0 | 1;
  initialComment: string;
  onCancel: () => void;
  onSubmit: (comment: string) => void;
}

/**
 * The optional comment after a thumb. Enter makes a new line; Ctrl/⌘+Enter or the Submit button sends. Loaded with
 * Radix's Dialog on first use, not with the thread page (feedback-buttons.tsx).
 */
export function FeedbackDialog({ open, value, initialComment, onCancel, onSubmit }: Props) {
  const { t } = useI18n();
  const textarea = useRef<HTMLTextAreaElement>(null);
  return (
    <ModalDialog
      open={open}
      onOpenChange={(next) => {
        if (!next) onCancel();
      }}
      title={value === 1 ? t.feedbackUpTitle : t.feedbackDownTitle}
      initialFocus={textarea}
      testId="feedback-dialog"
    >
      <FeedbackForm textareaRef={textarea} initialComment={initialComment} onCancel={onCancel} onSubmit={onSubmit} />
    </ModalDialog>
  );
}

/** Mounted with each opening, so the text starts from the stored comment every time. */
function FeedbackForm({ textareaRef, initialComment, onCancel, onSubmit }: { textareaRef: React.RefObject<HTMLTextAreaElement | null>; initialComment: string; onCancel: () => void; onSubmit: (comment: string) => void }) {
  const { t } = useI18n();
  const [comment, setComment] = useState(initialComment);
  const id = useId();
  return (
    <form
      className="feedback-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(comment.trim());
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-comment`}>{t.commentLabel}</label>
        <textarea
          ref={textareaRef}
          id={`${id}-comment`}
          // Not refilled by the browser after Back into another box (the message box takes what it is refilled with).
          autoComplete="off"
          rows={4}
          maxLength={FEEDBACK_COMMENT_MAX}
          value={comment}
          aria-describedby={`${id}-hint ${id}-count`}
          onChange={(event) => setComment(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <div className="field-foot">
          <span id={`${id}-hint`} className="muted">
            {t.feedbackHint}
          </span>
          <span id={`${id}-count`} className="muted char-count">
            {t.charCount(comment.length, FEEDBACK_COMMENT_MAX)}
          </span>
        </div>
      </div>
      <FormActions onCancel={onCancel} submitLabel={t.submit} />
    </form>
  );
}
