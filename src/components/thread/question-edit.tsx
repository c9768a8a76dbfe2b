"use client";

import { createContext, useEffect, useId, useRef, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { useComposerSettings } from "@/components/composer/composer-settings";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { PencilIcon } from "@/components/ui/icons";

/**
 * Edit on the user's own messages, provided by the thread view (edit-question.ts decides which) and read by each
 * user message the step tree draws. `disabled` while a turn is in flight; `laterQuestions` how many of the user's later
 * messages a save of this one removes (0: only its own answer goes, and no confirmation is asked).
 */
export interface QuestionEdit {
  editable: ReadonlySet<string>;
  disabled: boolean;
  laterQuestions: (stepId: string) => number;
  /** Whether more than the newest answer goes: then the user confirms first. */
  removesMore: (stepId: string) => boolean;
  save: (stepId: string, content: string) => void;
  /** The text of a save refused before its answer started: its message's editor opens again with it. */
  returned: { stepId: string; draft: string } | null;
  dismissReturned: () => void;
}
export const QuestionEditContext = createContext<QuestionEdit | null>(null);

export function EditQuestionButton({ disabled, onClick, buttonRef }: { disabled: boolean; onClick: () => void; buttonRef: React.RefObject<HTMLButtonElement | null> }) {
  const { t } = useI18n();
  return (
    <button ref={buttonRef} type="button" className="icon-btn icon-btn-sm" aria-label={t.editMessage} title={t.editMessage} aria-disabled={disabled || undefined} onClick={() => !disabled && onClick()}>
      <PencilIcon size={14} />
    </button>
  );
}

/**
 * The message as an editor: Save (Ctrl/⌘+Enter) and Cancel (Escape). A save that removes more than the newest answer
 * asks first, naming what goes; Cancel there keeps the editor open with its text.
 */
export function QuestionEditor({ stepId, text, hasFiles, edit, onClose }: { stepId: string; text: string; hasFiles: boolean; edit: QuestionEdit; onClose: (saved: boolean) => void }) {
  const { t } = useI18n();
  const id = useId();
  const settings = useComposerSettings();
  const [draft, setDraft] = useState(text);
  const [confirming, setConfirming] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  // As a send: an empty message only with files.
  const canSave = !edit.disabled && (draft.trim() !== "" || hasFiles);
  const commit = () => {
    setConfirming(false);
    onClose(true);
    edit.save(stepId, draft);
  };
  const save = () => {
    if (!canSave) return;
    if (edit.removesMore(stepId)) setConfirming(true);
    else commit();
  };
  // A declined confirmation hands the focus back to the text, after the dialog's own hand-back (a timer of its unmount).
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) asked.current = true;
    if (confirming || !asked.current) return;
    asked.current = false;
    const timer = setTimeout(() => box.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, [confirming]);
  return (
    <form
      className="question-editor"
      data-testid="question-editor"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
      onKeyDown={(event) => {
        // Anywhere in the editor (its buttons too); the confirmation's Escape closes only the confirmation.
        if (event.key !== "Escape" || confirming) return;
        event.preventDefault();
        event.stopPropagation();
        onClose(false);
      }}
    >
      <textarea
        ref={box}
        className="question-editor-box"
        aria-label={t.editBox}
        aria-describedby={`${id}-hint`}
        maxLength={settings?.limits.messageMax}
        rows={Math.min(12, Math.max(2, draft.split("\n").length))}
        value={draft}
        autoFocus
        onFocus={(event) => event.currentTarget.setSelectionRange(event.currentTarget.value.length, event.currentTarget.value.length)}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
            event.preventDefault();
            save();
          }
        }}
      />
      <div className="question-editor-foot">
        <span id={`${id}-hint`} className="muted">
          {t.editHint}
        </span>
        <button type="button" className="btn btn-sm" onClick={() => onClose(false)}>
          {t.cancel}
        </button>
        <button type="submit" className="btn btn-sm btn-primary" disabled={!canSave}>
          {t.editSave}
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={t.editConfirmTitle}
        body={t.editConfirmBody(edit.laterQuestions(stepId))}
        confirmLabel={t.editConfirm}
        onCancel={() => setConfirming(false)}
        onConfirm={commit}
        testId="edit-confirm"
      />
    </form>
  );
}
