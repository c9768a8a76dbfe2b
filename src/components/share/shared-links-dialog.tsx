"use client";

import Link from "next/link";
import { useState } from "react";
import { formatFullDate } from "@/lib/shared/date-groups";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { useToast } from "@/components/ui/toast";
import { StopSharingConfirm } from "./stop-sharing-confirm";

/**
 * "Shared links" from the user menu: the user's shared threads, newest first, paged from their share index
 * (share.list; the first page also picks up threads Chainlit shared), each with "Stop sharing".
 */
export function SharedLinksDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const list = api.share.list.useInfiniteQuery({}, { enabled: open, getNextPageParam: (page) => (page.hasNextPage ? page.endCursor : undefined), staleTime: 0 });
  // The thread whose "Stop sharing" waits for its confirmation.
  const [stopping, setStopping] = useState<string | null>(null);
  const revoke = api.share.revoke.useMutation({ onSuccess: () => void utils.share.invalidate(), onError: () => toast(t.shareFailed), onSettled: () => setStopping(null) });
  const rows = list.data?.pages.flatMap((page) => page.rows) ?? [];
  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title={t.sharedLinks} testId="shared-links-dialog" size="lg">
      {list.isPending ? <span className="spinner spinner-sm" aria-hidden="true" /> : null}
      {list.isSuccess && rows.length === 0 ? <p className="share-status">{t.sharedLinksEmpty}</p> : null}
      <ul className="shared-links">
        {rows.map((row) => (
          <li key={row.threadId} className="shared-link" data-testid="shared-link">
            <span className="shared-link-text">
              <Link href={`/share/${encodeURIComponent(row.threadId)}`}>{row.name?.trim() || t.untitled}</Link>
              <span className="shared-link-meta">
                {t.sharedOn(formatFullDate(row.sharedAt, locale))} · {t.shareAccess[row.access]} ·{" "}
                {row.expired ? t.shareExpired : row.expiresAt ? t.shareExpires(formatFullDate(row.expiresAt, locale)) : t.shareNeverExpires}
                {row.origin === "chainlit" ? ` · ${t.shareFromChainlit}` : null}
              </span>
            </span>
            <button type="button" className="btn btn-sm" disabled={revoke.isPending} onClick={() => setStopping(row.threadId)}>
              {t.shareStop}
            </button>
          </li>
        ))}
      </ul>
      {list.hasNextPage ? (
        <button type="button" className="btn btn-sm" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t.sharedLinksMore}
        </button>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => onOpenChange(false)}>
          {t.close}
        </button>
      </div>
      <StopSharingConfirm open={stopping !== null} busy={revoke.isPending} onCancel={() => setStopping(null)} onConfirm={() => stopping && revoke.mutate({ threadId: stopping })} />
    </ModalDialog>
  );
}
