/**
 * Chainlit's steps arrive flat (`parentId` links them) and, from older or third-party writers, imperfect: parents
 * that were never written, a step that names itself or a descendant as parent, duplicate ids, no `createdAt`.
 * This turns them into a tree without losing a step: an unknown parent or a cycle makes the step a root.
 * Pure, so the tests feed it broken data directly.
 */
import { timestampMicros } from "@/data/timestamps";

export interface TreeStepLike {
  id: string;
  parentId?: string | null;
  type?: string | null;
  createdAt?: string | null;
  start?: string | null;
  isError?: boolean | null;
}

export interface StepNode<S> {
  step: S;
  children: StepNode<S>[];
  depth: number;
}

/**
 * The moment a step sorts by, in microseconds (Chainlit's and Threadbook's steps differ in the µs digits only):
 * createdAt, else start, else NaN (filled in from its predecessor below).
 */
function timeOf(step: TreeStepLike): number {
  return timestampMicros(step.createdAt) ?? timestampMicros(step.start) ?? Number.NaN;
}

/**
 * Steps in display order. A step without a time keeps its place after the step before it in the input (the layer
 * returns steps in write order), so the comparator stays a total order: (time, input index).
 */
export function sortSteps<S extends TreeStepLike>(steps: readonly S[]): S[] {
  let last = Number.NEGATIVE_INFINITY;
  const keyed = steps.map((step, index) => {
    const own = timeOf(step);
    if (Number.isFinite(own)) last = own;
    return { step, index, time: Number.isFinite(own) ? own : last };
  });
  keyed.sort((a, b) => a.time - b.time || a.index - b.index);
  return keyed.map((k) => k.step);
}

export function buildStepTree<S extends TreeStepLike>(steps: readonly S[]): StepNode<S>[] {
  // Duplicate ids: the first one wins, so a repeated item cannot make a step appear twice.
  const byId = new Map<string, S>();
  for (const step of steps) if (step && typeof step.id === "string" && !byId.has(step.id)) byId.set(step.id, step);
  const ordered = sortSteps([...byId.values()]);
  // Steps by their place in time order from here on: the walks below read and mark arrays, not maps keyed by id
  // (a 10,000-step thread is cut into turns on every view and page of it, and map lookups were most of the cost).
  const indexOf = new Map<string, number>();
  ordered.forEach((step, index) => indexOf.set(step.id, index));
  const parent = new Int32Array(ordered.length);
  ordered.forEach((step, index) => {
    const p = step.parentId;
    parent[index] = p && p !== step.id ? (indexOf.get(p) ?? -1) : -1;
  });
  // Break every cycle at its earliest step, which becomes a root: the conversation still reads in time order.
  // A step known to lead to a root still does after any break (a break only cuts links), so walks stop there:
  // each step is walked once, not once per step below it.
  const UNKNOWN = 0;
  const LEADS_TO_ROOT = 1;
  const ON_PATH = 2;
  const state = new Uint8Array(ordered.length);
  const path: number[] = [];
  for (let index = 0; index < ordered.length; index++) {
    for (;;) {
      path.length = 0;
      let current = index;
      while (current !== -1 && state[current] === UNKNOWN) {
        state[current] = ON_PATH;
        path.push(current);
        current = parent[current]!;
      }
      if (current === -1 || state[current] === LEADS_TO_ROOT) {
        for (const step of path) state[step] = LEADS_TO_ROOT;
        break;
      }
      // A cycle: its earliest step (the lowest index) loses its parent, and the walk starts again.
      parent[path.slice(path.indexOf(current)).reduce((a, b) => Math.min(a, b))] = -1;
      for (const step of path) state[step] = UNKNOWN;
    }
  }

  // Depths, without recursion (the parent links are acyclic now): each step's chain is walked up to a step whose
  // depth is known, then filled in going down. A step that would sit deeper than STEP_TREE_MAX_DEPTH goes beside its
  // parent instead, so every walk of the tree (here, the views, the export, a turn's history) recurses a bounded depth.
  const depth = new Int32Array(ordered.length).fill(-1);
  for (let index = 0; index < ordered.length; index++) {
    path.length = 0;
    for (let current = index; current !== -1 && depth[current] === -1; current = parent[current]!) path.push(current);
    for (let i = path.length - 1; i >= 0; i--) {
      const step = path[i]!;
      const up = parent[step]!;
      if (up === -1) depth[step] = 0;
      else if (depth[up]! >= STEP_TREE_MAX_DEPTH) {
        parent[step] = parent[up]!;
        depth[step] = depth[up]!;
      } else depth[step] = depth[up]! + 1;
    }
  }
  const nodes = ordered.map((step, index): StepNode<S> => ({ step, children: [], depth: depth[index]! }));
  const roots: StepNode<S>[] = [];
  nodes.forEach((node, index) => (parent[index] === -1 ? roots : nodes[parent[index]!]!.children).push(node));
  return roots;
}

