"use client";

import { useEffect, useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import { useHydrated } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/router-types";
import { actionErrorMessage } from "@/lib/client/error-messages/save-error-message";
import { useToast } from "@/components/ui/toast";
import { setDeletionMark, useDeletionMark } from "./deletion-mark";
import "./deletion.css";

const POLL_MS = 1000;

/**
 * The running "Delete all conversations" job in the sidebar: its progress, the lists refreshed as threads go (the
 * sidebar empties from its top), and how it ended. Watches only while this browser started a job (deletion-mark.ts).
 */
export function DeletionProgress() {
  // Nothing on the server or in the hydration pass (no job is known there): its query and hooks run from the render after.
  return useHydrated() ? <WatchedDeletion /> : null;
}

function WatchedDeletion() {
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
  return (
    <div className="deletion-progress" data-testid="deletion-progress" data-status={shown.status}>
      <p className="deletion-status" role="status">
        {statusLabel(t, shown)}
      </p>
      {running ? (
        <>
          <div className="deletion-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percentOf(shown)} aria-label={statusLabel(t, shown)}>
            <span style={{ width: `${percentOf(shown)}%` }} />
          </div>
          <DeletionActions cancelling={shown.cancelling} />
        </>
      ) : (
        <DeletionActions failed={shown.status === "failed"} />
      )}
    </div>
  );
}

type ShownJob = NonNullable<RouterOutputs["user"]["deletion"]>;
type Dictionary = ReturnType<typeof useI18n>["t"];

function statusLabel(t: Dictionary, job: ShownJob): string {
  switch (job.status) {
    case "running":
      return t.deletionRunning(job.deleted, job.total);
    case "done":
      return t.deletionDone(job.deleted);
    case "cancelled":
      return t.deletionCancelled(job.deleted);
    case "failed":
      return t.deletionFailed;
  }
}

const percentOf = (job: ShownJob) => (job.total ? Math.round(Math.min(1, job.deleted / job.total) * 100) : 0);

/**
 * Running: Cancel (threads already deleted stay deleted; the server refuses it for an account job). Ended: Close, and
 * Try again after a failure, which asks for the same job again: it deletes what is left.
 */
function DeletionActions({ cancelling, failed }: { cancelling?: boolean; failed?: boolean }) {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const onError = (error: unknown) => toast(actionErrorMessage(t, error));
  const cancel = api.user.cancelDeletion.useMutation({ onSuccess: (job) => utils.user.deletion.setData(undefined, job), onError });
  const retry = api.user.deleteAllThreads.useMutation({ onSuccess: (job) => utils.user.deletion.setData(undefined, job), onError });
  if (cancelling !== undefined) {
    return (
      <button type="button" className="btn btn-ghost btn-sm" disabled={cancelling || cancel.isPending} onClick={() => cancel.mutate()}>
        {cancelling || cancel.isPending ? t.deletionCancelling : t.deletionCancel}
      </button>
    );
  }
  return (
    <div className="deletion-actions">
      {failed ? (
        <button type="button" className="btn btn-ghost btn-sm" disabled={retry.isPending} onClick={() => retry.mutate()}>
          {t.deletionRetry}
        </button>
      ) : null}
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDeletionMark(false)}>
        {t.close}
      </button>
    </div>
  );
}
