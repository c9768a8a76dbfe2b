"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { loadMarkdown } from "../markdown/lazy-markdown";

type PageInput = { cursor: string } | { stepId: string };
export type TurnPageKind = "older" | "newer" | "step";

/** The thread page's scroll container (app-shell.tsx); the document when the shell is not there. */
export function scrollerOf(element: HTMLElement | null): HTMLElement | null {
  return element?.closest<HTMLElement>(".main-pane") ?? (document.scrollingElement as HTMLElement | null);
}

/**
 * How a block of turns grows, for the owner's thread page and a share page alike (docs/long-threads.md): a page of
 * turns is fetched with the Markdown code that draws it, older turns go in above without moving what the reader
 * sees, and a `#step-…` link whose step is not loaded fetches the turns around it, once per step id.
 *
 * - `fetchPage` asks the server for a page (by cursor, or around a step); `apply` puts it into the block.
 * - `positionKey` changes whenever turns went in above (the block's start); the reading position is put back then.
 * - `fetchStep`: a linked step to fetch (null when there is none, it is loaded, or the block is not there yet).
 */
export function useTurnPages<P>(options: {
  anchorRef: React.RefObject<HTMLElement | null>;
  fetchPage: (input: PageInput) => Promise<P>;
  apply: (page: P) => void;
  olderCursor: string | null;
  newerCursor: string | null;
  positionKey: unknown;
  fetchStep: string | null;
}) {
  const { anchorRef, olderCursor, newerCursor, positionKey, fetchStep } = options;
  const [loading, setLoading] = useState<TurnPageKind | null>(null);
  const [failed, setFailed] = useState(false);
  // Distance from the content's bottom to the view's top, taken before older turns go in above.
  const keepFromBottom = useRef<number | null>(null);
  const requested = useRef(new Set<string>());
  // The callers' functions change every render; the loaders below need not.
  const io = useRef(options);
  useLayoutEffect(() => {
    io.current = options;
  });

  /** Call before turns go in above what the reader sees: the next `positionKey` change puts the view back. */
  const keepPosition = useCallback(() => {
    const scroller = scrollerOf(anchorRef.current);
    if (scroller) keepFromBottom.current = scroller.scrollHeight - scroller.scrollTop;
  }, [anchorRef]);

  const load = useCallback(
    async (kind: TurnPageKind, input: PageInput) => {
      setLoading(kind);
      setFailed(false);
      try {
        // The server rendered only the first window's Markdown: the code that draws these turns comes with the page,
        // so they are drawn once, at their final height, and the reading position kept below holds.
        const [page] = await Promise.all([io.current.fetchPage(input), loadMarkdown().catch(() => undefined)]);
        if (kind === "older") keepPosition();
        io.current.apply(page);
      } catch {
        // A stale cursor (the turn it pointed at is gone, the share changed, or the server restarted with a new key),
        // a limit or no network: the reader can retry by scrolling, or reload.
        setFailed(true);
      } finally {
        setLoading(null);
      }
    },
    [keepPosition],
  );

  const loadOlder = useCallback(() => {
    if (olderCursor && !loading) void load("older", { cursor: olderCursor });
  }, [olderCursor, loading, load]);
  const loadNewer = useCallback(() => {
    if (newerCursor && !loading) void load("newer", { cursor: newerCursor });
  }, [newerCursor, loading, load]);

  // Turns went in above: put the view back over what the reader was looking at.
  useLayoutEffect(() => {
    const scroller = scrollerOf(anchorRef.current);
    if (keepFromBottom.current === null || !scroller) return;
    scroller.scrollTop = scroller.scrollHeight - keepFromBottom.current;
    keepFromBottom.current = null;
  }, [positionKey, anchorRef]);

  // A linked step that is not loaded: fetch the turns around it (once per step id).
  useEffect(() => {
    if (!fetchStep || requested.current.has(fetchStep)) return;
    requested.current.add(fetchStep);
    void load("step", { stepId: fetchStep });
  }, [fetchStep, load]);

  return { loading, failed, loadOlder, loadNewer, keepPosition };
}
