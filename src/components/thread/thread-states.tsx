"use client";

import Link from "next/link";
import { useI18n } from "@/lib/client/i18n-provider";
import { AlertIcon, MessageIcon } from "@/components/ui/icons";

/** The detail pane while a thread loads: the same header and bubble sizes as the real page, so nothing jumps. */
export function ThreadSkeleton() {
  const { t } = useI18n();
  return (
    <div className="thread-view" role="status" aria-label={t.loading}>
      <div className="thread-header">
        <div className="thread-title-block">
          <span className="skeleton skeleton-title" />
          <span className="skeleton skeleton-meta" />
        </div>
      </div>
      <div className="conversation" aria-hidden="true">
        <div className="turn turn-user">
          <span className="skeleton skeleton-bubble" />
        </div>
        <div className="turn turn-assistant">
          <span className="avatar avatar-assistant skeleton" />
          <div className="turn-content">
            <span className="skeleton skeleton-text" />
            <span className="skeleton skeleton-text" />
            <span className="skeleton skeleton-text skeleton-text-short" />
          </div>
        </div>
        <div className="turn turn-user">
          <span className="skeleton skeleton-bubble skeleton-bubble-short" />
        </div>
      </div>
    </div>
  );
}

export function ThreadNotFound() {
  const { t } = useI18n();
  return (
    <div className="page-state">
      <MessageIcon size={32} className="page-state-icon" />
      <h1>{t.notFoundTitle}</h1>
      <p className="muted">{t.notFoundBody}</p>
      <Link href="/threads" className="btn btn-primary">
        {t.backToThreads}
      </Link>
    </div>
  );
}

export function ThreadError({ onRetry }: { onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <div className="page-state" role="alert">
      <AlertIcon size={32} className="page-state-icon page-state-icon-danger" />
      <h1>{t.errorTitle}</h1>
      <p className="muted">{t.errorBody}</p>
      <button type="button" className="btn btn-primary" onClick={onRetry}>
        {t.retry}
      </button>
    </div>
  );
}
