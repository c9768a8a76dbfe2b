"use client";

import { useSyncExternalStore } from "react";
import { onClientStateReset } from "@/lib/client/client-state";
import type { ChatTurn } from "./chat-turn";

/**
 * One store for the tab, outside React: a stream outlives the component that started it (a new chat navigates to its
 * own URL mid-reply; the user may open another thread and come back), and each view subscribes to its own thread only,
 * so a token re-renders the one view that shows it.
 */
const turns = new Map<string, ChatTurn>();
const controllers = new Map<string, AbortController>();
const listeners = new Set<() => void>();

// A sign-out or another user's session stops this user's replies and forgets them (client-state.ts).
onClientStateReset(() => {
  controllers.forEach((controller) => controller.abort());
  controllers.clear();
  turns.clear();
  emit();
});

function emit() {
  listeners.forEach((listener) => listener());
}
function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export const chatTurns = {
  get: (threadId: string) => turns.get(threadId),
  set(threadId: string, turn: ChatTurn) {
    turns.set(threadId, turn);
    emit();
  },
  delete(threadId: string) {
    turns.delete(threadId);
    emit();
  },
  /** A new request in a thread: the one still running there is stopped first (one reply at a time per thread). */
  begin(threadId: string): AbortController {
    controllers.get(threadId)?.abort();
    const controller = new AbortController();
    controllers.set(threadId, controller);
    return controller;
  },
  end(threadId: string, controller: AbortController) {
    if (controllers.get(threadId) === controller) controllers.delete(threadId);
  },
};

/** The live turn of a thread, or null. */
export function useChatTurn(threadId: string | null): ChatTurn | null {
  return useSyncExternalStore(
    subscribe,
    () => (threadId ? (turns.get(threadId) ?? null) : null),
    () => null,
  );
}

export function stopTurn(threadId: string) {
  controllers.get(threadId)?.abort();
}
