"use client";

import { STEP_ANCHOR_EVENT, rememberSearchWords } from "@/components/thread/window/use-step-anchor";

/** The sidebar list's id while it shows search results (the search box controls it). */
export const SEARCH_RESULTS_ID = "search-results";
export const searchHitId = (index: number) => `search-hit-${index}`;

/** What the search box drives from the keyboard (↑/↓/Enter) while results are shown. */
export interface SearchNavigation {
  count: number;
  open(index: number): void;
}

/** A search hit opens at its message: `/threads/{id}#step-{stepId}` (use-step-anchor.ts scrolls and highlights). */
export const hitHref = (hit: { id: string; stepId?: string | null }) =>
  `/threads/${encodeURIComponent(hit.id)}${hit.stepId ? `#step-${encodeURIComponent(hit.stepId)}` : ""}`;

/**
 * A hit of the search for `query` is being opened. On the thread already open only the hash changes, which fires no
 * hashchange: tell the anchor hook which step. Either way it marks the query's words there.
 */
export const announceStepAnchor = (stepId: string | null | undefined, query: string) => {
  if (!stepId) return;
  rememberSearchWords(query);
  requestAnimationFrame(() => window.dispatchEvent(new CustomEvent(STEP_ANCHOR_EVENT, { detail: stepId })));
};
