/**
 * Full-text search of one user's threads (docs/search.md, "A query"). One page:
 *
 * 1. (first page only) the index catch-up (feedback-catch-up.ts), in parallel with step 2; if it rebuilt anything,
 *    step 2 is read again.
 * 2. One Query per word, all in parallel, on the word's `SEARCH#{userId}#{bucket}` partition: `begins_with(SK,
 *    "word#")` for a whole word, `begins_with(SK, "prefix")` for the last word being typed. Keys only. With the
 *    👍/👎 filter, + 1 Query of the user's markers of that value (same index the filter lists).
 *    The threads in every list are the candidates (AND).
 * 3. Order, newest activity first, and ownership: up to 200 candidates are read with one or two BatchGetItem of
 *    their THREAD items (`userId` must be the caller); more are met by walking the caller's own `USER#{userId}`
 *    index partition newest first, 1,000 rows a Query, until the page is full.
 * 4. One BatchGetItem of the page's snippet docs (≤ `first` keys).
 *
 * The caller's id decides every partition read, so no posting, marker or doc of another user can be reached; a
 * thread that moved to another user is dropped in step 3 (its THREAD item or its index row is no longer theirs).
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../codec";
import { decodeCursor, encodeCursor, filterKind, type CursorKey } from "../cursor";
import { SearchInputSchema, type SearchHit, type SearchInput, type SearchPage } from "../entities/search";
import { NAME_SOURCE, THREAD_SK, USER_THREAD_INDEX, feedbackIndexPk, parsePostingSk, parseSource, searchPostingPk, threadIdFromPk, threadPk, timestampFromUserThreadSk, userThreadPk } from "../keys";
import { buildSnippet, parseQuery, type ParsedQuery } from "../search-text";
import { batchGet } from "./batch";
import { type LayerContext } from "./context";
import { catchUpIndexes } from "./feedback-catch-up";
import { docKey } from "./search-index";
import { ExpressionBuilder } from "./update-expression";

/** Query pages read per word (1 MB each, about 10,000 postings): a word past that is reported as `partial`. */
const POSTING_PAGES = 4;
/** Up to this many candidates are ordered by BatchGetItem; more by walking the user's index. */
const CANDIDATES_BY_GET = 200;
const INDEX_WALK_PAGE = 1_000;
const INDEX_WALK_PAGES = 20;

interface Postings {
  /** threadId → the sources (messages, files, name) that hold the word. */
  threads: Map<string, Set<string>>;
  truncated: boolean;
}

/** Query of one partition with `begins_with` on SK, following pages up to `maxPages`. */
async function queryPrefix(ctx: LayerContext, pk: string, prefix: string, attributes: string[], maxPages: number, index?: string): Promise<{ items: Item[]; truncated: boolean }> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < maxPages; page++) {
    const expr = new ExpressionBuilder();
    const [pkName, skName] = index ? ["UserThreadPK", "UserThreadSK"] : ["PK", "SK"];
    const condition = [`${expr.name(pkName)} = ${expr.value(pk)}`, ...(prefix ? [`begins_with(${expr.name(skName)}, ${expr.value(prefix)})`] : [])];
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: condition.join(" AND "),
        ProjectionExpression: expr.projection(attributes),
        ...expr.attributes(),
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    startKey = out.LastEvaluatedKey;
    if (!startKey) return { items, truncated: false };
  }
  return { items, truncated: true };
}

async function readPostings(ctx: LayerContext, userId: string, term: string, prefix: boolean): Promise<Postings> {
  const { items, truncated } = await queryPrefix(ctx, searchPostingPk(userId, term), prefix ? term : `${term}#`, ["SK"], POSTING_PAGES);
  const threads = new Map<string, Set<string>>();
  for (const item of items) {
    const posting = parsePostingSk(String(item.SK));
    if (!posting) continue;
    const sources = threads.get(posting.threadId) ?? new Set<string>();
    sources.add(posting.source);
    threads.set(posting.threadId, sources);
  }
  return { threads, truncated };
}

