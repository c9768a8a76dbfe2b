/**
 * getThreadOutline: the same single read of the partition as getThread (one Query per MB, the THREAD item in it, so
 * the owner is known from the same round trip), but only the steps a caller will show are decoded. A thread page
 * shows its latest 20 turns of possibly thousands; decoding every step (schema parse, parts joined) was most of the
 * server's CPU for a long thread (docs/long-threads.md, "The server's read"). What every step gives without decoding
 * is its place in the conversation: id, parent, type and times, enough to cut the thread into turns and count its
 * messages; `fullSteps` decodes the ones asked for.
 */
import { type Item } from "../codec";
import { type Element } from "../entities/element";
import { type Step } from "../entities/step";
import { type Thread } from "../entities/thread";
import { STEP_PREFIX, idFromKey } from "../keys";
import { type LayerContext } from "./context";
import { decodeElements, decodeSteps, decodeThreadItem, readPartitionItems, sortByTime } from "./get-thread";

/** Where a step sits, read straight off its item (a field of another type than Chainlit writes counts as absent). */
export interface StepOutline {
  id: string;
  parentId: string | null;
  type: string | null;
  createdAt: string | null;
  start: string | null;
}

export interface ThreadOutline {
  /** The THREAD item's own fields (owner included). */
  thread: Thread;
  /** Every step, in getThread's order. */
  steps: StepOutline[];
  /** Every element, oldest first, links unsigned (the caller signs the ones it shows: signElements). */
  elements: Element[];
  /** The full steps with these ids (parts joined), in the order given; an id that does not parse is left out. */
  fullSteps(ids: readonly string[]): Step[];
}

const text = (value: unknown) => (typeof value === "string" ? value : null);

export async function getThreadOutline(ctx: LayerContext, threadId: string): Promise<ThreadOutline | null> {
  const partition = await readPartitionItems(ctx, threadId);
  if (!partition) return null;
  const itemById = new Map<string, Item>();
  const steps: StepOutline[] = [];
  for (const item of partition.stepItems) {
    const id = idFromKey(String(item.SK), STEP_PREFIX);
    if (itemById.has(id)) continue;
    itemById.set(id, item);
    steps.push({ id, parentId: text(item.parentId), type: text(item.type), createdAt: text(item.createdAt), start: text(item.start) });
  }
  return {
    thread: decodeThreadItem(threadId, partition.threadItem),
    steps: sortByTime(steps),
    elements: decodeElements(ctx, threadId, partition.elementItems),
    fullSteps(ids) {
      const items = ids.flatMap((id): Item[] => { const item = itemById.get(id); return item ? [item] : []; });
      // reassembleStep joins parts into the item in place: decode a copy, so asking twice gives the same step.
      return decodeSteps(ctx, threadId, items.map((item): Item => ({ ...item })), partition.parts);
    },
  };
}
