"use client";

/**
 * A send refused because another tab (or window) is writing the thread (thread-claim.ts: CONFLICT). The refused tab
 * keeps the typed text, and follows the other tab's turn rather than showing it only after a reload: it refetches the
 * thread's newest turns now and then, so the other question and its reply appear as they are stored, and says when
 * the thread is free to send to. Bounded: it stops once the other reply has ended, after BUSY_WATCH_MAX_MS, when this
 * tab sends, or when the composer goes; it waits while the tab is hidden (retry-later.ts).
 */
import { useSyncExternalStore } from "react";
import { onClientStateReset } from "@/lib/client/client-state";
import { retryLater, waitShown } from "@/lib/client/retry-later";
import type { Dictionary } from "@/lib/shared/i18n/en";
import type { api } from "@/trpc/react";
import { newestReplyOpen } from "./chat-turn";

/**
 * The first look waits a moment (the other request's first writes land just after its claim, and a look before them
 * would find the thread idle), then every few seconds: a reply's text is stored in checkpoints, not token by token.
 */
export const BUSY_FIRST_LOOK_MS = 1_500;
export const BUSY_LOOK_EVERY_MS = 3_000;
/** Past this the refused tab stops looking (a reply may stream for half an hour); a send then asks the server again. */
export const BUSY_WATCH_MAX_MS = 3 * 60_000;

/** The waits between looks after the first: the interval, for BUSY_WATCH_MAX_MS in all. */
export function busyLookDelays(): number[] {
  return Array.from({ length: Math.floor((BUSY_WATCH_MAX_MS - BUSY_FIRST_LOOK_MS) / BUSY_LOOK_EVERY_MS) }, () => BUSY_LOOK_EVERY_MS);
}

const watching = new Map<string, AbortController>();
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};

// A sign-out (or another user's session) ends every watch: nothing of this user's is fetched or said after it.
onClientStateReset(() => {
  watching.forEach((controller) => controller.abort());
  watching.clear();
  emit();
});

/** Stops following a thread (this tab sends to it, or its composer goes). */
export function stopWatchingBusy(threadId: string) {
  const controller = watching.get(threadId);
  if (!controller) return;
  controller.abort();
  watching.delete(threadId);
  emit();
}

export interface BusyWatchDeps {
  utils: Pick<ReturnType<typeof api.useUtils>, "threads">;
  toast: (message: string) => void;
  t: Dictionary;
}

/**
 * Follows a busy thread until its newest reply has ended, then says the message can be sent. One watch per thread:
 * a second refusal meanwhile joins the one running. Resolves whether the thread was seen free.
 */
export async function watchBusyThread(deps: BusyWatchDeps, threadId: string): Promise<boolean> {
  if (watching.has(threadId)) return false;
  const controller = new AbortController();
  watching.set(threadId, controller);
  emit();
  const { signal } = controller;
  const look = async () => {
    try {
      const thread = await deps.utils.threads.get.fetch({ threadId }, { staleTime: 0 });
      return newestReplyOpen(thread) ? null : true;
    } catch (error) {
      // Deleted meanwhile: nothing to send to. Offline a moment: look again; the bound ends it.
      return (error as { data?: { code?: string } | null } | null)?.data?.code === "NOT_FOUND" ? false : null;
    }
  };
  const free = (await waitShown(BUSY_FIRST_LOOK_MS, signal)) && (await retryLater(look, busyLookDelays(), { signal })) === true;
  if (signal.aborted) return false;
  watching.delete(threadId);
  emit();
  if (free) deps.toast(deps.t.sendWhenFree);
  return free;
}

/** Whether this tab is following `threadId` after a refused send. */
export function useWatchingBusy(threadId: string | null): boolean {
  return useSyncExternalStore(
    subscribe,
    () => (threadId ? watching.has(threadId) : false),
    () => false,
  );
}
