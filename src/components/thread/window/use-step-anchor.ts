"use client";

import { useEffect, useSyncExternalStore } from "react";
import { onClientStateReset } from "@/lib/client/client-state";
import { holdInView } from "./hold-in-view";
import { clearSearchWords, firstMarkElement, markSearchWords } from "./search-words";

/**
 * Links to one message: `/threads/{id}#step-{stepId}` (search hits open these). Every drawn step carries
 * `id="step-{stepId}"`; the linked one, once it is on screen, is scrolled to the middle and marked
 * `data-highlighted="true"` (the CSS draws the mark) until Esc, the next search or the next link. Where the step
 * comes from (the loaded turns, or a window the thread view fetches around it first: use-thread-window.ts) is the
 * caller's business: this file only knows which step is linked, and finds, scrolls and marks it.
 *
 * A step opened from a search hit also has the hit's words marked in it (search-words.ts), and the first of them is
 * what is scrolled to: a long message's match may be far below its top.
 *
 * The linked step is the URL's fragment, except that a search hit on the thread already open changes only the
 * fragment, which the router does with pushState (no `hashchange`, and maybe not yet when the hit is announced): the
 * search names the step in a STEP_ANCHOR_EVENT instead.
 */
export const STEP_ANCHOR_EVENT = "threadbook:step-anchor";
export const CLEAR_STEP_HIGHLIGHT_EVENT = "threadbook:clear-step-highlight";

const PREFIX = "#step-";

export const stepElementId = (stepId: string) => `step-${stepId}`;

/** The step a `#step-…` fragment names, or null (any other fragment, or a garbled escape). */
export function stepIdFromHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    return decodeURIComponent(hash.slice(PREFIX.length)) || null;
  } catch {
    return null;
  }
}

/** The search whose hit is being opened: its words are marked in the linked step. Kept in memory only. */
let searchWords: string | null = null;
onClientStateReset(() => {
  searchWords = null;
});

/** A search hit is about to open `stepId` (search-navigation.ts): mark `query`'s words there once it is drawn. */
export function rememberSearchWords(query: string | null) {
  searchWords = query;
}

function clearHighlight() {
  for (const element of document.querySelectorAll('[data-highlighted="true"]')) element.removeAttribute("data-highlighted");
  clearSearchWords();
}

/** What an event or Esc set; `undefined` means "whatever the fragment says". */
let announced: string | null | undefined;

function subscribe(onChange: () => void) {
  const fromLocation = () => {
    announced = undefined;
    onChange();
  };
  const fromEvent = (event: Event) => {
    announced = event instanceof CustomEvent && typeof event.detail === "string" ? event.detail : null;
    onChange();
  };
  const clear = () => {
    announced = null;
    searchWords = null;
    clearHighlight();
    onChange();
  };
  // Capture: a field that handles Esc itself (the search box clears its text) must not hide it from us.
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape" && document.querySelector('[data-highlighted="true"]')) clear();
  };
  window.addEventListener("hashchange", fromLocation);
  window.addEventListener("popstate", fromLocation);
  window.addEventListener(STEP_ANCHOR_EVENT, fromEvent);
  window.addEventListener(CLEAR_STEP_HIGHLIGHT_EVENT, clear);
  window.addEventListener("keydown", onKey, true);
  return () => {
    window.removeEventListener("hashchange", fromLocation);
    window.removeEventListener("popstate", fromLocation);
    window.removeEventListener(STEP_ANCHOR_EVENT, fromEvent);
    window.removeEventListener(CLEAR_STEP_HIGHLIGHT_EVENT, clear);
    window.removeEventListener("keydown", onKey, true);
  };
}

/** The linked step, live; null on the server (a fragment never reaches it). */
export function useHashStepId(): string | null {
  // A thread opened afresh follows its own URL, not what was announced on the thread before it.
  useEffect(
    () => () => {
      announced = undefined;
    },
    [],
  );
  return useSyncExternalStore(
    subscribe,
    () => (announced !== undefined ? announced : stepIdFromHash(window.location.hash)),
    () => null,
  );
}

/** How long a linked step's words are looked for while its Markdown is still being drawn (lazy-markdown.tsx). */
const MARKS_WAIT_MS = 3_000;

/**
 * Once `ready` (the step is drawn), scrolls the linked step into view and highlights it, once per step id. Opened
 * from a search, the search's words are marked in it and the first is scrolled to the middle; otherwise the step is,
 * or its top when it is taller than the view (its middle would hide where it starts).
 */
export function useStepAnchor(stepId: string | null, ready = true) {
  useEffect(() => {
    if (!stepId || !ready) return;
    const element = document.getElementById(stepElementId(stepId));
    if (!element) return;
    clearHighlight();
    element.setAttribute("data-highlighted", "true");
    const behavior = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
    const query = searchWords;
    const markWords = () => (query ? firstMarkElement(markSearchWords(element, query)) : null);
    let stopHolding = () => {};
    const goTo = (target: Element, block: ScrollLogicalPosition) => {
      stopHolding();
      target.scrollIntoView({ block, behavior });
      stopHolding = holdInView(target, block);
    };
    const word = markWords();
    if (word) {
      goTo(word, "center");
      return () => stopHolding();
    }
    goTo(element, element.offsetHeight > window.innerHeight * 0.8 ? "start" : "center");
    if (!query) return () => stopHolding();
    // Markdown the server did not render arrives a moment later: mark (and go to) its words when they are drawn.
    const observer = new MutationObserver(() => {
      const found = markWords();
      if (!found) return;
      observer.disconnect();
      goTo(found, "center");
    });
    observer.observe(element, { childList: true, subtree: true, characterData: true });
    const stop = window.setTimeout(() => observer.disconnect(), MARKS_WAIT_MS);
    return () => {
      observer.disconnect();
      window.clearTimeout(stop);
      stopHolding();
    };
  }, [stepId, ready]);
}
