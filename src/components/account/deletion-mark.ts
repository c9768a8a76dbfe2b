/**
 * "A delete job of mine is running": kept in this browser's localStorage, so the sidebar shows the job's progress
 * after a reload, and no other page view asks the server about a job (one request per page for a feature most
 * never use). User storage: emptied at sign-out and for another user (lib/client/client-state.ts).
 */
import { useSyncExternalStore } from "react";

const KEY = "threadbook.deletion-running";
const CHANGED = "threadbook:deletion-mark";

export function setDeletionMark(on: boolean): void {
  try {
    if (on) localStorage.setItem(KEY, "1");
    else localStorage.removeItem(KEY);
  } catch {
    // Storage blocked: the progress shows until a reload only.
  }
  window.dispatchEvent(new Event(CHANGED));
}

function readMark(): boolean {
  try {
    return localStorage.getItem(KEY) === "1";
  } catch {
    return false;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener("storage", onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener("storage", onChange);
  };
}

/** Whether to watch the job; false in the server render (nothing to watch there). */
export const useDeletionMark = (): boolean => useSyncExternalStore(subscribe, readMark, () => false);
