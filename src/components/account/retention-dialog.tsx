"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { useToast } from "@/components/ui/toast";
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
  const toast = useToast();
  const utils = api.useUtils();
  const current = api.user.retention.useQuery(undefined, { enabled: open });
  const save = api.user.setRetention.useMutation({
    onSuccess: (saved) => utils.user.retention.setData(undefined, saved),
    onError: (error) => toast(error.message),
  });
  const chosen: Choice | undefined = save.isPending ? save.variables.days : current.data?.days;
  const busy = save.isPending || current.isPending;
  // Its runs kept failing and were stopped (server/deletion/retention.ts): saving the same period again restarts them.
  const stopped = !save.isPending && current.data?.stopped === true && current.data.days !== null ? current.data.days : null;
  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title={t.retentionTitle} description={t.retentionBody} size="sm" testId="retention-dialog">
      <div className="share-field">
        <fieldset>
          <legend>{t.retentionLabel}</legend>
          {CHOICES.map((days) => (
            <label key={days ?? "off"}>
              <input type="radio" name="retention" value={days ?? "off"} checked={chosen === days} disabled={busy} onChange={() => save.mutate({ days })} /> {t.retentionChoice(days)}
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
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => onOpenChange(false)}>
          {t.close}
        </button>
      </div>
    </ModalDialog>
  );
}
