/**
 * Chainlit's steps arrive flat (`parentId` links them) and, from older or third-party writers, imperfect: parents
 * that were never written, a step that names itself or a descendant as parent, duplicate ids, no `createdAt`.
 * This turns them into a tree without losing a step: an unknown parent or a cycle makes the step a root.
 * Pure, so the tests feed it broken data directly.
 */
import { parentIndexes } from "@/data/step-parents";
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
  const parent = parentIndexes(ordered);
  const path: number[] = [];

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
  return treeOrder(buildStepTree(steps));
}

/** The steps of `nodes` and all below them, each step before what is nested under it (depth first, by time). */
export function treeOrder<S>(nodes: readonly StepNode<S>[]): S[] {
  const out: S[] = [];
  walk(nodes, (node) => out.push(node.step));
  return out;
}

/** Depth first, each node before its children, in order; with a stack of its own (see buildStepTree). */
function walk<S>(nodes: readonly StepNode<S>[], visit: (node: StepNode<S>) => void) {
  const pending = [...nodes].reverse();
  while (pending.length > 0) {
    const node = pending.pop()!;
    visit(node);
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
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
  const last = new Map<S, string>();
  const pending: Array<[StepNode<S>, S | null]> = roots.map((node): [StepNode<S>, S | null] => [node, null]).reverse();
  while (pending.length > 0) {
    const [node, run] = pending.pop()!;
    // An error reply is not the assistant's answer: the thumbs stay on the last real one (or none).
    if (node.step.type !== "run" && node.step.type === "assistant_message" && !node.step.isError && run) last.set(run, node.step.id);
    const below = node.step.type === "run" ? node.step : run;
    for (let i = node.children.length - 1; i >= 0; i--) pending.push([node.children[i]!, below]);
  }
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

/**
 * The thread's newest turn as Regenerate and Retry see it: its question (the last user message in reading order), the
 * reply (every step after it in reading order: the run, tool steps, answers, error steps; in a thread without runs,
 * whatever follows the question) and the reply's last answer. Null when the thread has no question. The server
 * decides with this what a regenerate removes (server/chat/regenerate-reply.ts), the thread view where the button goes.
 */
export function newestTurn<S extends TreeStepLike>(steps: readonly S[]): { question: S; reply: S[]; answer: S | null } | null {
  const ordered = conversationOrder(steps);
  const asked = ordered.findLastIndex((s) => s.type === "user_message");
  if (asked === -1) return null;
  const reply = ordered.slice(asked + 1);
  return { question: ordered[asked]!, reply, answer: reply.findLast((s) => s.type === "assistant_message") ?? null };
}
