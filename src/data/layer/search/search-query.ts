/**
 * Full-text search of one user's threads (docs/search.md, "A query"). One page, in two round trips:
 *
 * 1. In parallel: one Query per word on the word's `SEARCH#{userId}#{bucket}` partition (`begins_with(SK, "word#")`
 *    for a whole word, `begins_with(SK, "prefix")` for the last word being typed; keys only), + 1 Query of the user's
 *    markers with the 👍/👎 filter. The threads in every word's list are the candidates (AND). Without a fresh
 *    search window (search-window.ts: read when the search box took focus, or by the page before), a first page
 *    also reads the newest FIRST_PAGE_ROWS rows of the caller's own `USER#{userId}` index.
 * 2. One BatchGetItem: the snippet docs of the page, and what else the page needs in the same request: without a
 *    window, the catch-up's watermark and the newest threads' states (feedback-catch-up.ts, catchUpFromWindow);
 *    the THREAD items of the candidates the window placed or nothing placed (they give order and ownership). Only
 *    many candidates beyond the rows known need a walk of the index before it (search-order.ts).
 *
 * Then the catch-up finishes (if it rebuilt a thread, the page is read again), and postings that lead nowhere are
 * dropped and deleted (search-orphans.ts). The caller's id decides every partition read, so no posting, marker or doc
 * of another user can be reached; a thread that moved to another user is not in the caller's index and its THREAD
 * item names someone else.
 */
