/**
 * getThreadOutline: the thread, every step's place in the conversation, its elements, and the full steps a caller
 * will show, from as little reading as the partition allows. A thread page shows its latest 20 turns of possibly
 * thousands, and step keys are random ids, so the whole partition is still read (one Query per MB) to put the steps
 * in order. But only the first page of it (read from the end, so the THREAD item is in it) travels whole: later
 * pages bring each item's keys and times only (`queryPartitionSkimmed`), and the steps asked for that were in them
 * are read whole afterwards, with their parts, in one BatchGetItem per 100 keys (`fullSteps`). For a 10,000-step
 * thread (4 Queries) that is a fifth of the bytes to receive and parse, for one more request; a thread of one page
 * is the one Query it always was. The pages after the first are read at the same time, as key ranges of the random
 * step ids (`splitBelow`), rather than one after the other (docs/long-threads.md, "The server's read").
 */
import { itemBytes, type Item } from "../../dynamo/codec";
import { type Element } from "../../entities/element";
import { type Step } from "../../entities/step";
import { type Thread } from "../../entities/thread";
import { ELEMENT_PREFIX, PART_PREFIX, STEP_PREFIX, THREAD_SK, idFromKey, parseStepPartSk } from "../../keys";
import { batchGet, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { beganAt, decodeElements, decodeSteps, decodeThreadItem, readPartitionItems, sortByKind, sortByTime } from "./get-thread";
import { queryPartitionSkimmed, type SkRange } from "./partition";
import { collectPart, type PartsByStep } from "../steps/step-parts";

/** Where a step sits, read straight off its item (a field of another type than Chainlit writes counts as absent). */
export interface StepOutline {
  id: string;
  parentId: string | null;
  type: string | null;
  createdAt: string | null;
  start: string | null;
  /** When the user last edited it (Threadbook's `editedAt`), only when they did: a share leaves out what changed since. */
  editedAt?: string;
}

export interface ThreadOutline {
  /** The THREAD item's own fields (owner included). */
  thread: Thread;
  /** Every step, in getThread's order. */
  steps: StepOutline[];
  /** Every element, oldest first, links unsigned (the caller signs the ones it shows: signElements). */
  elements: Element[];
  /**
   * The full steps with these ids (parts joined), in the order given; an id that does not parse is left out. Steps
   * the first read skimmed are read whole now (one BatchGetItem per 100 keys, parts included), once.
   */
  fullSteps(ids: readonly string[]): Promise<Step[]>;
  /**
   * The full steps with these ids, read newest (last) first and returned in the order given, stopping once the
   * characters `charsOf` counts pass `maxChars` (the step that passes is included: the caller's budget decides about
   * it) or before the next read could pass `maxBytes` read from the table (older ids then stay unread). What a turn
   * reads for its model: its character budget already drops what is older, so reading on would only hold memory.
   * A step already read whole costs nothing; one still to read counts as DynamoDB's largest item per item, its and
   * its parts', until it is read, then as what it weighed (itemBytes). One BatchGetItem per round of at most 100.
   */
  newestSteps(ids: readonly string[], budget: NewestStepsBudget): Promise<Step[]>;
}

export interface NewestStepsBudget {
  maxChars: number;
  maxBytes: number;
  charsOf(step: Step): number;
}

/** DynamoDB's item size limit: the most one item still to read can weigh. */
const ITEM_MAX_BYTES = 400 * 1024;
/** Steps in one round of newestSteps: one BatchGetItem. */
const ROUND_MAX = 100;

const text = (value: unknown) => (typeof value === "string" ? value : null);

/** What the order needs of an item read past the first page (keys included, for reading it whole later). */
const OUTLINE_ATTRIBUTES = ["PK", "SK", "parentId", "type", "createdAt", "start", "editedAt"] as const;
const keyOf = (item: Item): TableKey => ({ PK: String(item.PK), SK: String(item.SK) });
/** Key order, as DynamoDB returns a partition read forwards (ties in time then fall as they do in getThread). */
const byKey = (a: Item, b: Item) => (String(a.SK) < String(b.SK) ? -1 : String(a.SK) > String(b.SK) ? 1 : 0);

/** At most this many Queries at the same time for the rest of one partition. */
const MAX_RANGES = 8;
/** Hex digits of a step id that place its key (8: a 32-bit fraction, far finer than any page). */
const PLACE_DIGITS = 8;

/**
 * How to read the rest of a partition at once, given the first page's last key (read from the end, so every key
 * left is below it). Chainlit's step ids are random UUIDs: step keys spread evenly over the hex digits after
 * `STEP#`, so where the first page (1 MB) stopped says how much is left, about `place / (1 - place)` pages more, and
 * key ranges splitting the hex space below it hold about a page each. They are read in parallel: the wall time of
 * one or two Queries instead of one after the other (on DynamoDB each is a round trip and up to 1 MB to read).
 * A little over-split (10%), because a range just past 1 MB costs a Query after it, one range more costs none in
 * time. Null (read on page by page) when the first page stopped outside the step keys or at an id that is not hex,
 * or when one range would do. The first range also holds every key below `STEP#` (elements, parts, markers).
 * Only the way it is read changes: the items are the same, so Chainlit's steps read as before.
 */
export function splitBelow(lastSk: string): SkRange[] | null {
  if (!lastSk.startsWith(STEP_PREFIX)) return null;
  const digits = lastSk.slice(STEP_PREFIX.length, STEP_PREFIX.length + PLACE_DIGITS);
  if (!/^[0-9a-f]+$/.test(digits) || digits.length < PLACE_DIGITS) return null;
  const place = parseInt(digits, 16);
  const share = place / 16 ** PLACE_DIGITS;
  const ranges = Math.min(MAX_RANGES, Math.ceil((1.1 * share) / (1 - share)));
  if (ranges < 2) return null;
  const bounds = Array.from({ length: ranges - 1 }, (_, i) => STEP_PREFIX + Math.floor((place * (i + 1)) / ranges).toString(16).padStart(PLACE_DIGITS, "0"));
  return [{ to: bounds[0]! }, ...bounds.map((from, i) => ({ from, to: bounds[i + 1] ?? lastSk }))];
}

export interface OutlineReadOptions {
  /**
   * Called with the thread's own fields (its owner) as soon as the first page of a partition of more than one page
   * is in, while the rest is read: the thread page starts sending its document's head then (docs/long-threads.md,
   * "Opening a long thread: the head while the read runs"). Not called for a partition of one page (the whole read
   * is that one Query), nor when the first page holds no THREAD item or one that does not parse.
   */
  onThreadBeforeRest?: (thread: Thread) => void;
  /**
   * Whether the rest of a partition of more than one page is worth reading, given the THREAD item of its first page:
   * false (a thread the caller will refuse: someone else's) ends the read there and the answer is null. Without it,
   * a caller naming someone else's 10,000-step thread had the server read all of it only to answer 404.
   */
  readRestIf?: (thread: Thread) => boolean;
}

export async function getThreadOutline(ctx: LayerContext, threadId: string, options: OutlineReadOptions = {}): Promise<ThreadOutline | null> {
  const { onThreadBeforeRest, readRestIf } = options;
  const onFirstPage = (onThreadBeforeRest || readRestIf) && ((items: readonly Item[]) => {
    const item = items.find((candidate) => candidate.SK === THREAD_SK);
    if (!item) return;
    let thread: Thread;
    try {
      thread = decodeThreadItem(ctx, threadId, item);
    } catch {
      return; // the whole read decides, as for any thread
    }
    if (readRestIf && !readRestIf(thread)) return false;
    onThreadBeforeRest?.(thread);
  });
  const { whole, skimmed, stopped } = await queryPartitionSkimmed(ctx, threadId, OUTLINE_ATTRIBUTES, { split: splitBelow, onFirstPage });
  if (stopped) return null;
  // The THREAD item and the elements (few, and all of them are needed) are read whole wherever they were.
  const wanted = skimmed.filter((item) => item.SK === THREAD_SK || String(item.SK).startsWith(ELEMENT_PREFIX));
  const fetched = wanted.length > 0 ? await batchGet(ctx, wanted.map(keyOf)) : [];
  const partition = sortByKind([...whole, ...fetched].sort(byKey));
  if (!partition.threadItem) {
    // No thread (or it went between two reads): the whole read decides, and clears any leftovers, as getThread does.
    const full = await readPartitionItems(ctx, threadId);
    return full ? outlineOf(ctx, threadId, { ...full, skimmedSteps: [], skimmedParts: [] }) : null;
  }
  return outlineOf(ctx, threadId, {
    ...partition,
    threadItem: partition.threadItem,
    skimmedSteps: skimmed.filter((item) => String(item.SK).startsWith(STEP_PREFIX)),
    skimmedParts: skimmed.filter((item) => String(item.SK).startsWith(PART_PREFIX)),
  });
}

interface OutlineItems {
  threadItem: Item;
  /** Step, element and part items read whole. */
  stepItems: Item[];
  elementItems: Item[];
  parts: PartsByStep;
  /** Step and part items read as keys and times only. */
  skimmedSteps: Item[];
  skimmedParts: Item[];
}

function outlineOf(ctx: LayerContext, threadId: string, read: OutlineItems): ThreadOutline {
  const wholeById = new Map<string, Item>();
  const skimmedById = new Map<string, Item>();
  const steps: StepOutline[] = [];
  const readWhole = new Set(read.stepItems);
  for (const item of [...read.stepItems, ...read.skimmedSteps].sort(byKey)) {
    const id = idFromKey(String(item.SK), STEP_PREFIX);
    if (wholeById.has(id) || skimmedById.has(id)) continue;
    (readWhole.has(item) ? wholeById : skimmedById).set(id, item);
    const editedAt = text(item.editedAt);
    steps.push({ id, parentId: text(item.parentId), type: text(item.type), createdAt: text(item.createdAt), start: text(item.start), ...(editedAt !== null && { editedAt }) });
  }
  const partKeys = new Map<string, TableKey[]>();
  for (const item of read.skimmedParts) {
    const stepId = parseStepPartSk(String(item.SK))?.stepId;
    if (stepId) partKeys.set(stepId, [...(partKeys.get(stepId) ?? []), keyOf(item)]);
  }
  const parts = read.parts;
  /** What reading a step whole may still cost: its item if it came skimmed, and every part that came skimmed. */
  const worstBytes = (id: string) => ((skimmedById.has(id) ? 1 : 0) + (partKeys.get(id)?.length ?? 0)) * ITEM_MAX_BYTES;
  /** What reading a step whole did cost (called right after): its item and its parts. */
  const readBytes = (id: string) => itemBytes(wholeById.get(id)) + [...(parts.get(id)?.values() ?? [])].flat().reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const thread = decodeThreadItem(ctx, threadId, read.threadItem);
  const ordered = sortByTime(steps);
  const outline: ThreadOutline = {
    thread: { ...thread, createdAt: beganAt(thread.createdAt, ordered) },
    steps: ordered,
    elements: decodeElements(ctx, threadId, read.elementItems),
    async fullSteps(ids) {
      // Steps that came skimmed, and steps that came whole with their PART items skimmed (a step's parts sort
      // below every step key, so a big step in the first page has its parts in a later one).
      const missing = ids.filter((id) => skimmedById.has(id) || (wholeById.has(id) && partKeys.has(id)));
      if (missing.length > 0) {
        const keys = missing.flatMap((id) => [...(skimmedById.has(id) ? [keyOf(skimmedById.get(id)!)] : []), ...(partKeys.get(id) ?? [])]);
        for (const item of await batchGet(ctx, keys)) {
          const sk = String(item.SK);
          if (sk.startsWith(STEP_PREFIX)) wholeById.set(idFromKey(sk, STEP_PREFIX), item);
          else collectPart(parts, item);
        }
        // Read once: a step gone since the first read stays out, as a step that does not parse.
        for (const id of missing) {
          skimmedById.delete(id);
          partKeys.delete(id);
        }
      }
      const items = ids.flatMap((id): Item[] => {
        const item = wholeById.get(id);
        return item ? [item] : [];
      });
      // reassembleStep joins parts into the item in place: decode a copy, so asking twice gives the same step.
      return decodeSteps(ctx, threadId, items.map((item): Item => ({ ...item })), parts);
    },
    async newestSteps(ids, { maxChars, maxBytes, charsOf }) {
      const kept: Step[] = [];
      let chars = 0;
      let bytesLeft = maxBytes;
      let next = ids.length - 1;
      while (next >= 0 && chars <= maxChars) {
        const round: string[] = [];
        let worst = 0;
        for (; next >= 0 && round.length < ROUND_MAX; next--) {
          const cost = worstBytes(ids[next]!);
          if (worst + cost > bytesLeft) break;
          worst += cost;
          round.push(ids[next]!);
        }
        if (round.length === 0) break; // the next step could pass the bound: it and everything older stay unread
        const toRead = round.filter((id) => worstBytes(id) > 0);
        const steps = await outline.fullSteps(round);
        for (const id of toRead) bytesLeft -= readBytes(id);
        for (const step of steps) {
          kept.push(step);
          chars += charsOf(step);
          if (chars > maxChars) break;
        }
      }
      return kept.reverse();
    },
  };
  return outline;
}
