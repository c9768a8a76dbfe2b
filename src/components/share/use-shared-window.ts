"use client";

import { useState } from "react";
import { mergeThreadWindows, type ThreadWindowLike } from "@/lib/shared/thread/thread-window-merge";
import { api } from "@/trpc/react";
import { useHashStepId, useStepAnchor } from "@/components/thread/window/use-step-anchor";
import { useTurnPages } from "@/components/thread/window/use-turn-pages";

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
  const stepId = useHashStepId();
  const threadId = initial.id;
  const stepLoaded = Boolean(stepId && block.steps.some((step) => step.id === stepId));

  const { loading, failed, loadOlder, loadNewer } = useTurnPages({
    anchorRef,
    fetchPage: (input) => utils.share.turns.fetch({ threadId, ...input }, { staleTime: 0, gcTime: 0 }),
    apply: (page) => setBlock((old) => joinBlocks(old, page as unknown as T)),
    olderCursor: block.window.olderCursor,
    newerCursor: block.window.newerCursor,
    positionKey: block.window.start,
    fetchStep: stepId && !stepLoaded ? stepId : null,
  });
  useStepAnchor(stepId, stepLoaded);

  return { block, loading, failed, loadOlder, loadNewer };
}

/** A page that touches the block extends it; a linked step's block elsewhere replaces it. */
function joinBlocks<T extends ThreadWindowLike>(old: T, next: T): T {
  const touch = next.window.start <= old.window.end && old.window.start <= next.window.end;
  return touch ? mergeThreadWindows(old, next) : next;
}
