"use client";

import { useI18n } from "@/lib/client/i18n-provider";

/** A dialog form's foot: Cancel, and the submit button that takes the form (Enter in a field submits it too). */
export function FormActions({ onCancel, submitLabel, disabled }: { onCancel: () => void; submitLabel: string; disabled?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="dialog-actions">
      <button type="button" className="btn" onClick={onCancel}>
        {t.cancel}
      </button>
      <button type="submit" className="btn btn-primary" disabled={disabled}>
        {submitLabel}
      </button>
    </div>
  );
}
