"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { READER_MOVED_ATTRIBUTE } from "@/lib/shared/early-scripts/scroll-to-latest-script";
import { isLatest } from "@/lib/shared/thread/thread-window-merge";
import { api } from "@/trpc/react";
import { loadMarkdown } from "../markdown/lazy-markdown";
import { useHashStepId, useStepAnchor } from "./use-step-anchor";
import { scrollerOf, useTurnPages } from "./use-turn-pages";
import type { ThreadDetail } from "@/trpc/use-thread-cache";

/** Within this many pixels of the bottom counts as "at the latest turn" (no Jump button). */
const NEAR_BOTTOM_PX = 160;

/**
 * The turns a long thread shows, and how more arrive (docs/long-threads.md). The `threads.get` cache holds one
 * block of turns (lib/shared/thread/thread-window-merge.ts merges every write into it):
 * - opening: the latest turns, scrolled to the bottom before the first paint; the server draws only the newest few
 *   (first-view.ts) and the rest of the first window is drawn here once the Markdown code is in (`olderDrawn`),
 *   keeping the reading position, before older pages can load;
 * - scrolling near the top loads the page before (`olderCursor`) and keeps the reading position: what was on screen
 *   stays where it was, however tall the new turns are;
 * - a `#step-…` link whose step is not loaded fetches the turns around it, then the anchor hook scrolls to it and
 *   highlights it; that block may stop short of the newest turn, and scrolling near its bottom loads newer pages;
 * - `jumpToLatest` goes back to the newest turns (the Jump button, and sending a message from an older block).
 */
export function useThreadWindow(threadId: string, data: ThreadDetail | undefined, anchorRef: React.RefObject<HTMLElement | null>) {
  const utils = api.useUtils();
  const [awayFromBottom, setAwayFromBottom] = useState(false);
  const stickToBottom = useRef(false);
  // The first window's older turns: drawn by the browser, once, at their final height (first-view.ts).
  const [olderDrawn, setOlderDrawn] = useState(false);
  const stepId = useHashStepId();

  const start = data?.window.start ?? 0;
  const stepLoaded = Boolean(stepId && data?.steps.some((s) => s.id === stepId));

  const { loading, failed, loadOlder, loadNewer, keepPosition } = useTurnPages({
    anchorRef,
    fetchPage: (input) => utils.threads.turns.fetch({ threadId, ...input }, { staleTime: 0, gcTime: 0 }),
    apply: (page) => utils.threads.get.setData({ threadId }, page),
    olderCursor: data?.window.olderCursor ?? null,
    newerCursor: data?.window.newerCursor ?? null,
    positionKey: `${start}:${olderDrawn}`,
    fetchStep: stepId && !stepLoaded && data ? stepId : null,
  });
  const olderCursor = data?.window.olderCursor ?? null;
  const newerCursor = data?.window.newerCursor ?? null;

  // Once the page is up: the Markdown code (the older turns of the first window need it, and so do older pages and
  // the next reply), then those turns, drawn above what the reader sees without moving it.
  useEffect(() => {
    let live = true;
    const draw = () => {
      if (!live) return;
      keepPosition();
      setOlderDrawn(true);
    };
    loadMarkdown().then(draw, draw);
    return () => {
      live = false;
    };
  }, [keepPosition]);

  // Opening the thread: at the newest turn, before the first paint, and kept there while late layout settles (about a
  // second) until the reader scrolls, types or clicks. A link to a step scrolls there instead.
  useLayoutEffect(() => {
    const scroller = scrollerOf(anchorRef.current);
    // The reader already scrolled (or typed, or clicked) before hydration: they stay where they went. The mark is
    // taken away, so the next thread opened in this tab starts at its newest turn again.
    const moved = document.documentElement.hasAttribute(READER_MOVED_ATTRIBUTE);
    document.documentElement.removeAttribute(READER_MOVED_ATTRIBUTE);
    if (!scroller || hasStepHash() || moved) return;
    return followBottom(scroller);
  }, [anchorRef]);

  // After Jump to latest, once the newest turns are in: followed like an opening, since the block just drawn settles
  // its layout after this (a one-off scroll landed short of the newest turn on a busy machine). A refetch that
  // changes `data` meanwhile must not cut the following short, so its end is kept apart from this effect's.
  const latest = data ? isLatest(data) : true;
  const stopFollowing = useRef<(() => void) | null>(null);
  useLayoutEffect(() => {
    const scroller = scrollerOf(anchorRef.current);
    if (!latest || !stickToBottom.current || !scroller) return;
    stickToBottom.current = false;
    stopFollowing.current?.();
    stopFollowing.current = followBottom(scroller);
  }, [latest, data, anchorRef]);
  useEffect(() => () => stopFollowing.current?.(), []);

  // A linked step among the first window's older turns is drawn with them.
  useStepAnchor(stepId, stepLoaded && olderDrawn);

  // The Jump button shows when the reader is away from the newest turn.
  useEffect(() => {
    const scroller = scrollerOf(anchorRef.current);
    if (!scroller) return;
    const onScroll = () => setAwayFromBottom(scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight > NEAR_BOTTOM_PX);
    onScroll();
    scroller.addEventListener("scroll", onScroll, { passive: true });
    return () => scroller.removeEventListener("scroll", onScroll);
  }, [anchorRef]);

  const jumpToLatest = useCallback(() => {
    // The link is done with: coming back to this page should not fetch its window again.
    if (hasStepHash()) history.replaceState(history.state, "", window.location.pathname + window.location.search);
    const scroller = scrollerOf(anchorRef.current);
    if (data && isLatest(data)) {
      scroller?.scrollTo({ top: scroller.scrollHeight });
      return;
    }
    // An older block: start again from the latest window (a reset drops the block; the refetch brings the end).
    stickToBottom.current = true;
    void utils.threads.get.reset({ threadId });
  }, [anchorRef, data, utils, threadId]);

  return {
    loadOlder,
    loadNewer,
    loading,
    failed,
    // Older pages go above the first window's older turns: none before those are drawn.
    olderCursor: olderDrawn ? olderCursor : null,
    newerCursor,
    showJump: awayFromBottom || !latest,
    jumpToLatest,
    latest,
    olderDrawn,
  };
}

