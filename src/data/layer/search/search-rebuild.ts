/**
 * Rebuilds one thread's full-text index from its partition: what the catch-up does for a thread Chainlit wrote to
 * (feedback-catch-up.ts) and what `npm run doctor -- --fix` / `npm run reindex` do for every thread.
 *
 * It compares each source's wanted terms with its doc item and writes only the difference (writeSource), so a
 * rebuild of a thread that Threadbook indexed as it wrote costs the partition read and nothing else.
 */
import { type Item } from "../../dynamo/codec";
import { ELEMENT_PREFIX, NAME_SOURCE, PART_PREFIX, STEP_PREFIX, THREAD_SK, elementSource, idFromKey, stepSource } from "../../keys";
import { indexTerms } from "../../search-text";
import { batchDelete, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { isSearchDoc, postingKeysOfDoc, readDoc, sourceOfDoc, stepSearchText, writeSource, docKey } from "./search-index";
import { collectPart, reassembleStep, type PartsByStep } from "../steps/step-parts";

const SOURCES_IN_FLIGHT = 4;

/** Every source of a (full) partition read and its text: the thread name, each step's text, each element's name. */
export function wantedSources(items: readonly Item[]): Map<string, string> {
  const parts: PartsByStep = new Map();
  for (const item of items) if (String(item.SK).startsWith(PART_PREFIX)) collectPart(parts, item);
  const sources = new Map<string, string>();
  for (const item of items) {
    const sk = String(item.SK);
    if (sk === THREAD_SK) {
      if (typeof item.name === "string" && item.name.trim()) sources.set(NAME_SOURCE, item.name);
    } else if (sk.startsWith(STEP_PREFIX)) {
      const id = idFromKey(sk, STEP_PREFIX);
      const step = { ...item };
      reassembleStep(step, id, parts);
      const text = stepSearchText(step);
      if (text !== null) sources.set(stepSource(id), text);
    } else if (sk.startsWith(ELEMENT_PREFIX) && typeof item.name === "string" && item.name.trim()) {
      sources.set(elementSource(idFromKey(sk, ELEMENT_PREFIX)), item.name);
    }
  }
  return sources;
}

const sameTerms = (a: Set<string>, b: readonly string[]) => a.size === b.length && b.every((term) => a.has(term));

/** How many sources a partition's docs miss, have stale, or keep after their source went: the doctor's finding. */
export function staleSources(items: readonly Item[], owner: string | null): number {
  const docs = new Map(items.filter(isSearchDoc).map((item) => [sourceOfDoc(item), readDoc(item)!]));
  const wanted = owner ? wantedSources(items) : new Map<string, string>();
  let stale = [...docs.keys()].filter((source) => !wanted.has(source)).length;
  for (const [source, text] of wanted) {
    const doc = docs.get(source);
    if (!doc || doc.owner !== owner || !sameTerms(doc.terms, indexTerms(text))) stale++;
  }
  return stale;
}

/**
 * Brings the thread's index in line with `items` (a full, strongly consistent read of its partition). A thread
 * without a user has no list to search: its index is removed. Returns how many posting writes it made.
 */
export async function rebuildSearchIndex(ctx: LayerContext, threadId: string, items: readonly Item[], owner: string | null): Promise<number> {
  const docs = new Map(items.filter(isSearchDoc).map((item) => [sourceOfDoc(item), item]));
  const wanted = owner ? wantedSources(items) : new Map<string, string>();
  const gone = [...docs.entries()].filter(([source]) => !wanted.has(source));
  const goneKeys = gone.flatMap(([source, item]) => [...postingKeysOfDoc(threadId, item), docKey(threadId, source)]);
  if (goneKeys.length > 0) await batchDelete(ctx, goneKeys);
  const written = await mapLimited([...wanted], SOURCES_IN_FLIGHT, ([source, text]) => writeSource(ctx, threadId, owner!, source, text, readDoc(docs.get(source))));
  const writes = goneKeys.length + written.reduce((sum, n) => sum + n, 0);
  if (writes > 0) ctx.logger.info("search index rebuilt", { threadId, sources: wanted.size, writes });
  return writes;
}
