/**
 * The client keeps one block of a long thread's turns in the `threads.get` cache (docs/long-threads.md): the window
 * the thread opened with, grown by the pages loaded while scrolling. Every write to that cache (a refetch, a page,
 * a thumb's optimistic edit) goes through `mergeThreadWindows`, so a refetch of the latest turns keeps the older
 * pages already on screen, and edits made anywhere in the block stay. Pure: the tests feed it windows directly.
 */
import { buildStepTree } from "./build-step-tree";

export interface WindowPosition {
  /** First turn of the block, and one past its last, in the thread's turns. */
  start: number;
  end: number;
  total: number;
  messages: number;
  olderCursor: string | null;
  /** null when the block ends at the thread's newest turn. */
  newerCursor: string | null;
  /**
   * Said by a block that ends at the newest turn when that turn's reply is open (server/chat/open-reply.ts): still
   * being written, or cut off by a server that died mid-reply (the view then offers Retry). Absent once it has ended.
   */
  openReply?: "writing" | "cut-off";
}

export interface ThreadWindowLike {
  steps: readonly { id: string; parentId?: string | null }[];
  elements: readonly { id: string; forId?: string | null }[];
  window: WindowPosition;
}

const replacements = new WeakSet<object>();

/**
 * Marks a block written to the cache as the whole truth, taken as it is rather than merged: the block without steps
 * the server removed (a regenerated reply), which a merge would otherwise keep as "steps next lacks".
 */
export function asReplacement<T extends ThreadWindowLike>(data: T): T {
  replacements.add(data);
  return data;
}

/** Whether the block reaches the newest turn (otherwise it was opened around a linked message). */
export const isLatest = (data: Pick<ThreadWindowLike, "window">) => data.window.newerCursor === null;

/**
 * `next` over `old`: when the two blocks touch or overlap they become one (next's copy of a step wins, old's steps
 * that next lacks stay, each cursor from the block that reaches further). When they do not: a block opened around a
 * link stays while the latest turns refetch under it (the reader is looking at it; only the counts update), and any
 * other gap (more new turns than one window since the last read) is closed by taking `next`.
 */
export function mergeThreadWindows<T extends ThreadWindowLike>(old: T | undefined, next: T): T {
  if (!old || !old.window || !next.window || old === next || replacements.has(next)) return next;
  const o = old.window;
  const n = next.window;
  const touch = n.start <= o.end && o.start <= n.end;
  if (!touch) {
    if (!isLatest(old) && isLatest(next)) return { ...old, window: { ...o, total: n.total, messages: n.messages } };
    return next;
  }
  const stepIds = new Set(next.steps.map((s) => s.id));
  const elementIds = new Set(next.elements.map((e) => e.id));
  const removed = removedFrom(old, stepIds, isLatest(next));
  const keptSteps = old.steps.filter((s) => !stepIds.has(s.id) && !removed.has(s.id));
  const keptElements = old.elements.filter((e) => !elementIds.has(e.id) && !(e.forId && removed.has(e.forId)));
  if (keptSteps.length === 0 && keptElements.length === 0 && n.start <= o.start && n.end >= o.end) return next;
  const older = o.start < n.start ? o : n;
  // A block that runs to the newest turn ends where the thread now ends, which is earlier than before after an edit.
  const newer = o.end > n.end && !isLatest(next) ? o : n;
  // The newest reply's state belongs with the block's newer end, as its cursor does: an older page says nothing of it.
  const { openReply: _openReply, ...place } = n;
  return {
    ...next,
    steps: [...keptSteps, ...next.steps],
    elements: [...keptElements, ...next.elements],
    window: { ...place, start: older.start, olderCursor: older.olderCursor, end: newer.end, newerCursor: newer.newerCursor, ...(newer.openReply ? { openReply: newer.openReply } : {}) },
  };
}

/**
 * The steps of `old` that the server has removed since: a window carries its turns whole (docs/long-threads.md), so
 * a step missing from `next` whose turn's root step is in `next` is gone there (a regenerated reply, in another tab
 * too). And `next` is one unbroken run of turns: a turn of `old` between two turns `next` holds (or after the first of
 * them, when `next` runs to the newest turn) that `next` lacks is gone too (the later turns an edit removed). A root
 * before the first turn `next` holds is a turn `next` does not cover (an older page) and stays.
 */
function removedFrom(old: ThreadWindowLike, nextIds: ReadonlySet<string>, nextIsLatest: boolean): Set<string> {
  const parents = new Map(old.steps.map((s) => [s.id, s.parentId ?? null]));
  const rootOf = (id: string) => {
    // Bounded: a parent cycle written by another app must not hang the tab.
    for (let step = id, hops = 0; hops < 64; hops++) {
      const parent = parents.get(step);
      if (!parent || !parents.has(parent) || parent === id) return step;
      step = parent;
    }
    return id;
  };
  const goneTurns = turnsGone(old, nextIds, nextIsLatest);
  return new Set(old.steps.filter((s) => !nextIds.has(s.id) && ((s.parentId && nextIds.has(rootOf(s.id))) || goneTurns.has(rootOf(s.id)))).map((s) => s.id));
}

/** The roots of `old`'s turns that lie within the run of turns `next` covers and that `next` lacks. */
function turnsGone(old: ThreadWindowLike, nextIds: ReadonlySet<string>, nextIsLatest: boolean): Set<string> {
  const roots = buildStepTree(old.steps).map((root) => root.step.id);
  const first = roots.findIndex((id) => nextIds.has(id));
  if (first === -1) return new Set();
  const end = nextIsLatest ? roots.length : roots.findLastIndex((id) => nextIds.has(id)) + 1;
  return new Set(roots.slice(first, end).filter((id) => !nextIds.has(id)));
}