/**
 * Keeps the pane at its bottom for about a second of frames while late layout (Markdown, tables, images) settles,
 * until the reader's first wheel, touch, key or click. Returns its stop.
 */
function followBottom(scroller: HTMLElement): () => void {
  scroller.scrollTop = scroller.scrollHeight;
  let frames = 60;
  let frame = requestAnimationFrame(function follow() {
    scroller.scrollTop = scroller.scrollHeight;
    if (--frames > 0) frame = requestAnimationFrame(follow);
  });
  const inputs = ["wheel", "touchstart", "keydown", "pointerdown"] as const;
  const stop = () => {
    cancelAnimationFrame(frame);
    inputs.forEach((type) => window.removeEventListener(type, stop, { capture: true }));
  };
  inputs.forEach((type) => window.addEventListener(type, stop, { capture: true, once: true }));
  return stop;
}

function hasStepHash(): boolean {
  return window.location.hash.startsWith("#step-");
}

/**
 * Calls `onVisible` when `target` comes within a screen or so of the view (pages load before they are reached).
 * `cursor` renews the watch after each page: a target still in range then fires again. null: nothing to load.
 * The view is the app shell's pane, or the viewport on a page without the shell (a share page, which scrolls the
 * document): the implicit root, rather than the document's element as an explicit one.
 */
export function useNearView(target: React.RefObject<HTMLElement | null>, onVisible: () => void, cursor: string | null) {
  const callback = useRef(onVisible);
  useLayoutEffect(() => {
    callback.current = onVisible;
  });
  useEffect(() => {
    const element = target.current;
    if (!cursor || !element) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && callback.current(), {
      root: element.closest<HTMLElement>(".main-pane"),
      rootMargin: "800px 0px",
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [target, cursor]);
}
