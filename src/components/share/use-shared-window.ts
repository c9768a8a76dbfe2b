"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { mergeThreadWindows, type ThreadWindowLike } from "@/lib/shared/thread-window-merge";
import { api } from "@/trpc/react";
import { loadMarkdown } from "@/components/thread/lazy-markdown";
import { useHashStepId, useStepAnchor } from "@/components/thread/use-step-anchor";
import { scrollerOf } from "@/components/thread/use-thread-window";

/**
 * The turns a long share shows, and how more arrive (docs/sharing.md, "Long shares"). The page opens with the first
 * turns of the snapshot, where a reader of a shared conversation starts, and holds one block of turns:
 * - nearing the block's end (or the Show more button) loads the next turns (`newerCursor`);
 * - a `#step-…` link whose step is not loaded fetches the turns around it, then scrolls to it and marks it; that block
 *   may start after the first turn, and nearing its top loads the turns before, keeping the reading position.
 * A snapshot never changes, so the block is only ever extended (or replaced by a linked step's block).
 */
export function useSharedWindow<T extends ThreadWindowLike & { id: string }>(initial: T, anchorRef: React.RefObject<HTMLElement | null>) {
  const utils = api.useUtils();
  const [block, setBlock] = useState(initial);
  const [loading, setLoading] = useState<"older" | "newer" | "step" | null>(null);
  const [failed, setFailed] = useState(false);
  // Distance from the content's bottom to the view's top, taken before older turns go in above.
  const keepFromBottom = useRef<number | null>(null);
  const stepId = useHashStepId();
  const requested = useRef(new Set<string>());
  const threadId = initial.id;
  const stepLoaded = Boolean(stepId && block.steps.some((step) => step.id === stepId));

  const load = useCallback(
    async (kind: "older" | "newer" | "step", input: { cursor: string } | { stepId: string }) => {
      setLoading(kind);
      setFailed(false);
      try {
        // The server rendered the first window's Markdown only: the code for these turns comes with them.
        const [page] = await Promise.all([utils.share.turns.fetch({ threadId, ...input }, { staleTime: 0, gcTime: 0 }), loadMarkdown().catch(() => undefined)]);
        if (kind === "older") {
          const scroller = scrollerOf(anchorRef.current);
          if (scroller) keepFromBottom.current = scroller.scrollHeight - scroller.scrollTop;
        }
        setBlock((old) => joinBlocks(old, page as unknown as T));
      } catch {
        // A stale cursor (the share changed, or the server restarted with a new key), a limit or no network: the
        // reader can retry, or reload.
        setFailed(true);
      } finally {
        setLoading(null);
      }
    },
    [utils, threadId, anchorRef],
  );

  const { olderCursor, newerCursor } = block.window;
  const loadOlder = useCallback(() => {
    if (olderCursor && !loading) void load("older", { cursor: olderCursor });
  }, [olderCursor, loading, load]);
  const loadNewer = useCallback(() => {
    if (newerCursor && !loading) void load("newer", { cursor: newerCursor });
  }, [newerCursor, loading, load]);

  // Older turns went in above: put the view back over what the reader was looking at.
  const start = block.window.start;
  useLayoutEffect(() => {
    const scroller = scrollerOf(anchorRef.current);
    if (keepFromBottom.current === null || !scroller) return;
    scroller.scrollTop = scroller.scrollHeight - keepFromBottom.current;
    keepFromBottom.current = null;
  }, [start, anchorRef]);

  // A linked step that is not loaded: fetch the turns around it (once per step id).
  useEffect(() => {
    if (!stepId || stepLoaded || requested.current.has(stepId)) return;
    requested.current.add(stepId);
    void load("step", { stepId });
  }, [stepId, stepLoaded, load]);
  useStepAnchor(stepId, stepLoaded);

  return { block, loading, failed, loadOlder, loadNewer };
}

/** A page that touches the block extends it; a linked step's block elsewhere replaces it. */
function joinBlocks<T extends ThreadWindowLike>(old: T, next: T): T {
  const touch = next.window.start <= old.window.end && old.window.start <= next.window.end;
  return touch ? mergeThreadWindows(old, next) : next;
}