/** The threads with a marker of `value` under the user's own feedback partition. */
async function readMarked(ctx: LayerContext, userId: string, value: 0 | 1): Promise<Set<string>> {
  const { items } = await queryPrefix(ctx, feedbackIndexPk(userId, value), "", ["PK"], POSTING_PAGES, USER_THREAD_INDEX);
  return new Set(items.map((item) => threadIdFromPk(String(item.PK))));
}

interface Candidate {
  threadId: string;
  sources: Set<string>;
}

/** Threads present in every word's list (and marked, with the filter), with the sources that hold every word (or the rarest word's). */
function intersect(lists: Postings[], marked: Set<string> | null): Candidate[] {
  const [rarest, ...rest] = [...lists].sort((a, b) => a.threads.size - b.threads.size);
  const candidates: Candidate[] = [];
  for (const [threadId, sources] of rarest!.threads) {
    if (marked && !marked.has(threadId)) continue;
    if (!rest.every((list) => list.threads.has(threadId))) continue;
    const shared = [...sources].filter((source) => rest.every((list) => list.threads.get(threadId)!.has(source)));
    candidates.push({ threadId, sources: new Set(shared.length > 0 ? shared : sources) });
  }
  return candidates;
}

interface Ordered {
  threadId: string;
  name: string | null;
  sk: string;
  updatedAt: string;
}

/** (UserThreadSK, PK) descending: the UserThread index's order, made total by the key. */
const isBefore = (sk: string, pk: string, after: CursorKey | null) => !after || sk < after.UserThreadSK || (sk === after.UserThreadSK && pk < after.PK);

/** The candidates that are the user's, newest activity first, after the cursor: at most `want`. */
async function orderCandidates(ctx: LayerContext, userId: string, candidates: Candidate[], after: CursorKey | null, want: number): Promise<Ordered[]> {
  const wanted = new Set(candidates.map((c) => c.threadId));
  const row = (item: Item): Ordered => {
    const sk = String(item.UserThreadSK);
    return { threadId: threadIdFromPk(String(item.PK)), name: typeof item.name === "string" ? item.name : null, sk, updatedAt: timestampFromUserThreadSk(sk) };
  };
  if (candidates.length <= CANDIDATES_BY_GET) {
    const threads = await batchGet(
      ctx,
      candidates.map((c) => ({ PK: threadPk(c.threadId), SK: THREAD_SK })),
      ["PK", "name", "userId", "UserThreadSK"],
    );
    return threads
      .filter((t) => t.userId === userId && typeof t.UserThreadSK === "string" && isBefore(String(t.UserThreadSK), String(t.PK), after))
      .sort((a, b) => (a.UserThreadSK === b.UserThreadSK ? (String(a.PK) < String(b.PK) ? 1 : -1) : String(a.UserThreadSK) < String(b.UserThreadSK) ? 1 : -1))
      .slice(0, want)
      .map(row);
  }
  const found: Ordered[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < INDEX_WALK_PAGES && found.length < want; page++) {
    const expr = new ExpressionBuilder();
    const sk = expr.name("UserThreadSK");
    const condition = [`${expr.name("UserThreadPK")} = ${expr.value(userThreadPk(userId))}`, ...(after ? [`${sk} <= ${expr.value(after.UserThreadSK)}`] : [])];
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        IndexName: USER_THREAD_INDEX,
        KeyConditionExpression: condition.join(" AND "),
        ProjectionExpression: expr.projection(["PK", "SK", "name", "UserThreadSK"]),
        ...expr.attributes(),
        ScanIndexForward: false,
        Limit: INDEX_WALK_PAGE,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of (out.Items ?? []) as Item[]) {
      if (item.SK !== THREAD_SK || !wanted.has(threadIdFromPk(String(item.PK)))) continue;
      if (!isBefore(String(item.UserThreadSK), String(item.PK), after)) continue;
      found.push(row(item));
    }
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return found.slice(0, want);
}

