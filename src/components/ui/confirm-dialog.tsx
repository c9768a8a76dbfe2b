"use client";

import { useRef } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { ModalDialog } from "./radix-dialog";

/** A destructive confirmation: Cancel has the focus, so Enter on arrival never deletes. */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  busy,
  onCancel,
  onConfirm,
  testId = "confirm-dialog",
}: {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  testId?: string;
}) {
  const { t } = useI18n();
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <ModalDialog
      open={open}
      onOpenChange={(next) => {
        if (!next) onCancel();
      }}
      title={title}
      description={body}
      initialFocus={cancel}
      size="sm"
      testId={testId}
    >
      <div className="dialog-actions">
        <button ref={cancel} type="button" className="btn" onClick={onCancel} disabled={busy}>
          {t.cancel}
        </button>
        <button type="button" className="btn btn-danger" onClick={onConfirm} disabled={busy} aria-busy={busy || undefined}>
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
