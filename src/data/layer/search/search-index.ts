/**
 * Writes of the full-text index (docs/search.md): the postings of one source (a step's text, an element's name, the
 * thread's name) under its owner's `SEARCH#` partitions, and the source's doc item in the thread's partition.
 *
 * Order of a write: read the doc (the terms already filed), write the postings that are new and delete the ones
 * that went, then write the doc. The doc comes last so it never names a posting that was not written: an
 * interrupted write leaves at worst a posting no doc names, which no query shows (a hit must be one of the user's
 * listed threads and its snippet comes from the doc) and which the next write of the source overwrites.
 * No transactions (dynalite has none): every write is a single-item put or delete, safe to repeat.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { SEARCH_DOC_PREFIX, THREAD_SK, elementSource, searchDocSk, searchPostingPk, searchPostingSk, stepSource, threadPk } from "../../keys";
import { INDEXED_TEXT_MAX, indexTerms, stripMarkup } from "../../search-text";
import { batchDelete, batchWrite, type TableKey, type WriteRequest } from "../batch";
import { type LayerContext } from "../context";

/** The THREAD item's attribute naming the UserThreadSK its search index was last built from (as feedbackIndexedAt). */
export const SEARCH_INDEXED_AT = "searchIndexedAt";
/** Characters of a source's text kept in its doc item for snippets. */
export const SNIPPET_SOURCE_MAX = 2_000;
/**
 * A doc's `text`: the source's indexed text (its first INDEXED_TEXT_MAX characters), markup stripped, whitespace
 * collapsed, cut at SNIPPET_SOURCE_MAX. Stripped from the whole indexed text, not from a cut of it, so a doc shorter
 * than SNIPPET_SOURCE_MAX holds everything the index filed: a phrase not in it is not in the source (search-phrases.ts).
 */
export const docText = (text: string) => stripMarkup(text.slice(0, INDEXED_TEXT_MAX)).replace(/\s+/g, " ").trim().slice(0, SNIPPET_SOURCE_MAX);
/** Attributes of a doc item that deletes and rebuilds need. */
export const DOC_ATTRIBUTES = ["PK", "SK", "terms", "owner", "text"] as const;

/** A doc item as read: the terms it filed and under whose partition. */
export interface SearchDoc {
  terms: Set<string>;
  owner: string | null;
  text: string;
}

export const docKey = (threadId: string, source: string): TableKey => ({ PK: threadPk(threadId), SK: searchDocSk(source) });
export const isSearchDoc = (item: Item) => String(item.SK).startsWith(SEARCH_DOC_PREFIX);
export const sourceOfDoc = (item: Item) => String(item.SK).slice(SEARCH_DOC_PREFIX.length);

export function readDoc(item: Item | undefined): SearchDoc | null {
  if (!item) return null;
  const terms = item.terms instanceof Set ? new Set([...item.terms].map(String)) : new Set<string>();
  return { terms, owner: typeof item.owner === "string" ? item.owner : null, text: typeof item.text === "string" ? item.text : "" };
}

/** True when the thread's activity is newer than what its search index was built from. */
export function searchIsBehind(thread: Item): boolean {
  const at = thread.UserThreadSK;
  const indexedAt = thread[SEARCH_INDEXED_AT];
  return typeof at === "string" && (typeof indexedAt !== "string" || at > indexedAt);
}

/** Step types whose input is their own content (a tool's arguments); a run's input repeats the question. */
const INPUT_TYPES = new Set(["tool", "llm", "embedding", "retrieval", "rerank"]);

/** The searchable text of a step: its output, and its input for tool-like steps. Null when it has none. */
export function stepSearchText(step: { type?: unknown; input?: unknown; output?: unknown }): string | null {
  const texts = [typeof step.output === "string" ? step.output : "", INPUT_TYPES.has(String(step.type)) && typeof step.input === "string" ? step.input : ""];
  const text = texts.filter(Boolean).join("\n");
  return text.trim() ? text : null;
}

const postingKey = (owner: string, term: string, threadId: string, source: string): TableKey => ({
  PK: searchPostingPk(owner, term),
  SK: searchPostingSk(term, threadId, source),
});

/** The posting keys a doc item names: what deleting its source (or its thread) must delete. */
export function postingKeysOfDoc(threadId: string, item: Item): TableKey[] {
  const doc = readDoc(item);
  if (!doc?.owner) return [];
  return [...doc.terms].map((term) => postingKey(doc.owner!, term, threadId, sourceOfDoc(item)));
}

