/**
 * getThread: one strongly consistent Query of the thread's partition per MB, assembled in memory. Chainlit returned
 * the THREAD item itself as the ThreadDict (PK, SK and the GSI keys leaked into the API) and signed element URLs one
 * sequential await at a time.
 */
import { decodeItem, keyed, type Item } from "../../dynamo/codec";
import { ElementSchema, type Element } from "../../entities/element";
import { StoredFeedbackSchema } from "../../entities/feedback";
import { StepSchema, type Step } from "../../entities/step";
import { ThreadSchema, type ThreadWithContent } from "../../entities/thread";
import { readTags } from "../../tag-text";
import { ELEMENT_PREFIX, PART_PREFIX, STEP_PREFIX, THREAD_SK, feedbackId, idFromKey, timestampFromUserThreadSk } from "../../keys";
import { compareTimestamps, sortByTimestamps, timestampMicros } from "../../timestamps";
import { type LayerContext } from "../context";
import { elementFields, signElement } from "../steps/elements";
import { removeLeftoversOnTheWay } from "./leftovers";
import { decodeLeniently } from "../unreadable-attributes";
import { queryPartition } from "./partition";
import { collectPart, reassembleStep, type PartsByStep } from "../steps/step-parts";

/**
 * Oldest first by instant (timestamps.ts: milliseconds, microseconds and Chainlit's variants do not sort as strings),
 * then by `start`; a missing createdAt (a Chainlit phantom step) sorts first. Array#sort is stable, so items still
 * tied keep the partition's order (by SK): the same for every reader. Threadbook's own writes never tie (clock.ts).
 */
/** Oldest first: by createdAt, then start (each read once: sortByTimestamps). */
export const sortByTime = <T extends { createdAt?: string | null; start?: string | null }>(items: readonly T[]): T[] =>
  sortByTimestamps(items, (item) => item.createdAt, (item) => item.start);

/**
 * Thread items always have createdAt when Chainlit or Threadbook wrote them; one without (or with one that is not text:
 * another writer's number) takes its last activity instead, so anything else still parses.
 */
function threadDefaults(threadId: string, item: Item): Item {
  return { id: threadId, createdAt: lastActivityOf(item) ?? new Date(0).toISOString() };
}

export interface GetThreadOptions {
  /**
   * false: element links are left unsigned (`url` as stored), for a caller that shows only part of the thread and
   * signs what it shows (signElements). Default true.
   */
  signElements?: boolean;
}

/** A thread's partition sorted by kind, as read: the THREAD item, step and element items, and step parts by step. */
export interface PartitionItems {
  threadItem: Item;
  stepItems: Item[];
  elementItems: Item[];
  parts: PartsByStep;
}

/**
 * Reads the whole partition (one Query per MB) and sorts its items by kind; null when there is no THREAD item.
 * Orphaned steps without one (Chainlit's non-atomic delete) are not a thread; Threadbook's own items there (markers,
 * parts: Chainlit's delete_thread leaves them) go now, from the read already made (leftovers.ts).
 */
export async function readPartitionItems(ctx: LayerContext, threadId: string): Promise<PartitionItems | null> {
  const items = await queryPartition(ctx, threadId);
  const { threadItem, ...content } = sortByKind(items);
  if (!threadItem) {
    if (items.length > 0) await removeLeftoversOnTheWay(ctx, threadId, items);
    return null;
  }
  return { threadItem, ...content };
}

/** A partition's items by kind, in the order given. */
export function sortByKind(items: readonly Item[]): Omit<PartitionItems, "threadItem"> & { threadItem?: Item } {
  let threadItem: Item | undefined;
  const stepItems: Item[] = [];
  const elementItems: Item[] = [];
  const parts: PartsByStep = new Map();
  for (const item of items) {
    const sk = String(item.SK);
    if (sk === THREAD_SK) threadItem = item;
    else if (sk.startsWith(STEP_PREFIX)) stepItems.push(item);
    else if (sk.startsWith(ELEMENT_PREFIX)) elementItems.push(item);
    else if (sk.startsWith(PART_PREFIX)) collectPart(parts, item);
    // FEEDBACK# markers and anything unknown are index data, not thread content.
  }
  return { threadItem, stepItems, elementItems, parts };
}

/**
 * The THREAD item's own fields; its id is its key's. Its last activity is the later of `updatedAt` and the index's
 * `UserThreadSK`, the time the sidebar lists it at: Chainlit's update_thread moves only the latter (docs/chainlit.md,
 * "update_thread"), so a thread continued in a Chainlit app after its last turn here would open as last active then.
 */
export function decodeThreadItem(ctx: LayerContext, threadId: string, item: Item) {
  // `tags` is whatever Chainlit's update_thread was given: read as its strings, never a reason the thread cannot open.
  // Any other attribute that does not fit (a string `metadata`, a numeric `name` or `createdAt`) is read as absent.
  const fields = keyed(item, { id: threadId, tags: readTags(item.tags) });
  const defaults = threadDefaults(threadId, item);
  // Null only when the id itself does not fit: decodeItem then says why, as it always did.
  const thread = decodeLeniently(ctx, ThreadSchema, fields, { threadId, sk: THREAD_SK }, defaults) ?? decodeItem(ThreadSchema, fields, defaults);
  thread.updatedAt = lastActivityOf(item) ?? thread.updatedAt;
  return thread;
}