import { threadNameShown } from "../../entities/thread-name";
import { type Item } from "../../dynamo/codec";
import { decodeCursor, encodeCursor, filterKind, type CursorKey } from "../../cursor";
import { SearchInputSchema, type SearchHit, type SearchInput, type SearchPage } from "../../entities/search";
import { THREAD_SK, elementSk, parseSource, stepSk, threadPk, userThreadPk } from "../../keys";
import { buildSnippet, parseQuery, type ParsedQuery } from "../../search-text";
import { batchGet, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { THREAD_STATE_ATTRIBUTES, catchUpKeys } from "../feedback/feedback-catch-up";
import { docKey, searchIsBehind } from "./search-index";
import { keepWindowIfCaughtUp, nowMs } from "./search-prepare";
import { isBefore, newestFirst, orderedRow, readIndexRows, threadKey, walkIndex, type IndexRows, type Ordered } from "./search-order";
import { ORPHAN_CHECKS, ORPHAN_GRACE_MS, removeOrphans, unnamedTerms, type Orphans } from "./search-orphans";
import { checkPhrases } from "./search-phrases";
import { suggestQuery } from "./search-suggest";
import { intersect, readMarked, readPostings, seenPostingKeys, type Candidate, type Postings } from "./search-postings";
import { type SearchWindow } from "./search-window";
import { isOwnedThread } from "../threads/leftovers";
import { IMPORT_CLAIM, isImportClaim } from "../import/import-claims";
import { hasTag } from "../../tag-text";

/** Index rows the first page reads (about 220 bytes each): enough to place a frequent word's page without a walk. */
const FIRST_PAGE_ROWS = 200;
/** Keys of one BatchGetItem. */
const BATCH_KEYS = 100;
/** What the page's BatchGetItem reads: thread states and names, the watermark, docs. */
const READ_ATTRIBUTES = [...THREAD_STATE_ATTRIBUTES, "SK", "name", "tags", "through", "owner", "text", "terms", IMPORT_CLAIM];
/**
 * With a tag filter, the candidates a page examines (at least `first + 1`): each one's THREAD item is read beside its
 * doc (the index projects no tags), in the page's one BatchGetItem round (≤ 3 keys each: 2 requests in parallel).
 * Fewer tagged among them than the page wants: the page is short and its cursor goes on after the last one examined.
 */
const TAG_EXAMINED = 40;

interface Query {
  userId: string;
  parsed: ParsedQuery;
  words: Array<{ term: string; prefix: boolean }>;
  first: number;
  after: CursorKey | null;
  feedback: 0 | 1 | null;
  /** Only threads whose THREAD item holds this tag. */
  tag: string | null;
  /** `threadId|source` of hits whose step or element the first pass found gone: the second pass leaves them out. */
  gone: ReadonlySet<string>;
}

/** A page's answer, and each word's postings (a word with none is what a correction is offered for: search-suggest.ts). */
interface Answer {
  page: SearchPage;
  last: Ordered | undefined;
  lists: Postings[];
}

/**
 * The step or element item a source names (null for the thread's name, whose THREAD item is read anyway). Read in the
 * page's BatchGetItem beside the hit's doc: Chainlit's delete_step and delete_element leave the doc and its postings
 * until the session's closing bump has the catch-up rebuild the thread, so a doc alone does not prove its message is there.
 */
function sourceItemKey(threadId: string, source: string): TableKey | null {
  const parsed = parseSource(source);
  if (parsed?.kind === "step") return { PK: threadPk(threadId), SK: stepSk(parsed.id) };
  if (parsed?.kind === "element") return { PK: threadPk(threadId), SK: elementSk(parsed.id) };
  return null;
}

/** Every word's postings without the sources found gone (a thread left with none of a word's sources drops out). */
function withoutGone(lists: Postings[], gone: ReadonlySet<string>): Postings[] {
  if (gone.size === 0) return lists;
  for (const list of lists) {
    for (const [threadId, sources] of list.threads) {
      for (const source of sources.keys()) if (gone.has(`${threadId}|${source}`)) sources.delete(source);
      if (sources.size === 0) list.threads.delete(threadId);
    }
  }
  return lists;
}

const keyId = (key: { PK?: unknown; SK?: unknown }) => `${String(key.PK)}|${String(key.SK)}`;
const uniqueKeys = (keys: readonly TableKey[]) => [...new Map(keys.map((key) => [keyId(key), key])).values()];

/** What step 2 reads and how the page's rows are known. */
interface Plan {
  keys: TableKey[];
  /** Rows placed before the BatchGetItem (index rows just read). */
  placed: Ordered[];
  /** Candidates placed by their THREAD item in the BatchGetItem. */
  byThreadItem: Candidate[];
  /** byThreadItem is the page's share of more candidates (a window's choice): one lost to an orphan leaves a gap. */
  subset: boolean;
  /** Candidates missing from the caller's whole index: their THREAD item tells whether they are orphans (or new). */
  checked: Candidate[];
  /**
   * With a tag filter: the oldest row examined when older candidates were left unexamined (the page's bound), so
   * the cursor goes on from it even when none of the examined is tagged; null when every candidate was examined.
   */
  boundary: Ordered | null;
}

/**
 * `newest`: index rows, newest first, below the cursor. `fromWindow`: they come from the user's window
 * (search-window.ts), which only orders: each thread it places is read again, THREAD item and doc.
 */
async function plan(ctx: LayerContext, q: Query, candidates: Candidate[], newest: IndexRows | null, opts: { catchUp: boolean; fromWindow: SearchWindow | undefined }): Promise<Plan> {
  const byId = new Map(candidates.map((c) => [c.threadId, c]));
  /** The hit's doc and the step or element it names (sourceItemKey). */
  const docOf = (threadId: string) => {
    const best = byId.get(threadId)!.best;
    const source = sourceItemKey(threadId, best);
    return source ? [docKey(threadId, best), source] : [docKey(threadId, best)];
  };
  const both = (threadId: string) => [threadKey(threadId), ...docOf(threadId)];
  // A tag filter drops the examined threads that do not hold it: more are examined than the page shows.
  const want = q.tag === null ? q.first + 1 : Math.max(q.first + 1, TAG_EXAMINED);
  const extra = opts.catchUp && newest ? catchUpKeys(q.userId, newest.rows) : [];
  // A window's threads above the cursor were on earlier pages: not missing from the index, just not on this page.
  const listed = new Set((opts.fromWindow?.rows ?? newest?.rows ?? []).map((row) => row.threadId));
  const inRows = (newest?.rows ?? []).filter((row) => byId.has(row.threadId));
  const rest = candidates.filter((c) => !listed.has(c.threadId));
  const complete = newest !== null && newest.lastKey === undefined;
  /** Rows a live Query placed need only their doc (and, with a tag filter, their THREAD item for its `tags`); a window's rows are re-read as THREAD items too. */
  const docsOf = (rows: Ordered[]) => rows.flatMap((row) => (q.tag === null ? docOf(row.threadId) : both(row.threadId)));
  const place = (rows: Ordered[]) =>
    opts.fromWindow
      ? { keys: rows.flatMap((row) => both(row.threadId)), placed: [], byThreadItem: rows.map((row) => byId.get(row.threadId)!) }
      : { keys: docsOf(rows), placed: rows, byThreadItem: [] };
  /** Only a tag filter needs it: without one, `first + 1` rows are examined and hasNextPage is exact. */
  const boundaryAt = (rows: Ordered[], more: boolean) => (q.tag !== null && more ? (rows.at(-1) ?? null) : null);
  if (newest && (inRows.length >= want || complete)) {
    const rows = inRows.slice(0, want);
    const page = place(rows);
    const checked = complete ? rest.slice(0, ORPHAN_CHECKS) : [];
    // Not complete: the candidates the rows do not list are older than every row read (or newer than the window).
    const boundary = boundaryAt(rows, inRows.length > want || (!complete && rest.length > 0));
    return { ...page, keys: [...extra, ...page.keys, ...checked.flatMap((c) => both(c.threadId))], subset: opts.fromWindow !== undefined && inRows.length > want, checked, boundary };
  }
  const page = place(inRows);
  const restKeys = rest.flatMap((c) => both(c.threadId));
  // A tag's page reads 3 keys a row for up to TAG_EXAMINED rows: two requests, still one round trip (batchGet sends them together).
  if (extra.length + page.keys.length + restKeys.length <= (q.tag === null ? BATCH_KEYS : 2 * BATCH_KEYS)) {
    return { keys: [...extra, ...page.keys, ...restKeys], placed: page.placed, byThreadItem: [...page.byThreadItem, ...rest], subset: false, checked: [], boundary: null };
  }
  const walked = await walkIndex(ctx, q.userId, new Set(rest.map((c) => c.threadId)), q.after, want - inRows.length, newest?.lastKey);
  return {
    keys: [...extra, ...page.keys, ...docsOf(walked)],
    placed: [...page.placed, ...walked],
    byThreadItem: page.byThreadItem,
    subset: opts.fromWindow !== undefined,
    checked: [],
    // The walk stopped at what it was asked for: older candidates may be left.
    boundary: boundaryAt([...inRows, ...walked], walked.length >= want - inRows.length),
  };
}

/** The window's rows below the cursor; null when the cursor is past them (the window cannot place that page). */
function windowRows(window: SearchWindow | undefined, after: CursorKey | null): IndexRows | null {
  if (!window) return null;
  const rows = window.rows.filter((row) => isBefore(row, after));
  if (after && rows.length === 0 && window.lastKey !== undefined) return null;
  return { rows, lastKey: window.lastKey };
}

async function answer(ctx: LayerContext, q: Query, pass: { catchUp: boolean; retry: boolean }): Promise<Answer> {
  const firstPage = q.after === null;
  const readAt = nowMs(ctx);
  const fresh = ctx.searchWindows.get(q.userId, readAt);
  const window = windowRows(fresh, q.after);
  const [lists, marked, live] = await Promise.all([
    Promise.all(q.words.map((w) => readPostings(ctx, q.userId, w.term, w.prefix))),
    q.feedback != null ? readMarked(ctx, q.userId, q.feedback) : null,
    firstPage && !window ? readIndexRows(ctx, q.userId, null, FIRST_PAGE_ROWS) : null,
  ]);
  const newest = window ?? live;
  // Quoted phrases: only the candidates whose words are adjacent somewhere (search-phrases.ts); a query without one
  // skips this. Threads the rows place come first; those on earlier pages (a window's rows above the cursor) are left.
  const order = (newest?.rows ?? []).map((row) => row.threadId);
  const earlier = new Set((window ? fresh!.rows : []).map((row) => row.threadId));
  for (const id of order) earlier.delete(id);
  const phrased = q.parsed.phrases.length > 0 ? await checkPhrases(ctx, q.userId, q.parsed, intersect(withoutGone(lists, q.gone), marked), order, earlier) : null;
  const candidates = phrased?.kept ?? intersect(withoutGone(lists, q.gone), marked);
  const byId = new Map(candidates.map((c) => [c.threadId, c]));
  // A fresh window means the catch-up was checked when it was read; without one the first page checks it here.
  const catchUp = live !== null && pass.catchUp;
  const { keys, placed, byThreadItem, subset, checked, boundary } = await plan(ctx, q, candidates, newest, { catchUp, fromWindow: window ? fresh : undefined });
  // What the phrase check read (docs, steps) is not read again.
  const read = new Map(phrased?.read);
  const toRead = uniqueKeys(keys).filter((key) => !read.has(keyId(key)));
  for (const item of toRead.length > 0 ? await batchGet(ctx, toRead, READ_ATTRIBUTES) : []) read.set(keyId(item), item);

  if (catchUp && live) {
    const rebuilt = await keepWindowIfCaughtUp(ctx, q.userId, live, read, readAt);
    if (rebuilt > 0) return answer(ctx, q, { catchUp: false, retry: pass.retry });
  }

  // Candidates placed by their THREAD item, and the orphan checks: a thread gone or someone else's leads nowhere.
  const orphans: Orphans = { postings: [], goneThreads: [], goneSources: [] };
  const threadOf = (c: Candidate) => read.get(keyId(threadKey(c.threadId)));
  for (const c of [...byThreadItem, ...checked]) {
    const thread = threadOf(c);
    if (thread?.userId === q.userId) continue;
    orphans.postings.push(...seenPostingKeys(q.userId, c.threadId, c.seen));
    // Gone, or written back by a Chainlit session with no user: its docs are leftovers (leftovers.ts).
    if (!isOwnedThread(thread)) orphans.goneThreads.push(c.threadId);
  }
  // A checked candidate that is the caller's is a thread newer than the rows read (or the window): it is placed too.
  // An import's claim carries index keys of its own (its listing among the user's unfinished claims, import-claims.ts)
  // and the postings of the steps written so far: it is not a thread of any list until it is finished.
  const ownItems = [...byThreadItem, ...checked]
    .map(threadOf)
    .filter((thread): thread is Item => thread?.userId === q.userId && typeof thread.UserThreadSK === "string" && !isImportClaim(thread));
  const windowed = new Map(window ? fresh!.rows.map((row) => [row.PK, row.UserThreadSK]) : []);
  if (window && ownItems.some((thread) => searchIsBehind(thread) || thread.UserThreadSK !== windowed.get(String(thread.PK)))) {
    // Activity the window did not see (another process, or Chainlit): the next page reads the index and catches up.
    ctx.searchWindows.forgetUser(q.userId);
  }
  const ours = ownItems.map(orderedRow).filter((row) => isBefore(row, q.after));
  // With a tag filter, only the threads whose THREAD item (read just now, the caller's) holds it, and none past the
  // page's bound: those are examined again, with the candidates past it, by the next page.
  const tagged = (row: Ordered) => {
    const thread = read.get(keyId(threadKey(row.threadId)));
    return thread?.userId === q.userId && hasTag(thread.tags, q.tag!) && (boundary === null || newestFirst(row, boundary) <= 0);
  };
  const ordered = [...placed, ...ours].sort(newestFirst).filter((row) => q.tag === null || tagged(row));
  // The window chose these threads among more: one that fell out leaves a gap only a second read fills.
  if (subset && byThreadItem.some((c) => threadOf(c)?.userId !== q.userId) && pass.retry) {
    await removeOrphans(ctx, q.userId, orphans);
    return answer(ctx, q, { catchUp: false, retry: false });
  }

  // The page's docs: a hit whose doc does not name the postings that led to it is an orphan once the thread is quiet.
  const rows: Ordered[] = [];
  const gone = new Set(q.gone);
  for (const row of ordered.slice(0, q.first + 1)) {
    const c = byId.get(row.threadId)!;
    const doc = read.get(keyId(docKey(row.threadId, c.best)));
    const unnamed = unnamedTerms(doc, c.seen.get(c.best) ?? new Set());
    const quiet = readAt - Date.parse(row.updatedAt) > ORPHAN_GRACE_MS;
    const source = sourceItemKey(row.threadId, c.best);
    if (source && !read.has(keyId(source))) {
      // The message or file the hit opens at is gone (Chainlit's delete_step or delete_element, its session not over):
      // never shown. The second pass finds the thread by its other sources, if any. The doc and every posting it
      // names go once the thread is quiet; before that a write of Threadbook's may be in flight (it puts the doc beside
      // the step), and the catch-up after the session's closing bump rebuilds the thread anyway.
      gone.add(`${row.threadId}|${c.best}`);
      if (quiet) orphans.postings.push(...seenPostingKeys(q.userId, c.threadId, new Map([[c.best, c.seen.get(c.best) ?? new Set()]])));
      if (quiet && doc) orphans.goneSources.push({ threadId: row.threadId, doc });
    } else if (unnamed.length > 0 && quiet) orphans.postings.push(...seenPostingKeys(q.userId, c.threadId, new Map([[c.best, new Set(unnamed)]])));
    else rows.push(row);
  }
  await removeOrphans(ctx, q.userId, orphans);
  // A page that lost hits to orphans is read once more, without them.
  if (rows.length < Math.min(ordered.length, q.first + 1) && pass.retry) return answer(ctx, { ...q, gone }, { catchUp: false, retry: false });

  const page = rows.slice(0, q.first);
  const data = page.map((row) => hit(row, byId.get(row.threadId)!, read, q, phrased?.texts));
  const partial = lists.some((list) => list.truncated) || (phrased?.partial ?? false);
  ctx.logger.debug("searchThreads read", { userId: q.userId, words: q.words.length, candidates: candidates.length, hits: data.length, partial });
  // A tag filter's page that examined its bound and found too few: the cursor goes on after the last thread examined.
  const bounded = boundary !== null && ordered.length <= q.first;
  return { page: { data, pageInfo: { hasNextPage: ordered.length > q.first || bounded, endCursor: null }, partial, suggestion: null }, last: bounded ? boundary : page.at(-1), lists };
}

/** `texts`: a step's indexed text, read whole by the phrase check: its snippet shows the phrase even past the doc's 2,000 characters. */
function hit(row: Ordered, c: Candidate, read: ReadonlyMap<string, Item>, q: Query, texts: ReadonlyMap<string, string> | undefined): SearchHit {
  const doc = read.get(keyId(docKey(row.threadId, c.best)));
  const owned = doc?.owner === q.userId && typeof doc.text === "string";
  const text = owned ? (texts?.get(`${row.threadId}|${c.best}`) ?? String(doc.text)) : (row.name ?? "");
  const source = parseSource(c.best);
  return { id: row.threadId, name: threadNameShown(row.name), updatedAt: row.updatedAt, stepId: source?.kind === "step" ? source.id : null, snippet: buildSnippet(text, q.parsed) };
}

export async function searchThreads(ctx: LayerContext, input: SearchInput): Promise<SearchPage> {
  const { userId, query, first, cursor, feedback, tag } = SearchInputSchema.parse(input);
  const parsed = parseQuery(query);
  const words = [...parsed.words.map((term) => ({ term, prefix: false })), ...(parsed.prefix ? [{ term: parsed.prefix, prefix: true }] : [])];
  if (words.length === 0) return { data: [], pageInfo: { hasNextPage: false, endCursor: null }, partial: false, suggestion: null };
  // The cursor resumes only this query (its words, not its spelling) under this filter, for this user.
  const phrases = parsed.phrases.map((p) => `"${p.words.join(" ")}${p.open ? "*" : ""}"`).join(" ");
  const kind = filterKind({ search: `fulltext ${parsed.words.join(" ")} ${parsed.prefix ?? ""}* ${phrases}`.trimEnd(), feedback: feedback ?? null, tag: tag ?? null });
  const indexPk = userThreadPk(userId);
  const after = cursor ? decodeCursor(ctx.cursorSecret, cursor, { userId, filter: kind, indexPk }) : null;
  const { page, last, lists } = await answer(ctx, { userId, parsed, words, first, after, feedback: feedback ?? null, tag: tag ?? null, gone: new Set() }, { catchUp: true, retry: true });
  const endCursor = last ? encodeCursor(ctx.cursorSecret, { u: userId, f: kind, k: { PK: threadPk(last.threadId), SK: THREAD_SK, UserThreadPK: indexPk, UserThreadSK: last.UserThreadSK } }) : null;
  // Nothing found, and a word is in none of the caller's messages: a correction from their own words (search-suggest.ts).
  const missing = after === null && page.data.length === 0 ? words.filter((_, i) => lists[i]!.threads.size === 0 && !lists[i]!.truncated) : [];
  const suggestion = missing.length > 0 ? await suggestQuery(ctx, userId, query, missing) : null;
  return { ...page, pageInfo: { ...page.pageInfo, endCursor }, suggestion };
}