/**
 * Files `text` as the source's content, given the doc as it is (`old`, null when none). Requests: ⌈changed
 * postings / 25⌉ BatchWriteItem (in parallel) + 1 PutItem of the doc (or DeleteItem when the text has no words).
 * A new owner (the thread changed user) moves every posting.
 */
export async function writeSource(ctx: LayerContext, threadId: string, owner: string, source: string, text: string, old: SearchDoc | null): Promise<number> {
  const terms = indexTerms(text);
  const next = new Set(terms);
  const sameOwner = old?.owner === owner;
  const added = sameOwner ? terms.filter((term) => !old!.terms.has(term)) : terms;
  const removed = old?.owner ? [...old.terms].filter((term) => !sameOwner || !next.has(term)) : [];
  const requests: WriteRequest[] = [
    // Keys only: the SK already names the thread and the source (parsePostingSk), which keeps a posting ~200 bytes.
    ...added.map((term) => ({ PutRequest: { Item: postingKey(owner, term, threadId, source) } })),
    ...removed.map((term) => ({ DeleteRequest: { Key: postingKey(old!.owner!, term, threadId, source) } })),
  ];
  await batchWrite(ctx, requests, 4);
  const snippetText = docText(text);
  if (terms.length === 0) {
    if (old) await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: docKey(threadId, source) }));
  } else if (added.length > 0 || removed.length > 0 || old?.text !== snippetText) {
    await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: { ...docKey(threadId, source), terms: next, owner, text: snippetText } }));
  }
  return requests.length;
}

/**
 * The items that index sources nobody indexed yet, for writers that batch many (an import): the postings first and
 * the docs after them, as writeSource orders them, so a doc never names a posting that was not written.
 */
export function newSourceItems(threadId: string, owner: string, sources: ReadonlyMap<string, string>): { postings: Item[]; docs: Item[] } {
  const postings: Item[] = [];
  const docs: Item[] = [];
  for (const [source, text] of sources) {
    const terms = indexTerms(text);
    if (terms.length === 0) continue;
    postings.push(...terms.map((term) => postingKey(owner, term, threadId, source)));
    const snippetText = docText(text);
    docs.push({ ...docKey(threadId, source), terms: new Set(terms), owner, text: snippetText });
  }
  return { postings, docs };
}

async function getDoc(ctx: LayerContext, threadId: string, source: string): Promise<SearchDoc | null> {
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: docKey(threadId, source), ConsistentRead: true, ProjectionExpression: "terms, #o, #t", ExpressionAttributeNames: { "#o": "owner", "#t": "text" } }),
  );
  return readDoc(out.Item);
}

/**
 * Indexes one source as Threadbook writes it: 1 GetItem of its doc, then writeSource. Run beside the content write,
 * not after it. A failure is logged and marks the thread behind (its `searchIndexedAt` removed), so the catch-up
 * re-indexes it: the message itself is saved either way.
 */
export async function indexSource(ctx: LayerContext, threadId: string, owner: string, source: string, text: string): Promise<void> {
  try {
    await writeSource(ctx, threadId, owner, source, text, await getDoc(ctx, threadId, source));
  } catch (error) {
    ctx.logger.warn("search index write failed; the thread will be re-indexed", { threadId, source, error: String(error) });
    await markSearchBehind(ctx, threadId).catch(() => undefined);
  }
}

export const indexStep = (ctx: LayerContext, owner: string, step: { id: string; threadId: string; type?: unknown; input?: unknown; output?: unknown }) => {
  const text = stepSearchText(step);
  return text === null && step.output === undefined ? Promise.resolve() : indexSource(ctx, step.threadId, owner, stepSource(step.id), text ?? "");
};
export const indexElementName = (ctx: LayerContext, owner: string, threadId: string, elementId: string, name: string | null | undefined) =>
  name ? indexSource(ctx, threadId, owner, elementSource(elementId), name) : Promise.resolve();

/** Removes a source's postings and doc (a deleted step or element). Requests: 1 GetItem + ⌈(terms + 1) / 25⌉ BatchWriteItem. */
export async function removeSource(ctx: LayerContext, threadId: string, source: string): Promise<void> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: docKey(threadId, source), ConsistentRead: true }));
  if (!out.Item) return;
  await batchDelete(ctx, [...postingKeysOfDoc(threadId, out.Item), docKey(threadId, source)]);
}

async function markSearchBehind(ctx: LayerContext, threadId: string): Promise<void> {
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: { PK: threadPk(threadId), SK: THREAD_SK },
      UpdateExpression: "REMOVE #a",
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeNames: { "#a": SEARCH_INDEXED_AT },
    }),
  );
}
