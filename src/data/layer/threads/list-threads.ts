/**
 * listThreads over the UserThread index. Chainlit ignored `first` (always 10 rows), reported hasNextPage from
 * LastEvaluatedKey (so the last page could be empty), searched with a case-sensitive `contains` applied after
 * Limit (0–10 hits per page while more existed), had no feedback filter and crashed on threads without a name (#2623).
 *
 * Here every listing is the same loop: Query the index newest first, turn items into rows (feedback markers are
 * resolved to their threads), keep the rows matching the search, until first+1 rows are found or the partition
 * ends (a search: or SEARCH_QUERIES_PER_CALL pages were read). The extra row makes hasNextPage exact; it is not
 * returned, and the cursor is the last *returned* row's key (or, for a search that stopped short, the last row read).
 * A feedback listing first lets the index catch up with feedback Chainlit wrote (feedback-catch-up.ts).
 */
import { type Item } from "../../dynamo/codec";
import { decodeCursor, encodeCursor, filterKind, type CursorKey } from "../../cursor";
import { threadNameShown } from "../../entities/thread-name";
import { PaginationSchema, ThreadFilterSchema, ThreadSummarySchema, type Pagination, type PaginatedResponse, type ThreadFilter, type ThreadSummary } from "../../entities/thread";
import { THREAD_SK, feedbackIndexPk, threadIdFromPk, timestampFromUserThreadSk, userThreadPk } from "../../keys";
import { type FeedbackValue } from "../../entities/feedback";
import { batchGet, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { THREAD_STATE_ATTRIBUTES, catchUpIndexes, rebuildBudget, rebuildIfBehind, type RebuildBudget } from "../feedback/feedback-catch-up";
import { isOwnedThread, removeLeftoversOnTheWay } from "./leftovers";
import { IMPORT_CLAIM, isImportClaim } from "../import/import-claims";
import { lastActivityOf } from "./get-thread";
import { hasTag } from "../../tag-text";
import { queryNewestFirst } from "./user-thread-index";

interface Row {
  key: CursorKey;
  summary: ThreadSummary;
}

/** Query page sizes: a search reads many rows per hit; a marker page feeds one BatchGetItem (≤ 100 keys). */
const SEARCH_PAGE = 500;
const MARKER_SEARCH_PAGE = 100;
/**
 * Query pages one name search reads per call (1,000 index rows, or 200 markers). A search that matches little
 * would otherwise walk the whole partition in one request, however many threads it holds; past this the page ends
 * short, with a cursor where the reading stopped, and the next call goes on from there.
 */
const SEARCH_QUERIES_PER_CALL = 2;
/**
 * A tag listing's Query page: the index projects only `id` and `name` (infra/dynamodb-table.json), so each page's
 * threads are read for their `tags` with one BatchGetItem (≤ 100 keys). Bounded like a search: at most
 * SEARCH_QUERIES_PER_CALL pages (2 Query + 2 BatchGetItem, 200 threads) per call, then a cursor where it stopped.
 */
const TAG_PAGE = 100;

const keyOf = (item: Item): CursorKey => ({
  PK: String(item.PK),
  SK: String(item.SK),
  UserThreadPK: String(item.UserThreadPK),
  UserThreadSK: String(item.UserThreadSK),
});

/**
 * A row from what the index projects (keys, id, name): createdAt and updatedAt are both the UserThreadSK time,
 * which is all the sidebar needs. A missing name is null ("Untitled" in the UI), never an error.
 */
function threadRow(item: Item): Row {
  const at = timestampFromUserThreadSk(String(item.UserThreadSK));
  // The key, not the projected `id` attribute: a row names the thread it is the row of.
  const id = threadIdFromPk(String(item.PK));
  const name = typeof item.name === "string" ? item.name : null;
  return { key: keyOf(item), summary: ThreadSummarySchema.parse({ id, name, createdAt: at, updatedAt: at }) };
}

/** Deleted threads whose leftovers one listing removes, at most (each costs a Query and a BatchWriteItem). */
const LEFTOVER_THREADS_PER_LISTING = 10;

interface FeedbackListing {
  value: FeedbackValue;
  budget: RebuildBudget;
  /** Threads met as markers whose THREAD item is gone. */
  deleted: Set<string>;
  /** Only threads holding this tag. */
  tag: string | null;
}

/**
 * Feedback markers → rows, with ONE BatchGetItem of their thread items for names, times and index state. A marker
 * whose thread is gone is skipped (and its thread's leftovers removed after the page). A thread whose activity is
 * newer than its index state (Chainlit wrote below the catch-up's watermark) or whose marker sits under another
 * user's partition is rebuilt first, and listed only if it still has feedback of this value for this user.
 */
async function markerRows(ctx: LayerContext, markers: Item[], userId: string, listing: FeedbackListing): Promise<Row[]> {
  if (markers.length === 0) return [];
  const threads = await batchGet(
    ctx,
    markers.map((m) => ({ PK: String(m.PK), SK: THREAD_SK })),
    ["id", "name", "createdAt", "updatedAt", "tags", IMPORT_CLAIM, ...THREAD_STATE_ATTRIBUTES],
  );
  const byPk = new Map(threads.map((t) => [String(t.PK), t]));
  const rows = await mapLimited(markers, 8, async (marker): Promise<Row[]> => {
    const thread = byPk.get(String(marker.PK));
    // An import writes a thread's markers before its THREAD item; until that item replaces the claim, not listed.
    if (isImportClaim(thread)) return [];
    // Gone, or written back by a Chainlit session with no user (leftovers.ts): the marker is a leftover.
    if (!isOwnedThread(thread)) {
      listing.deleted.add(threadIdFromPk(String(marker.PK)));
      return [];
    }
    // A marker under this user's partition for a thread that is someone else's now: re-filed by the rebuild.
    const misfiled = thread.userId !== userId;
    if (!misfiled && listing.tag !== null && !hasTag(thread.tags, listing.tag)) return [];
    const outcome = await rebuildIfBehind(ctx, thread, listing.budget, misfiled);
    if (misfiled || (outcome instanceof Set && !outcome.has(listing.value))) return [];
    return [markerRow(thread, marker)];
  });
  return rows.flat();
}

/**
 * Inline rather than fire-and-forget: each deleted thread is met once (its markers go with this), so the one extra
 * round trip is paid once; a promise left running after the response can be cut off when a serverless instance
 * freezes, and nothing would say so. A failure is logged, not thrown: the page is already right without it.
 */
async function removeDeletedThreadsLeftovers(ctx: LayerContext, deleted: ReadonlySet<string>): Promise<void> {
  const threadIds = [...deleted].slice(0, LEFTOVER_THREADS_PER_LISTING);
  await mapLimited(threadIds, 4, (threadId) => removeLeftoversOnTheWay(ctx, threadId));
}

function markerRow(thread: Item, marker: Item): Row {
  const row = threadRow({ ...thread, ...keyOf(marker) });
  const createdAt = typeof thread.createdAt === "string" ? thread.createdAt : row.summary.createdAt;
  // The thread's activity as the plain list shows it (a Chainlit session moves only UserThreadSK), not the marker's time.
  const updatedAt = lastActivityOf(thread) ?? row.summary.updatedAt;
  return { key: row.key, summary: { ...row.summary, createdAt, updatedAt } };
}

/**
 * Rows of the user's own index partition; with a tag, only the threads holding it, read with ONE BatchGetItem of the
 * page's THREAD items (`tags` is not projected). Read from the THREAD item, so the tags Chainlit's update_thread SET are
 * seen as soon as it wrote them: nothing to catch up. A thread gone or someone else's by then is not listed.
 */
async function indexRows(ctx: LayerContext, items: Item[], userId: string, tag: string | null): Promise<Row[]> {
  const threadItems = items.filter((item) => item.SK === THREAD_SK);
  if (tag === null || threadItems.length === 0) return threadItems.map(threadRow);
  const threads = await batchGet(
    ctx,
    threadItems.map((item) => ({ PK: String(item.PK), SK: THREAD_SK })),
    ["PK", "userId", "tags"],
  );
  const tagged = new Set(threads.filter((t) => t.userId === userId && hasTag(t.tags, tag)).map((t) => String(t.PK)));
  return threadItems.filter((item) => tagged.has(String(item.PK))).map(threadRow);
}

export async function listThreads(ctx: LayerContext, pagination: Pagination, filters: ThreadFilter): Promise<PaginatedResponse<ThreadSummary>> {
  const { first, cursor } = PaginationSchema.parse(pagination);
  const filter = ThreadFilterSchema.parse(filters);
  const { userId } = filter;
  const search = filter.search ? filter.search.toLowerCase() : null;
  const feedback = filter.feedback ?? null;
  const tag = filter.tag ?? null;
  const indexPk = feedback === null ? userThreadPk(userId) : feedbackIndexPk(userId, feedback);
  const kind = filterKind({ search, feedback, tag });
  let startKey: Record<string, unknown> | undefined = cursor ? decodeCursor(ctx.cursorSecret, cursor, { userId, filter: kind, indexPk }) : undefined;

  const listing: FeedbackListing | null = feedback === null ? null : { value: feedback, budget: rebuildBudget(), deleted: new Set(), tag };
  if (listing) await catchUpIndexes(ctx, userId, listing.budget);

  // A search or a tag reads many index rows per row it returns: whole pages, and a bounded number of them.
  const narrowed = search !== null || tag !== null;
  const want = first + 1;
  const rows: Row[] = [];
  let queries = 0;
  do {
    const limit = !narrowed ? want - rows.length : feedback !== null ? MARKER_SEARCH_PAGE : tag !== null ? TAG_PAGE : SEARCH_PAGE;
    const { items, next } = await queryNewestFirst(ctx, indexPk, limit, startKey);
    queries++;
    const candidates = listing ? await markerRows(ctx, items, userId, listing) : await indexRows(ctx, items, userId, tag);
    // Rows without a name never match a search (there is nothing to match), but they are listed without one.
    rows.push(...candidates.filter((row) => !search || (row.summary.name?.toLowerCase().includes(search) ?? false)));
    startKey = next;
  } while (rows.length < want && startKey && !(narrowed && queries >= SEARCH_QUERIES_PER_CALL));
  // Stopped by the bound with rows still unread: the cursor is the last index row read, matched or not.
  const stoppedAt = rows.length < want && startKey ? keyOf(startKey) : null;

  if (listing) await removeDeletedThreadsLeftovers(ctx, listing.deleted);

  const page = rows.slice(0, first);
  const cursorOf = (key: CursorKey | undefined) => (key ? encodeCursor(ctx.cursorSecret, { u: userId, f: kind, k: key }) : null);
  ctx.logger.debug("listThreads read", { userId, rows: page.length, queries, search: search !== null, feedback, tag: tag !== null });
  return {
    pageInfo: { hasNextPage: rows.length > first || stoppedAt !== null, startCursor: cursorOf(page[0]?.key), endCursor: cursorOf(stoppedAt ?? page.at(-1)?.key) },
    // Matched on the whole name above; sent as one short line (a Chainlit name is a whole first message).
    data: page.map((row) => ({ ...row.summary, name: threadNameShown(row.summary.name) })),
  };
}
