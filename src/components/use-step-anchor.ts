"use client";

import { useEffect } from "react";

/**
 * Scrolls to the step a link names (`/threads/{id}#step-{stepId}`, from a search hit) and highlights it until Esc,
 * the next search or the next anchor. Contract with the thread view (also used by long-thread windowing): every
 * rendered step has `id="step-{stepId}"`, and the highlighted one carries `data-highlighted="true"`.
 *
 * `ready` changes when the thread's steps have rendered (e.g. their count), so a hash present on the first load
 * is applied once there is something to scroll to. A hit on the thread already open changes only the hash, which
 * the router does with pushState (no `hashchange`), so the search also announces it with STEP_ANCHOR_EVENT, whose
 * `detail` is the step id.
 */
export const STEP_ANCHOR_EVENT = "threadbook:step-anchor";
export const CLEAR_STEP_HIGHLIGHT_EVENT = "threadbook:clear-step-highlight";

const PREFIX = "#step-";
/** How long a step that is not rendered yet (still loading, or outside a window) is waited for. */
const WAIT_MS = 3_000;

function clearHighlight() {
  for (const element of document.querySelectorAll('[data-highlighted="true"]')) element.removeAttribute("data-highlighted");
}

export function stepIdFromHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    return decodeURIComponent(hash.slice(PREFIX.length)) || null;
  } catch {
    return null;
  }
}

export function useStepAnchor(ready: unknown): void {
  useEffect(() => {
    let frame = 0;
    let stopAt = 0;
    const apply = (event?: Event) => {
      cancelAnimationFrame(frame);
      // The event names the step itself: the router may not have put the new hash in the URL yet.
      const named = event instanceof CustomEvent && typeof event.detail === "string" ? event.detail : null;
      const stepId = named ?? stepIdFromHash(window.location.hash);
      if (!stepId) return;
      stopAt = performance.now() + WAIT_MS;
      const attempt = () => {
        const target = document.getElementById(`step-${stepId}`);
        if (!target) {
          if (performance.now() < stopAt) frame = requestAnimationFrame(attempt);
          return;
        }
        clearHighlight();
        target.setAttribute("data-highlighted", "true");
        const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        target.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
      };
      attempt();
    };
    const clear = () => {
      cancelAnimationFrame(frame);
      clearHighlight();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && document.querySelector('[data-highlighted="true"]')) clear();
    };
    apply();
    window.addEventListener("hashchange", apply);
    window.addEventListener(STEP_ANCHOR_EVENT, apply);
    window.addEventListener(CLEAR_STEP_HIGHLIGHT_EVENT, clear);
    // Capture: a field that handles Esc itself (the search box clears its text) must not hide it from us.
    window.addEventListener("keydown", onKey, true);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener("hashchange", apply);
      window.removeEventListener(STEP_ANCHOR_EVENT, apply);
      window.removeEventListener(CLEAR_STEP_HIGHLIGHT_EVENT, clear);
      window.removeEventListener("keydown", onKey, true);
    };
  }, [ready]);
}
