"use client";

import { useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { saveErrorMessage } from "@/lib/client/error-messages/save-error-message";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { FormActions } from "@/components/ui/form-actions";
import "./deletion.css";

/** The periods offered, Off first; the server's zod input accepts these only (routers/user.ts). */
const CHOICES = [null, 30, 90, 365] as const;
type Choice = (typeof CHOICES)[number];

/**
 * "Delete conversations older than…" (docs/security.md, "Retention"): a choice taken by Save. The server deletes,
 * on its own schedule, the conversations last active before the period, pinned ones excepted. Saved only by the
 * button: the arrow keys move a radio group's choice as they move its focus, so a choice saved as it was made
 * turned on the deleting of every older conversation for a keyboard user looking at the options.
 */
export function RetentionDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useI18n();
  const utils = api.useUtils();
  const current = api.user.retention.useQuery(undefined, { enabled: open });
  // undefined: nothing picked yet in this opening of the dialog, so the saved setting shows.
  const [picked, setPicked] = useState<Choice | undefined>(undefined);
  // Closing forgets what was picked and any failure: the dialog opened again starts from the saved setting.
  const close = () => {
    setPicked(undefined);
    save.reset();
    onOpenChange(false);
  };
  const save = api.user.setRetention.useMutation({
    onSuccess: (saved) => {
      utils.user.retention.setData(undefined, saved);
      close();
    },
  });
  // In the dialog, not a toast: a modal dialog hides the rest of the page from assistive technology. In the reader's
  // language, by the error's code: the server's message is English (save-error-message.ts). The next save clears it.
  const failed = save.isError ? saveErrorMessage(t, save.error) : null;
  const saved = current.data?.days;
  const chosen: Choice | undefined = picked === undefined ? saved : picked;
  // Its runs kept failing and were stopped (server/deletion/retention.ts): saving the same period again restarts them.
  const stopped = !save.isPending && current.data?.stopped === true && current.data.days !== null ? current.data.days : null;
  const busy = save.isPending || current.isPending;
  return (
    <ModalDialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : close())} title={t.retentionTitle} description={t.retentionBody} size="sm" testId="retention-dialog">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (chosen !== undefined && chosen !== saved) save.mutate({ days: chosen });
        }}
      >
        <div className="share-field">
          <fieldset>
            <legend>{t.retentionLabel}</legend>
            {CHOICES.map((days) => (
              <label key={days ?? "off"}>
                <input type="radio" name="retention" value={days ?? "off"} checked={chosen === days} disabled={busy} onChange={() => setPicked(days)} /> {t.retentionChoice(days)}
              </label>
            ))}
          </fieldset>
          {stopped !== null ? (
            <p className="delete-account-error" role="status" data-testid="retention-stopped">
              {t.retentionStopped}{" "}
              <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => save.mutate({ days: stopped })}>
                {t.deletionRetry}
              </button>
            </p>
          ) : null}
          {failed ? (
            <p className="delete-account-error" role="alert">
              {failed}
            </p>
          ) : null}
        </div>
        <FormActions onCancel={close} submitLabel={t.retentionSave} disabled={busy || chosen === saved} />
      </form>
    </ModalDialog>
  );
}
