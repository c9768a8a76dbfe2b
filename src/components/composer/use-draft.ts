"use client";

import { useEffect, useMemo, useRef } from "react";
import { draftOwner, readDraft, saveDraft } from "@/lib/client/draft-store";

/** Typing pauses this long before the draft is written: not a write per key, and little lost to a crash. */
const SAVE_AFTER_MS = 400;

export interface DraftHandle {
  /** The box's text changed by the user: written soon (or when the page goes). */
  typed(text: string): void;
  /** The draft is `text` now, written at once: after a send the server has (what was typed since, usually nothing). */
  replace(text: string): void;
  /** The draft now belongs to `key` (a new chat's box leaving for its thread's page): written there, gone from here. */
  moveTo(key: string, text: string): void;
}

/**
 * A message box's draft in browser storage (lib/client/draft-store.ts) under `key` (its thread id, "new", or an edit
 * box's editDraftKey): handed to `restore` when the box mounts, written as the user types. Every write is under the
 * storage tag the box mounted with: a box still on screen after another user claimed the storage (a sign-in in another
 * tab) writes nothing there.
 */
export function useDraft(key: string, restore: (text: string) => void): DraftHandle {
  const owner = useRef<string | null>(null);
  const pending = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const restoreRef = useRef(restore);

  const handle = useMemo(() => {
    const write = (at: string, text: string) => saveDraft(at, text, owner.current);
    const flush = () => {
      clearTimeout(timer.current);
      if (pending.current !== null) write(key, pending.current);
      pending.current = null;
    };
    const cancel = () => {
      clearTimeout(timer.current);
      pending.current = null;
    };
    return {
      flush,
      typed(text: string) {
        pending.current = text;
        clearTimeout(timer.current);
        timer.current = setTimeout(flush, SAVE_AFTER_MS);
      },
      replace(text: string) {
        cancel();
        write(key, text);
      },
      moveTo(to: string, text: string) {
        cancel();
        write(to, text);
        write(key, "");
      },
    };
  }, [key]);

  useEffect(() => {
    owner.current = draftOwner();
    const text = readDraft(key);
    if (text) restoreRef.current(text);
    // A reload or a closed tab: the last words typed are written before the page goes.
    const onHide = () => {
      if (document.visibilityState === "hidden") handle.flush();
    };
    window.addEventListener("pagehide", handle.flush);
    document.addEventListener("visibilitychange", onHide);
    return () => {
      window.removeEventListener("pagehide", handle.flush);
      document.removeEventListener("visibilitychange", onHide);
      handle.flush();
    };
  }, [key, handle]);

  return handle;
}