/**
 * How deep steps nest, at most (a root is 0). Chainlit nests an agent's steps a few levels deep; a writer can nest
 * them without end (a chain of 20,000 steps, each the parent of the next), and every walk of the tree recursed once per
 * level: the stack overflowed, and the thread page, its share page, its history for the next turn and the whole
 * account's export failed (docs/security.md, "Step trees"). Deeper steps are shown at this depth, in time order.
 */
export const STEP_TREE_MAX_DEPTH = 32;

/**
 * The steps in reading order: each step, then what is nested under it (depth first, by time). A turn stored as
 * Chainlit stores it (user_message → run → assistant_message) reads question, then answer, even when the question
 * carries a later time than its answer (Chainlit stamps user messages with the browser's clock).
 */
export function conversationOrder<S extends TreeStepLike>(steps: readonly S[]): S[] {
  const out: S[] = [];
  walk(buildStepTree(steps), (node) => out.push(node.step));
  return out;
}

function walk<S>(nodes: readonly StepNode<S>[], visit: (node: StepNode<S>) => void) {
  for (const node of nodes) {
    visit(node);
    walk(node.children, visit);
  }
}

/**
 * Where the thumbs go (docs/chainlit.md, "Where the thumbs go"): feedback is stored on the RUN step and shown under that run's
 * last assistant message. A thread without run steps (other writers) rates each assistant message itself.
 * Returns assistant-message id → the step that carries the feedback.
 */
export function feedbackTargets<S extends TreeStepLike>(roots: readonly StepNode<S>[]): Map<string, S> {
  const targets = new Map<string, S>();
  let hasRun = false;
  walk(roots, (node) => {
    if (node.step.type === "run") hasRun = true;
  });
  if (!hasRun) {
    walk(roots, (node) => {
      if (node.step.type === "assistant_message") targets.set(node.step.id, node.step);
    });
    return targets;
  }
  // The last assistant message whose nearest run ancestor is this run (a nested run rates its own messages).
  const visit = (nodes: readonly StepNode<S>[], run: S | null, last: Map<S, string>) => {
    for (const node of nodes) {
      if (node.step.type === "run") visit(node.children, node.step, last);
      else {
        // An error reply is not the assistant's answer: the thumbs stay on the last real one (or none).
        if (node.step.type === "assistant_message" && !node.step.isError && run) last.set(run, node.step.id);
        visit(node.children, run, last);
      }
    }
  };
  const last = new Map<S, string>();
  visit(roots, null, last);
  for (const [run, messageId] of last) targets.set(messageId, run);
  return targets;
}

/** Elements grouped by the step they belong to (`forId`); those whose step is missing go in `orphans`, shown last. */
export function attachElements<E extends { forId?: string | null }>(elements: readonly E[], stepIds: ReadonlySet<string>): { byStep: Map<string, E[]>; orphans: E[] } {
  const byStep = new Map<string, E[]>();
  const orphans: E[] = [];
  for (const element of elements) {
    const forId = element.forId;
    if (forId && stepIds.has(forId)) {
      const list = byStep.get(forId) ?? [];
      list.push(element);
      byStep.set(forId, list);
    } else orphans.push(element);
  }
  return { byStep, orphans };
}
