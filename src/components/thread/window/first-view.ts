import { buildStepTree, type StepNode, type TreeStepLike } from "@/lib/shared/thread/build-step-tree";

/**
 * How many of a thread's newest turns the page draws on the server and hydrates with it. The rest of the first
 * window (up to 20 turns) is drawn by the browser once the page is up and the Markdown code is in
 * (use-thread-window.ts): everything after the newest turn in the HTML, and every row of the RSC payload, is read
 * before React can hydrate that turn, and those turns are above the view anyway (docs/long-threads.md, "The first
 * view"). Three turns fill a tall screen; a short thread (WHOLE_WINDOW_TURNS) is drawn whole.
 */
export const FIRST_DRAWN_TURNS = 3;

/** A first window of this many turns or fewer is drawn whole by the server: small, and then nothing moves after load. */
export const WHOLE_WINDOW_TURNS = 8;

/** The turns (roots of the step tree) of the first window that wait for the browser: all but the newest, if many. */
export function olderTurnsOfFirstWindow<S extends TreeStepLike>(roots: readonly StepNode<S>[]): StepNode<S>[] {
  return roots.length <= WHOLE_WINDOW_TURNS ? [] : roots.slice(0, roots.length - FIRST_DRAWN_TURNS);
}

/** The ids of every step in the newest turns: what the server draws, so what it pre-renders Markdown for. */
export function newestTurnStepIds<S extends TreeStepLike>(steps: readonly S[]): Set<string> {
  const roots = buildStepTree(steps);
  const ids = new Set<string>();
  const add = (node: StepNode<S>) => {
    ids.add(node.step.id);
    node.children.forEach(add);
  };
  roots.slice(olderTurnsOfFirstWindow(roots).length).forEach(add);
  return ids;
}