/** A message over a file over the name: the hit opens at the message. */
function snippetSource(sources: Set<string>): string {
  const list = [...sources].sort();
  return list.find((s) => s.startsWith("step.")) ?? list.find((s) => s.startsWith("element.")) ?? list[0] ?? NAME_SOURCE;
}

async function hitsWithSnippets(ctx: LayerContext, userId: string, page: Ordered[], sourcesOf: Map<string, Set<string>>, query: ParsedQuery): Promise<SearchHit[]> {
  const chosen = page.map((row) => ({ row, source: snippetSource(sourcesOf.get(row.threadId) ?? new Set()) }));
  const docs = chosen.length > 0 ? await batchGet(ctx, chosen.map(({ row, source }) => docKey(row.threadId, source)), ["PK", "SK", "owner", "text"]) : [];
  const docText = new Map(docs.filter((d) => d.owner === userId && typeof d.text === "string").map((d) => [`${String(d.PK)}|${String(d.SK)}`, String(d.text)]));
  return chosen.map(({ row, source }) => {
    const key = docKey(row.threadId, source);
    const text = docText.get(`${key.PK}|${key.SK}`) ?? row.name ?? "";
    const parsed = parseSource(source);
    return {
      id: row.threadId,
      name: row.name,
      updatedAt: row.updatedAt,
      stepId: parsed?.kind === "step" ? parsed.id : null,
      snippet: buildSnippet(text, query),
    };
  });
}

export async function searchThreads(ctx: LayerContext, input: SearchInput): Promise<SearchPage> {
  const { userId, query, first, cursor, feedback } = SearchInputSchema.parse(input);
  const parsed = parseQuery(query);
  const words = [...parsed.words.map((term) => ({ term, prefix: false })), ...(parsed.prefix ? [{ term: parsed.prefix, prefix: true }] : [])];
  const empty: SearchPage = { data: [], pageInfo: { hasNextPage: false, endCursor: null }, partial: false };
  if (words.length === 0) return empty;
  // The cursor resumes only this query (its words, not its spelling) under this filter, for this user.
  const kind = filterKind({ search: `fulltext ${parsed.words.join(" ")} ${parsed.prefix ?? ""}*`, feedback: feedback ?? null });
  const indexPk = userThreadPk(userId);
  const after = cursor ? decodeCursor(ctx.cursorSecret, cursor, { userId, filter: kind, indexPk }) : null;

  const read = () => Promise.all([Promise.all(words.map((w) => readPostings(ctx, userId, w.term, w.prefix))), feedback != null ? readMarked(ctx, userId, feedback) : null]);
  const [firstRead, caughtUp] = await Promise.all([read(), after ? null : catchUpIndexes(ctx, userId)]);
  const [lists, marked] = caughtUp && caughtUp.rebuilt > 0 ? await read() : firstRead;

  const candidates = intersect(lists, marked);
  const ordered = await orderCandidates(ctx, userId, candidates, after, first + 1);
  const page = ordered.slice(0, first);
  const data = await hitsWithSnippets(ctx, userId, page, new Map(candidates.map((c) => [c.threadId, c.sources])), parsed);
  const last = page.at(-1);
  const endCursor = last ? encodeCursor(ctx.cursorSecret, { u: userId, f: kind, k: { PK: threadPk(last.threadId), SK: THREAD_SK, UserThreadPK: indexPk, UserThreadSK: last.sk } }) : null;
  const partial = lists.some((list) => list.truncated);
  ctx.logger.debug("searchThreads read", { userId, words: words.length, candidates: candidates.length, hits: data.length, partial });
  return { data, pageInfo: { hasNextPage: ordered.length > first, endCursor }, partial };
}
