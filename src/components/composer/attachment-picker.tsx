"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fileKind, formatBytes } from "@/lib/shared/format";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { useI18n } from "@/lib/client/i18n-provider";
import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { acceptAttribute, checkFile, randomId, uploadFile, UploadError, type UploadLimits } from "@/lib/client/transfers/upload";
import { AlertIcon, CloseIcon, PaperclipIcon } from "@/components/ui/icons";
import type { ThreadElement } from "@/trpc/use-thread-cache";
import { refusedAsTooFast } from "./new-chat-state";

/** A file in the composer: uploading (as soon as it is picked), uploaded (an element of the pending message), or refused. */
export interface DraftFile {
  /** The element id it is uploaded under. */
  key: string;
  name: string;
  size: number;
  status: "uploading" | "done" | "error";
  /** 0…1 */
  progress: number;
  element: ThreadElement | null;
  error: string | null;
  threadId: string | null;
  /** A blob: URL of an image, for its thumbnail. */
  preview: string | null;
}

interface Options {
  limits: UploadLimits | undefined;
  /** The thread and the pending message the files belong to (a new chat's thread is made on the server first). */
  ensureIds: () => Promise<{ threadId: string; messageId: string }>;
  /** Removes an uploaded file from the server (elements.delete). */
  deleteElement: (threadId: string, elementId: string) => Promise<unknown>;
  onError: (message: string) => void;
}

function uploadMessage(error: unknown, name: string, t: Dictionary): string {
  // A refusal the server explains, in the reader's language; else the route's own message (413, 415 …); the
  // network's failure in our words.
  if (error instanceof UploadError && error.status !== 0) return refusalMessage(t, error.refusal, name) ?? error.message;
  return t.uploadFailed(name);
}

/**
 * The composer's files. The map in a ref is the truth (uploads finish after renders and outside them); state mirrors
 * it for rendering. Every upload and removal in flight is tracked, so Send can wait for exactly those.
 */
export function useAttachments({ limits, ensureIds, deleteElement, onError }: Options) {
  const { t } = useI18n();
  const [files, setFiles] = useState<DraftFile[]>([]);
  const draft = useRef(new Map<string, DraftFile>());
  const work = useRef(new Map<string, { promise: Promise<void>; abort?: () => void }>());
  const [busy, setBusy] = useState(false);

  const commit = useCallback(() => {
    setFiles([...draft.current.values()]);
    setBusy(work.current.size > 0);
  }, []);
  const patch = useCallback(
    (key: string, change: Partial<DraftFile>) => {
      const file = draft.current.get(key);
      if (!file) return;
      draft.current.set(key, { ...file, ...change });
      commit();
    },
    [commit],
  );
  const track = useCallback(
    (key: string, promise: Promise<void>, abort?: () => void) => {
      const entry = { promise: promise.finally(() => {
        if (work.current.get(key) === entry) work.current.delete(key);
        commit();
      }), abort };
      work.current.set(key, entry);
    },
    [commit],
  );

  const add = useCallback(
    (picked: Iterable<File>) => {
      if (!limits) return;
      for (const file of picked) {
        const key = randomId();
        const base: DraftFile = { key, name: file.name, size: file.size, status: "uploading", progress: 0, element: null, error: null, threadId: null, preview: null };
        const check = checkFile(file, limits);
        if (!check.ok) {
          const error = check.reason === "type" ? t.fileNotAllowed(file.name, limits.allowedExtensions.join(", ")) : t.fileTooLarge(file.name, check.maxMb);
          draft.current.set(key, { ...base, status: "error", error });
          continue;
        }
        const preview = check.mime.startsWith("image/") ? URL.createObjectURL(file) : null;
        draft.current.set(key, { ...base, preview });
        // Removed (or the composer left) while the thread was being made: the upload never starts.
        let cancelled = false;
        let abortUpload: (() => void) | undefined;
        const run = async () => {
          let target: { threadId: string; messageId: string };
          try {
            target = await ensureIds();
          } catch (error) {
            patch(key, { status: "error", error: refusedAsTooFast(error) ? t.newChatTooFast : t.uploadFailed(file.name) });
            return;
          }
          if (cancelled) return;
          patch(key, { threadId: target.threadId });
          const upload = uploadFile<ThreadElement>({ threadId: target.threadId, elementId: key, forId: target.messageId, file, mime: check.mime, onProgress: (progress) => patch(key, { progress }) });
          abortUpload = upload.abort;
          try {
            // The route answers with the stored element; its storage key is no business of the page.
            const { objectKey: _objectKey, ...element }: ThreadElement & { objectKey?: unknown } = await upload.promise;
            patch(key, { status: "done", progress: 1, element });
          } catch (error) {
            if (error instanceof UploadError && error.aborted) return;
            patch(key, { status: "error", error: uploadMessage(error, file.name, t) });
          }
        };
        track(key, run(), () => {
          cancelled = true;
          abortUpload?.();
        });
      }
      commit();
    },
    [limits, ensureIds, patch, track, commit, t],
  );

  const remove = useCallback(
    (key: string) => {
      const file = draft.current.get(key);
      if (!file) return;
      draft.current.delete(key);
      const running = work.current.get(key);
      if (file.status === "uploading") {
        running?.abort?.();
        // Every byte had left: the server may store it anyway, so remove what it stored (NOT_FOUND otherwise).
        if (file.progress >= 1 && file.threadId) void deleteElement(file.threadId, key).catch(() => {});
      } else if (file.status === "done" && file.threadId) {
        // Until it is gone it still belongs to the pending message, so Send waits for this too.
        const threadId = file.threadId;
        track(
          key,
          deleteElement(threadId, key).then(
            () => {
              if (file.preview) URL.revokeObjectURL(file.preview);
            },
            () => {
              draft.current.set(key, file);
              onError(t.removeFileError(file.name));
            },
          ),
        );
      }
      if (file.status !== "done" && file.preview) URL.revokeObjectURL(file.preview);
      commit();
    },
    [deleteElement, track, commit, onError, t],
  );

  /** Resolves once no upload or removal is in flight. */
  const settled = useCallback(async () => {
    while (work.current.size > 0) await Promise.all([...work.current.values()].map((entry) => entry.promise));
  }, []);

  /** Empties the composer, handing back what it held (to send, or to put back if sending fails). */
  const take = useCallback((): DraftFile[] => {
    const all = [...draft.current.values()];
    draft.current.clear();
    commit();
    return all;
  }, [commit]);

  const restore = useCallback(
    (items: DraftFile[]) => {
      for (const item of items) draft.current.set(item.key, item);
      commit();
    },
    [commit],
  );

  /** Sent: the message shows the stored files now, so the local thumbnails can go. */
  const release = useCallback((items: DraftFile[]) => {
    for (const item of items) if (item.preview) URL.revokeObjectURL(item.preview);
  }, []);

  // Leaving with files that were never sent (another thread, New chat): they would linger in the thread as
  // attachments of no message, so they go. A reload or a closed tab skips this; those stay.
  const cleanup = useRef(deleteElement);
  useEffect(() => {
    cleanup.current = deleteElement;
  }, [deleteElement]);
  useEffect(() => {
    const map = draft.current;
    const running = work.current;
    return () => {
      map.forEach((file) => {
        if (file.preview) URL.revokeObjectURL(file.preview);
        if (file.status === "uploading") running.get(file.key)?.abort?.();
        if (file.status === "done" && file.threadId) void cleanup.current(file.threadId, file.key).catch(() => {});
      });
      map.clear();
    };
  }, []);

  return { files, busy, add, remove, settled, take, restore, release };
}

