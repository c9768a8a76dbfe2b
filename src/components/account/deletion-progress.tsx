"use client";

import { useEffect, useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { setDeletionMark, useDeletionMark } from "./deletion-mark";
import "./deletion.css";

const POLL_MS = 1000;

/**
 * The running "Delete all conversations" job in the sidebar: its progress, the lists refreshed as threads go (the
 * sidebar empties from its top), and how it ended. Watches only while this browser started a job (deletion-mark.ts).
 */
export function DeletionProgress() {
  const { t } = useI18n();
  const marked = useDeletionMark();
  const utils = api.useUtils();
  const router = useRouter();
  const pathname = usePathname();
  const job = api.user.deletion.useQuery(undefined, {
    enabled: marked,
    refetchOnWindowFocus: false,
    refetchInterval: (query) => (query.state.data?.status === "running" ? POLL_MS : false),
  });
  const shown = marked ? job.data : undefined;
  const [seen, setSeen] = useState<string | null>(null);
  const progress = shown ? `${shown.status}:${shown.deleted}` : null;
  if (shown && progress !== seen) {
    setSeen(progress);
    void utils.threads.list.invalidate();
    void utils.threads.pinned.invalidate();
    void utils.search.query.invalidate();
  }
  const ended = shown?.status === "done";
  // The thread on screen has gone with the rest.
  useEffect(() => {
    if (ended && pathname.startsWith("/threads/")) router.replace("/threads");
  }, [ended, pathname, router]);
  useEffect(() => {
    if (marked && job.data === null) setDeletionMark(false);
  }, [marked, job.data]);

  if (!shown || shown.kind !== "threads") return null;
  const running = shown.status === "running";
  const label = running ? t.deletionRunning(shown.deleted, shown.total) : shown.status === "done" ? t.deletionDone(shown.deleted) : t.deletionFailed;
  const percent = shown.total ? Math.round(Math.min(1, shown.deleted / shown.total) * 100) : 0;
  return (
    <div className="deletion-progress" data-testid="deletion-progress" data-status={shown.status}>
      <p className="deletion-status" role="status">
        {label}
      </p>
      {running ? (
        <div className="deletion-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={label}>
          <span style={{ width: `${percent}%` }} />
        </div>
      ) : (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDeletionMark(false)}>
          {t.close}
        </button>
      )}
    </div>
  );
}