/**
 * When the thread began: its stored `createdAt`, or its oldest step's time when that is earlier. Chainlit's
 * update_thread SETs `createdAt = now` at every session's start and end and at every rename (docs/chainlit.md,
 * "Threads: update_thread"), so the stored value of a thread Chainlit ever touched is its latest update, not its
 * start; its first message still says when it began. Steps without a readable time (Chainlit's phantom steps) are
 * passed over.
 */
export function beganAt(createdAt: string, steps: ReadonlyArray<{ createdAt?: string | null; start?: string | null }>): string {
  let began = createdAt;
  let beganMicros = timestampMicros(createdAt);
  if (beganMicros === null) return createdAt;
  for (const step of steps) {
    const at = timestampMicros(step.createdAt) !== null ? step.createdAt! : step.start;
    const micros = timestampMicros(at);
    if (micros !== null && micros < beganMicros) [began, beganMicros] = [at!, micros];
  }
  return began;
}

/** A THREAD item's last activity: the later of its `updatedAt` and its `UserThreadSK` time; null with neither. */
export function lastActivityOf(item: Item): string | null {
  const updatedAt = typeof item.updatedAt === "string" ? item.updatedAt : null;
  const listedAt = typeof item.UserThreadSK === "string" ? timestampFromUserThreadSk(item.UserThreadSK) : null;
  return listedAt !== null && compareTimestamps(listedAt, updatedAt) > 0 ? listedAt : updatedAt;
}

/**
 * A step item with its ids from its key: `id` and `threadId`, and those its feedback map repeats (the feedback's own
 * id is what the page sends back to clear it: Chainlit's synthetic `THREAD#{threadId}::STEP#{stepId}`).
 *
 * A feedback Threadbook cannot read as a 👍/👎 (an older Chainlit's -1, a map with no value, a comment that is not
 * text: Chainlit's upsert_feedback SETs whatever map its route was given) is no rating: the step is decoded without
 * it. Left in, it failed the whole step's parse, and the message vanished from the thread, its export and its share.
 */
export function keyedStep(item: Item, threadId: string, stepId: string): Item {
  const feedback = item.feedback;
  const fromKey: Item = { id: stepId, threadId };
  if (feedback !== undefined && feedback !== null) {
    const ids = { id: feedbackId(threadId, stepId), forId: stepId, threadId };
    const readable = typeof feedback === "object" && !Array.isArray(feedback) && StoredFeedbackSchema.safeParse({ ...feedback, ...ids }).success;
    fromKey.feedback = readable ? { ...feedback, ...ids } : null;
  }
  return keyed(item, fromKey);
}

/** Step items as steps (parts joined back), in the partition's order; one that does not parse is skipped and logged. */
export function decodeSteps(ctx: LayerContext, threadId: string, stepItems: Item[], parts: PartsByStep): Step[] {
  return decodeAll(ctx, stepItems, STEP_PREFIX, threadId, (item, id): Step | null => {
    if (!reassembleStep(item, id, parts)) ctx.logger.warn("step parts missing; returning the preview", { threadId, stepId: id });
    return decodeLeniently(ctx, StepSchema, keyedStep(item, threadId, id), { threadId, sk: String(item.SK) });
  });
}

/** Element items as elements, oldest first, links unsigned. */
export function decodeElements(ctx: LayerContext, threadId: string, elementItems: Item[]): Element[] {
  const elements = decodeAll(ctx, elementItems, ELEMENT_PREFIX, threadId, (item, id): Element | null =>
    decodeLeniently(ctx, ElementSchema, elementFields(ctx, item, threadId, id), { threadId, sk: String(item.SK) }),
  );
  return sortByTime(elements);
}

export async function getThread(ctx: LayerContext, threadId: string, options: GetThreadOptions = {}): Promise<ThreadWithContent | null> {
  const partition = await readPartitionItems(ctx, threadId);
  if (!partition) return null;
  const thread = decodeThreadItem(ctx, threadId, partition.threadItem);
  const steps = decodeSteps(ctx, threadId, partition.stepItems, partition.parts);
  const sorted = decodeElements(ctx, threadId, partition.elementItems);
  const signed = options.signElements === false ? sorted : await Promise.all(sorted.map((element) => signElement(ctx, element)));
  ctx.logger.debug("getThread read", { threadId, steps: steps.length, elements: signed.length });
  const ordered = sortByTime(steps);
  return { ...thread, createdAt: beganAt(thread.createdAt, ordered), steps: ordered, elements: signed };
}

/**
 * Decodes items of one kind; an item that does not fit its schema even without its unreadable attributes (its id from
 * the key is not one) is skipped and logged, not fatal (cf. #2623).
 */
function decodeAll<T>(ctx: LayerContext, items: Item[], prefix: string, threadId: string, decode: (item: Item, id: string) => T | null): T[] {
  return items.flatMap((item) => {
    const id = idFromKey(String(item.SK), prefix);
    const decoded = decode(item, id);
    if (decoded === null) ctx.logger.warn("skipping an item that does not parse", { threadId, sk: String(item.SK) });
    return decoded === null ? [] : [decoded];
  });
}
