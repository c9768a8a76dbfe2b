"use client";

import { useSyncExternalStore } from "react";
import { onClientStateReset } from "@/lib/client/client-state";

/** New chat's state for the tab: the button, the new-chat view and the composers meet here, outside React. */
let newChatNonce = 0;
const focusRequests = new Set<string>();
const listeners = new Set<() => void>();

onClientStateReset(() => {
  focusRequests.clear();
  newChatNonce = 0;
  listeners.forEach((listener) => listener());
});

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Bumped by the New chat button, so the new-chat view starts over even when it is already on screen. */
export function useNewChatNonce(): number {
  return useSyncExternalStore(
    subscribe,
    () => newChatNonce,
    () => 0,
  );
}
export function requestNewChat() {
  newChatNonce++;
  focusRequests.add("new");
  listeners.forEach((listener) => listener());
}

/** A composer mounted for `key` (a thread id, or "new") takes the focus once: after New chat, or a new chat's navigation. */
export function requestComposerFocus(key: string) {
  focusRequests.add(key);
}
export function takeComposerFocus(key: string): boolean {
  return focusRequests.delete(key);
}
