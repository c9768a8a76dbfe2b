/**
 * What a share shows: the thread as it was when it was shared (docs/sharing.md, "Snapshot"). Pure, so the share page,
 * its element links and "Continue in my history" apply exactly the same rule.
 *
 * - A step is in the snapshot when its `createdAt` reads as a time at or before `shared_at` and its parent (if the
 *   thread has it, by the links the owner's view nests by: step-parents.ts) is in the snapshot too. A time that cannot be read, or none (Chainlit's phantom steps), cannot be
 *   shown to predate the share, so it is left out.
 * - A question the owner edited after sharing (`editedAt`, chat.edit) is left out too, with every step below it: its
 *   text is no longer what was shared, and what they typed since was never shared. (Edit rewrites the question in place,
 *   keeping its time, so without this the share showed the new words to every viewer.)
 * - An element follows the step it belongs to (`forId`); one without such a step follows its own `createdAt`. One
 *   whose own `createdAt` reads as later than `shared_at` is left out even under a shared step: a file attached to an
 *   old message after sharing (the upload route takes any `forId` of the owner's thread) was never shared, and was
 *   shown, printed, linked and copied. Chainlit's elements carry no `createdAt`: they follow their step alone.
 */
import { type Element } from "../../entities/element";
import { type ThreadWithContent } from "../../entities/thread";
import { parentIndexes } from "../../step-parents";
import { timestampMicros } from "../../timestamps";

const atOrBefore = (value: string | null | undefined, boundary: number) => {
  const micros = timestampMicros(value);
  return micros !== null && micros <= boundary;
};

/** The snapshot of `thread` at `sharedAt`; null when `sharedAt` is not a readable time (nothing can be shown). */
export function shareSnapshot(thread: ThreadWithContent, sharedAt: string): ThreadWithContent | null {
  const snapshot = snapshotOf(thread.steps, thread.elements, sharedAt);
  return snapshot && { ...thread, ...snapshot };
}

/** What a step needs for the rule: its id, its parent and its time (a whole step, or an outline's: thread-outline.ts). */
export interface SnapshotStep {
  id: string;
  parentId?: string | null;
  createdAt?: string | null;
  editedAt?: string | null;
}

/**
 * The rule on steps and elements alone, so a window of a long share (docs/sharing.md, "Long shares") applies it to the
 * thread's outline, every step's place without its text, exactly as the whole read does.
 */
export function snapshotOf<S extends SnapshotStep>(allSteps: readonly S[], allElements: readonly Element[], sharedAt: string): { steps: S[]; elements: Element[] } | null {
  const boundary = timestampMicros(sharedAt);
  if (boundary === null) return null;
  const byId = new Map(allSteps.map((step) => [step.id, step]));
  // The links the owner's view nests by (step-parents.ts): a step naming itself, or in a parent cycle, is read there
  // (the cycle broken at its earliest step), so it is judged here by the same links, not left out with all below it.
  const parent = parentIndexes(allSteps);
  const SHOWN = 1;
  const HIDDEN = 2;
  const verdicts = new Uint8Array(allSteps.length);
  const chain: number[] = [];
  for (let index = 0; index < allSteps.length; index++) {
    chain.length = 0;
    let current = index;
    while (current !== -1 && verdicts[current] === 0) {
      chain.push(current);
      current = parent[current]!;
    }
    let shown = current === -1 || verdicts[current] === SHOWN;
    for (let k = chain.length - 1; k >= 0; k--) {
      const step = allSteps[chain[k]!]!;
      shown = shown && atOrBefore(step.createdAt, boundary) && (step.editedAt == null || atOrBefore(step.editedAt, boundary));
      verdicts[chain[k]!] = shown ? SHOWN : HIDDEN;
    }
  }
  const steps = allSteps.filter((_, index) => verdicts[index] === SHOWN);
  const shown = new Set(steps.map((step) => step.id));
  const addedLater = (element: Element) => timestampMicros(element.createdAt) !== null && !atOrBefore(element.createdAt, boundary);
  const elementVisible = (element: Element) =>
    element.forId && byId.has(element.forId) ? shown.has(element.forId) && !addedLater(element) : atOrBefore(element.createdAt, boundary);
  return { steps, elements: allElements.filter(elementVisible) };
}
