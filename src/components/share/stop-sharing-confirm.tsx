"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

/**
 * "Stop sharing" asks first, as a delete does: everyone holding the link loses it at once, and sharing again makes a
 * new snapshot, not the old one back. Used by the share dialog and by "Shared links".
 */
export function StopSharingConfirm({ open, busy, onCancel, onConfirm }: { open: boolean; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  const { t } = useI18n();
  return (
    <ConfirmDialog
      open={open}
      title={t.shareStopTitle}
      body={t.shareStopBody}
      confirmLabel={t.shareStop}
      busy={busy}
      onCancel={onCancel}
      onConfirm={onConfirm}
      testId="stop-sharing-confirm"
    />
  );
}
