"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { actionErrorMessage } from "@/lib/client/error-messages/save-error-message";
import { api } from "@/trpc/react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toast";
import { setDeletionMark } from "./deletion-mark";
import { forgetThreadDrafts } from "@/lib/client/draft-store";

/**
 * "Delete all conversations?": one destructive confirmation. It says "all" rather than a number: counting thousands
 * of threads before asking would cost a walk of the whole index; the job counts them and the progress shows it.
 */
export function DeleteAllDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const start = api.user.deleteAllThreads.useMutation({
    onSuccess: (job) => {
      utils.user.deletion.setData(undefined, job);
      setDeletionMark(true);
      forgetThreadDrafts();
      onOpenChange(false);
    },
    onError: (error) => toast(actionErrorMessage(t, error)),
  });
  return (
    <ConfirmDialog
      open={open}
      title={t.deleteAllTitle}
      body={t.deleteAllBody}
      confirmLabel={t.deleteAllConfirm}
      busy={start.isPending}
      onCancel={() => onOpenChange(false)}
      onConfirm={() => start.mutate()}
      testId="delete-all-dialog"
    />
  );
}
