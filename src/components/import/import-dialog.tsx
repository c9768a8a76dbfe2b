"use client";

import { useRef, useState, type DragEvent } from "react";
import type { ImportJob } from "@/data";
import { uploadImport } from "@/lib/client/transfers/import-upload";
import { useI18n } from "@/lib/client/i18n-provider";
import { importProblemMessage } from "@/lib/client/error-messages/import-problem-message";
import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import "./import-dialog.css";

const POLL_MS = 1000;

/**
 * "Import conversations": pick or drop an export, watch the job (done / total, the current title), cancel it, read the
 * summary. The job lives on the server (a job item), so after a reload the dialog finds the running job again.
 */
export function ImportDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useI18n();
  const utils = api.useUtils();
  const [jobId, setJobId] = useState<string | null>(null);
  const [upload, setUpload] = useState<{ fraction: number; abort: () => void } | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // Without a job of this page, the latest one: a reload in the middle of an import shows it again.
  const latest = api.imports.latest.useQuery(undefined, { enabled: open && jobId === null, refetchOnWindowFocus: false });
  const resumed = latest.data?.status === "running" ? latest.data.jobId : null;
  const currentId = jobId ?? resumed;
  const job = api.imports.get.useQuery(
    { jobId: currentId ?? "" },
    {
      enabled: open && currentId !== null,
      refetchInterval: (query) => (query.state.data?.status === "running" ? POLL_MS : false),
    },
  );
  // With "Delete conversations older than…" on, old conversations imported would look due at once: they are kept for
  // the period from the import (true-activity.ts), and the dialog says so before the file is chosen and in the summary.
  const retention = api.user.retention.useQuery(undefined, { enabled: open, refetchOnWindowFocus: false });
  const retentionDays = retention.data && !retention.data.stopped ? retention.data.days : null;
  const retentionNote =
    retentionDays === null ? null : (
      <p className="import-status" data-testid="import-retention">
        {t.importRetention(t.retentionChoice(retentionDays))}
      </p>
    );
  const cancel = api.imports.cancel.useMutation({ onSettled: () => void job.refetch() });
  const shown: ImportJob | null = job.data ?? null;
  const finished = shown !== null && shown.status !== "running";
  const [announced, setAnnounced] = useState<string | null>(null);
  if (finished && announced !== shown.jobId) {
    setAnnounced(shown.jobId);
    // New threads are in the table: the sidebar's lists are stale.
    void utils.threads.list.invalidate();
  }

  const start = (file: File | undefined) => {
    if (!file || upload) return;
    setUploadError(null);
    const { promise, abort } = uploadImport<ImportJob>(file, (fraction) => setUpload((u) => (u ? { ...u, fraction } : u)));
    setUpload({ fraction: 0, abort });
    promise
      .then((started) => setJobId(started.jobId))
      .catch((error: Error & { aborted?: boolean; refusal?: unknown }) => {
        if (!error.aborted) setUploadError(refusalMessage(t, error.refusal) ?? error.message);
      })
      .finally(() => setUpload(null));
  };

  const reset = () => {
    setJobId(null);
    setAnnounced(null);
    setUploadError(null);
    void utils.imports.latest.invalidate();
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    start(event.dataTransfer.files[0]);
  };

  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title={t.importTitle} description={t.importDescription} testId="import-dialog">
      {upload ? (
        <Progress label={t.importUploading(Math.round(upload.fraction * 100))} fraction={upload.fraction} />
      ) : shown && !finished ? (
        <>
          <Progress
            label={shown.total === null ? t.importReading : t.importProgress(shown.done, shown.total)}
            fraction={shown.total ? shown.done / shown.total : 0}
          />
          {shown.current ? <p className="import-current">{t.importCurrent(shown.current)}</p> : null}
        </>
      ) : shown && finished ? (
        <>
          <Summary job={shown} />
          {shown.imported > 0 ? retentionNote : null}
        </>
      ) : (
        <>
        {retentionNote}
        <label
          className="import-drop"
          data-over={over}
          onDragOver={(event) => {
            event.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          <span>{t.importDrop}</span>
          <span className="import-choose">{t.importChoose}</span>
          <input ref={input} type="file" accept=".zip,.json,application/zip,application/json" data-testid="import-file" onChange={(event) => start(event.target.files?.[0])} />
        </label>
        </>
      )}
      {uploadError ? (
        <p className="import-error" role="alert">
          {uploadError}
        </p>
      ) : null}
      <div className="dialog-actions">
        {upload ? (
          <button type="button" className="btn" onClick={upload.abort}>
            {t.cancel}
          </button>
        ) : null}
        {shown && !finished ? (
          <button type="button" className="btn" data-testid="import-cancel" disabled={cancel.isPending || shown.cancelRequested} onClick={() => cancel.mutate({ jobId: shown.jobId })}>
            {cancel.isPending || shown.cancelRequested ? t.importCancelling : t.importCancel}
          </button>
        ) : null}
        {finished ? (
          <button type="button" className="btn" onClick={reset}>
            {t.importAnother}
          </button>
        ) : null}
        <button type="button" className="btn btn-primary" onClick={() => onOpenChange(false)}>
          {t.close}
        </button>
      </div>
    </ModalDialog>
  );
}

function Progress({ label, fraction }: { label: string; fraction: number }) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div data-testid="import-progress">
      <p className="import-status" aria-live="polite">
        {label}
      </p>
      <div className="import-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={label}>
        <span style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

const SKIPS_SHOWN = 50;

function Summary({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  const heading = job.status === "done" ? t.importDone : job.status === "cancelled" ? t.importCancelled : t.importFailed;
  // "0 imported, 0 already there, 0 attachments" beside a failure says nothing the failure does not: the counts show
  // for a finished import, and for a stopped one only when it got somewhere.
  const counted = job.status === "done" || job.imported + job.existing + job.attachments > 0;
  return (
    <div data-testid="import-summary" role="status">
      <p className="import-status">
        <strong>{heading}.</strong>
        {counted ? ` ${t.importSummary(job.imported, job.existing, job.attachments)}` : null}
      </p>
      {job.error ? <p className="import-error">{importProblemMessage(t, job.errorProblem, job.error)}</p> : null}
      {job.skippedCount > 0 ? (
        <>
          <p className="import-status">{t.importSkipped(job.skippedCount - job.skippedAttachments, job.skippedAttachments)}</p>
          <ul className="import-skipped">
            {job.skipped.slice(0, SKIPS_SHOWN).map((skip, i) => (
              <li key={i}>
                {skip.title}: {importProblemMessage(t, skip.problem, skip.reason)}
              </li>
            ))}
          </ul>
          {job.skippedCount > Math.min(SKIPS_SHOWN, job.skipped.length) ? <p className="import-status">{t.importMoreSkipped(job.skippedCount - Math.min(SKIPS_SHOWN, job.skipped.length))}</p> : null}
        </>
      ) : null}
    </div>
  );
}
