"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { DownloadChip } from "./download-chip";
import type { ThreadElement } from "@/trpc/use-thread-cache";

/** An image at full size, with its download chip. Loaded with Radix's Dialog on first use (element-view.tsx). */
export function ImageDialog({ threadId, element, url, name, onClose }: { threadId: string; element: ThreadElement; url: string | null; name: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <ModalDialog
      open
      onOpenChange={(next) => {
        if (!next) onClose();
      }}
      title={name}
      size="image"
      testId="image-dialog"
    >
      <div className="image-full-wrap">{url ? <img className="image-full" src={url} alt={name} /> : null}</div>
      <div className="dialog-actions">
        <DownloadChip threadId={threadId} element={element} compact />
        <button type="button" className="btn" onClick={onClose}>
          {t.close}
        </button>
      </div>
    </ModalDialog>
  );
}
