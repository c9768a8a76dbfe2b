/**
 * Orphan postings (docs/search.md, "Orphans"): postings that no longer lead to a message. Two ways to get them:
 *
 * - the thread is gone (Chainlit's delete_thread deletes only the items it knows; the docs in the partition and the
 *   postings under the owner's SEARCH# partitions stay) or it moved to another user;
 * - the source's doc does not name the posting: a write was interrupted between its postings and its doc (writeSource
 *   puts the doc last), and the source was deleted or rewritten since.
 *
 * A query meets them among its candidates: they are dropped from its answer and deleted on the way, within a bound
 * per request, so a query's cost never depends on how much garbage the table holds.
 */
import { type Item } from "../../dynamo/codec";
import { batchDelete, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { removeLeftoversOnTheWay } from "../threads/leftovers";
import { docKey, postingKeysOfDoc, sourceOfDoc } from "./search-index";

/** Posting keys one query deletes at most: one BatchWriteItem. */
const ORPHAN_POSTINGS_MAX = 25;
/** Deleted threads whose leftovers (docs and the postings they name) one query removes at most. */
const ORPHAN_THREADS_MAX = 2;
/** Docs of deleted steps and elements (each with the postings it names) one query removes at most. */
const ORPHAN_SOURCES_MAX = 2;
/** Candidates missing from the caller's whole index partition whose THREAD item one query reads to tell. */
export const ORPHAN_CHECKS = 10;
/**
 * A doc that does not name a posting marks it as an orphan only once the thread has been quiet this long: a write in
 * flight puts its postings before its doc, and a streaming answer keeps writing its message after the turn's bump.
 */
export const ORPHAN_GRACE_MS = 10 * 60_000;

/** The terms of `terms` the doc does not name (all of them when the doc is missing). */
export function unnamedTerms(doc: Item | undefined, terms: ReadonlySet<string>): string[] {
  const named = doc?.terms instanceof Set ? (doc.terms as Set<unknown>) : new Set<unknown>();
  return [...terms].filter((term) => !named.has(term));
}

export interface Orphans {
  postings: TableKey[];
  /** Threads whose THREAD item is gone: their leftovers go too. */
  goneThreads: string[];
  /** Docs of steps and elements that are gone (Chainlit's delete_step, delete_element): each goes with every posting it names. */
  goneSources: Array<{ threadId: string; doc: Item }>;
}

/** Deletes what a query found, within the bounds; a failure is only logged (the answer already left them out). */
export async function removeOrphans(ctx: LayerContext, userId: string, orphans: Orphans): Promise<void> {
  const postings = orphans.postings.slice(0, ORPHAN_POSTINGS_MAX);
  const threads = orphans.goneThreads.slice(0, ORPHAN_THREADS_MAX);
  const sources = orphans.goneSources.slice(0, ORPHAN_SOURCES_MAX);
  if (postings.length === 0 && threads.length === 0 && sources.length === 0) return;
  // A gone source's postings before its doc, as deleteStep removes them: an interrupted delete leaves a doc that names
  // what is left, for the next query to finish.
  const sourceKeys = sources.flatMap(({ threadId, doc }) => postingKeysOfDoc(threadId, doc));
  const docKeys = sources.map(({ threadId, doc }) => docKey(threadId, sourceOfDoc(doc)));
  // A BatchWriteItem refuses a key twice: a gone source's postings were met as the query's too.
  const deleting = [...new Map([...postings, ...sourceKeys].map((key) => [`${String(key.PK)}|${String(key.SK)}`, key])).values()];
  await Promise.all([
    deleting.length > 0
      ? batchDelete(ctx, deleting)
          .then(() => (docKeys.length > 0 ? batchDelete(ctx, docKeys) : undefined))
          .catch((error: unknown) => ctx.logger.warn("could not delete orphan postings", { userId, error: String(error) }))
      : undefined,
    ...threads.map((threadId) => removeLeftoversOnTheWay(ctx, threadId)),
  ]);
  ctx.logger.info("search removed orphan postings", { userId, postings: postings.length, threads: threads.length, sources: sources.length });
}
