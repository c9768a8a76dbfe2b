"use client";

import { useSyncExternalStore } from "react";
import { onClientStateReset } from "@/lib/client/client-state";

/** New chat's state for the tab: the button, the new-chat view and the composers meet here, outside React. */
let newChatNonce = 0;
/** A composer key → what had the focus when the request was made (see takeComposerFocus). */
const focusRequests = new Map<string, Element | null>();
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
  focusRequests.set("new", document.activeElement);
  listeners.forEach((listener) => listener());
}

/** A composer mounted for `key` (a thread id, or "new") takes the focus once: after New chat, or a new chat's navigation. */
export function requestComposerFocus(key: string) {
  focusRequests.set(key, document.activeElement);
}

/**
 * True once per request, and only while the reader has not put the focus somewhere else since: the navigation that
 * mounts the composer can land seconds later, and text typed meanwhile in the search box must stay there. The focus
 * counts as unmoved on the element that had it at the request, or on nothing (that element went with its page).
 */
export function takeComposerFocus(key: string): boolean {
  if (!focusRequests.has(key)) return false;
  const had = focusRequests.get(key);
  focusRequests.delete(key);
  const active = document.activeElement;
  return active === null || active === document.body || active === had;
}

/**
 * Whether making a new chat's thread was refused by the user's new-chat budget (threads.create answers
 * TOO_MANY_REQUESTS): the reader is told to wait a minute rather than to check a connection that works.
 */
export function refusedAsTooFast(error: unknown): boolean {
  return (error as { data?: { code?: unknown } } | null)?.data?.code === "TOO_MANY_REQUESTS";
}
