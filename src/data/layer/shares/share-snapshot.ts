/**
 * What a share shows: the thread as it was when it was shared (docs/sharing.md, "Snapshot"). Pure, so the share page,
 * its element links and "Continue in my history" apply exactly the same rule.
 *
 * - A step is in the snapshot when its `createdAt` reads as a time at or before `shared_at` and its parent (if the
 *   thread has it) is in the snapshot too. A time that cannot be read, or none (Chainlit's phantom steps), cannot be
 *   shown to predate the share, so it is left out.
 * - An element follows the step it belongs to (`forId`); one without such a step follows its own `createdAt`.
 */
import { type Element } from "../../entities/element";
import { type Step } from "../../entities/step";
import { type ThreadWithContent } from "../../entities/thread";
import { timestampMicros } from "../../timestamps";

const atOrBefore = (value: string | null | undefined, boundary: number) => {
  const micros = timestampMicros(value);
  return micros !== null && micros <= boundary;
};

/** The snapshot of `thread` at `sharedAt`; null when `sharedAt` is not a readable time (nothing can be shown). */
export function shareSnapshot(thread: ThreadWithContent, sharedAt: string): ThreadWithContent | null {
  const boundary = timestampMicros(sharedAt);
  if (boundary === null) return null;
  const byId = new Map(thread.steps.map((step) => [step.id, step]));
  const verdicts = new Map<string, boolean>();
  const visible = (step: Step, depth = 0): boolean => {
    const known = verdicts.get(step.id);
    if (known !== undefined) return known;
    const parent = step.parentId ? byId.get(step.parentId) : undefined;
    // depth bounds a parent cycle a hostile writer could store.
    const verdict = atOrBefore(step.createdAt, boundary) && (!parent || (depth < 1000 && parent.id !== step.id && visible(parent, depth + 1)));
    verdicts.set(step.id, verdict);
    return verdict;
  };
  const steps = thread.steps.filter((step) => visible(step));
  const shown = new Set(steps.map((step) => step.id));
  const elementVisible = (element: Element) =>
    element.forId && byId.has(element.forId) ? shown.has(element.forId) : atOrBefore(element.createdAt, boundary);
  return { ...thread, steps, elements: thread.elements.filter(elementVisible) };
}
