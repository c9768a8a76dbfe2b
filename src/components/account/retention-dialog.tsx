"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { saveErrorMessage } from "@/lib/client/save-error-message";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import "./deletion.css";

/** The periods offered, Off first; the server's zod input accepts these only (routers/user.ts). */
const CHOICES = [null, 30, 90, 365] as const;
type Choice = (typeof CHOICES)[number];

/**
 * "Delete conversations older than…" (docs/security.md, "Retention"): a choice saved as it is made. The server
 * deletes, on its own schedule, the conversations last active before the period, pinned ones excepted.
 */
export function RetentionDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useI18n();
  const utils = api.useUtils();
  const current = api.user.retention.useQuery(undefined, { enabled: open });
  const save = api.user.setRetention.useMutation({
    onSuccess: (saved) => utils.user.retention.setData(undefined, saved),
  });
  // In the dialog, not a toast: a modal dialog hides the rest of the page from assistive technology. In the reader's
  // language, by the error's code: the server's message is English (save-error-message.ts). The next choice clears it.
  const failed = save.isError ? saveErrorMessage(t, save.error) : null;
  const chosen: Choice | undefined = save.isPending ? save.variables.days : current.data?.days;
  const busy = save.isPending || current.isPending;
  // A failure is about this visit: the dialog opened again starts without it.
  const changeOpen = (next: boolean) => {
    if (!next) save.reset();
    onOpenChange(next);
  };
  return (
    <ModalDialog open={open} onOpenChange={changeOpen} title={t.retentionTitle} description={t.retentionBody} size="sm" testId="retention-dialog">
      <div className="share-field">
        <fieldset>
          <legend>{t.retentionLabel}</legend>
          {CHOICES.map((days) => (
            <label key={days ?? "off"}>
              <input type="radio" name="retention" value={days ?? "off"} checked={chosen === days} disabled={busy} onChange={() => save.mutate({ days })} /> {t.retentionChoice(days)}
            </label>
          ))}
        </fieldset>
        {failed ? (
          <p className="delete-account-error" role="alert">
            {failed}
          </p>
        ) : null}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => changeOpen(false)}>
          {t.close}
        </button>
      </div>
    </ModalDialog>
  );
}
