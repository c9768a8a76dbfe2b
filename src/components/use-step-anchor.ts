"use client";

import { useEffect, useSyncExternalStore } from "react";

/**
 * Links to one message: `/threads/{id}#step-{stepId}` (search results open these). Every drawn step carries
 * `id="step-{stepId}"`; the linked one, once it is on screen, is scrolled to the middle and marked
 * `data-highlighted="true"` (the CSS draws the mark). Where the step comes from (the loaded turns, or a window the
 * thread view fetches around it first) is the caller's business: this file only finds, scrolls and marks.
 */
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

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  window.addEventListener("popstate", onChange);
  return () => {
    window.removeEventListener("hashchange", onChange);
    window.removeEventListener("popstate", onChange);
  };
}

/** The step the address names, live; null on the server (a fragment never reaches it). */
export function useHashStepId(): string | null {
  return useSyncExternalStore(
    subscribe,
    () => stepIdFromHash(window.location.hash),
    () => null,
  );
}

/** Once `ready` (the step is drawn), scrolls the linked step into view and highlights it, once per step id. */
export function useStepAnchor(stepId: string | null, ready = true) {
  useEffect(() => {
    if (!stepId || !ready) return;
    const element = document.getElementById(stepElementId(stepId));
    if (!element) return;
    document.querySelectorAll('[data-highlighted="true"]').forEach((other) => other.removeAttribute("data-highlighted"));
    element.setAttribute("data-highlighted", "true");
    element.scrollIntoView({ block: "center" });
  }, [stepId, ready]);
}