/** The paperclip: a real button opening the file picker, which offers only the allowed types. */
export function AttachButton({ limits, onFiles, disabled }: { limits: UploadLimits | undefined; onFiles: (files: File[]) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="icon-btn composer-attach" aria-label={t.attachFiles} title={t.attachFiles} disabled={disabled || !limits} onClick={() => input.current?.click()}>
        <PaperclipIcon size={18} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        data-testid="attach-input"
        accept={limits ? acceptAttribute(limits) : undefined}
        onChange={(event) => {
          const picked = Array.from(event.currentTarget.files ?? []);
          // The same file picked twice in a row must fire change again.
          event.currentTarget.value = "";
          if (picked.length) onFiles(picked);
        }}
      />
    </>
  );
}

/** The files of the message being written: chips with progress and remove, then one alert per refused file. */
export function AttachmentList({ files, onRemove }: { files: DraftFile[]; onRemove: (key: string) => void }) {
  const { t } = useI18n();
  const chips = files.filter((f) => f.status !== "error");
  const refused = files.filter((f) => f.status === "error");
  if (files.length === 0) return null;
  return (
    <div className="draft-files">
      {chips.length ? (
        <ul className="draft-chips" aria-label={t.attachments}>
          {chips.map((file) => {
            const kind = fileKind(file.name, file.element?.mime);
            const percent = Math.round(file.progress * 100);
            return (
              <li key={file.key} className="draft-chip" data-testid="draft-file" data-status={file.status}>
                <span className="draft-thumb" aria-hidden="true">
                  {file.preview ? <img src={file.preview} alt="" /> : <span className="file-ext">{kind.length <= 4 ? kind : "FILE"}</span>}
                </span>
                <span className="draft-text">
                  <span className="file-name" title={file.name}>
                    {file.name}
                  </span>
                  <span className="file-meta">{[kind, formatBytes(file.size)].filter(Boolean).join(" · ")}</span>
                </span>
                {file.status === "uploading" ? (
                  <span className="draft-progress" role="progressbar" aria-label={t.uploadingFile(file.name)} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
                    <span style={{ width: `${percent}%` }} />
                  </span>
                ) : null}
                <button type="button" className="icon-btn icon-btn-sm draft-remove" aria-label={t.removeFile(file.name)} title={t.removeFile(file.name)} onClick={() => onRemove(file.key)}>
                  <CloseIcon size={14} />
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {refused.map((file) => (
        <div key={file.key} className="draft-error" data-testid="draft-error">
          <AlertIcon size={16} className="draft-error-icon" />
          <p role="alert">{file.error}</p>
          <button type="button" className="icon-btn icon-btn-sm" aria-label={t.dismiss} title={t.dismiss} onClick={() => onRemove(file.key)}>
            <CloseIcon size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
