"use client";

import { createContext, useEffect, useId, useRef, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { editDraftKey } from "@/lib/client/draft-store";
import { useComposerSettings } from "@/components/composer/composer-settings";
import { useDraft } from "@/components/composer/use-draft";
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
  /** Resolves false when the save was refused before its answer started (its text comes back: `returned`), else true. */
  save: (stepId: string, content: string) => Promise<boolean>;
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
 *
 * What is typed is kept as the editor's draft, as the message box's is (use-draft.ts, under editDraftKey): leaving
 * the thread, a reload or signing in again opens this editor again with it (message.tsx). Cancel forgets it; a save
 * keeps the text being sent until the server has it, as a send does.
 */
export function QuestionEditor({ threadId, stepId, text, hasFiles, edit, onClose }: { threadId: string; stepId: string; text: string; hasFiles: boolean; edit: QuestionEdit; onClose: (saved: boolean) => void }) {
  const { t } = useI18n();
  const id = useId();
  const settings = useComposerSettings();
  const [draft, setDraft] = useState(text);
  const kept = useDraft(editDraftKey(threadId, stepId), setDraft);
  const [confirming, setConfirming] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  // As a send: an empty message only with files.
  const canSave = !edit.disabled && (draft.trim() !== "" || hasFiles);
  const close = () => {
    kept.replace("");
    onClose(false);
  };
  const commit = () => {
    setConfirming(false);
    kept.replace(draft);
    onClose(true);
    void edit.save(stepId, draft).then((done) => done && kept.replace(""));
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
        close();
      }}
    >
      <textarea
        ref={box}
        className="question-editor-box"
        // Kept by the app as a draft (draft-store.ts), never by the browser: its refill after Back went into the message box.
        autoComplete="off"
        aria-label={t.editBox}
        aria-describedby={`${id}-hint`}
        maxLength={settings?.limits.messageMax}
        rows={Math.min(12, Math.max(2, draft.split("\n").length))}
        value={draft}
        autoFocus
        onFocus={(event) => event.currentTarget.setSelectionRange(event.currentTarget.value.length, event.currentTarget.value.length)}
        onChange={(event) => {
          setDraft(event.target.value);
          // Back to the message as sent: nothing to keep.
          kept.typed(event.target.value === text ? "" : event.target.value);
        }}
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
        <button type="button" className="btn btn-sm" onClick={close}>
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
