/**
 * listThreads over the UserThread index. Chainlit ignored `first` (always 10 rows), reported hasNextPage from
 * LastEvaluatedKey (so the last page could be empty), searched with a case-sensitive `contains` applied after
 * Limit (0–10 hits per page while more existed), had no feedback filter and crashed on threads without a name (#2623).
 *
 * Here every listing is the same loop: Query the index newest first, turn items into rows (feedback markers are
 * resolved to their threads), keep the rows matching the search, until first+1 rows are found or the partition
 * ends. The extra row makes hasNextPage exact; it is not returned, and the cursor is the last *returned* row's key.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../codec";
import { decodeCursor, encodeCursor, filterKind, type CursorKey } from "../cursor";
import { PaginationSchema, ThreadFilterSchema, ThreadSummarySchema, type Pagination, type PaginatedResponse, type ThreadFilter, type ThreadSummary } from "../entities/thread";
import { THREAD_SK, USER_THREAD_INDEX, feedbackIndexPk, threadIdFromPk, timestampFromUserThreadSk, userThreadPk } from "../keys";
import { batchGet } from "./batch";
import { type LayerContext } from "./context";
import { ExpressionBuilder } from "./update-expression";

interface Row {
  key: CursorKey;
  summary: ThreadSummary;
}

/** Query page sizes: a search reads many rows per hit; a marker page feeds one BatchGetItem (≤ 100 keys). */
const SEARCH_PAGE = 500;
const MARKER_SEARCH_PAGE = 100;

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
  const id = typeof item.id === "string" ? item.id : threadIdFromPk(String(item.PK));
  const name = typeof item.name === "string" ? item.name : null;
  return { key: keyOf(item), summary: ThreadSummarySchema.parse({ id, name, createdAt: at, updatedAt: at }) };
}

/**
 * Feedback markers → rows, with ONE BatchGetItem of their thread items for names and times. Markers whose thread is
 * gone or now belongs to someone else are skipped: Chainlit's delete_thread or a changed userId can leave them.
 */
async function markerRows(ctx: LayerContext, markers: Item[], userId: string): Promise<Row[]> {
  if (markers.length === 0) return [];
  const threads = await batchGet(
    ctx,
    markers.map((m) => ({ PK: String(m.PK), SK: THREAD_SK })),
    ["PK", "id", "name", "createdAt", "updatedAt", "UserThreadSK", "userId"],
  );
  const byPk = new Map(threads.map((t) => [String(t.PK), t]));
  return markers.flatMap((marker) => {
    const thread = byPk.get(String(marker.PK));
    if (!thread || thread.userId !== userId) return [];
    const row = threadRow({ ...thread, ...keyOf(marker) });
    const createdAt = typeof thread.createdAt === "string" ? thread.createdAt : row.summary.createdAt;
    const updatedAt = typeof thread.updatedAt === "string" ? thread.updatedAt : row.summary.updatedAt;
    return [{ key: row.key, summary: { ...row.summary, createdAt, updatedAt } }];
  });
}

export async function listThreads(ctx: LayerContext, pagination: Pagination, filters: ThreadFilter): Promise<PaginatedResponse<ThreadSummary>> {
  const { first, cursor } = PaginationSchema.parse(pagination);
  const filter = ThreadFilterSchema.parse(filters);
  const { userId } = filter;
  const search = filter.search ? filter.search.toLowerCase() : null;
  const feedback = filter.feedback ?? null;
  const indexPk = feedback === null ? userThreadPk(userId) : feedbackIndexPk(userId, feedback);
  const kind = filterKind({ search, feedback });
  let startKey: Record<string, unknown> | undefined = cursor ? decodeCursor(ctx.cursorSecret, cursor, { userId, filter: kind, indexPk }) : undefined;

  const want = first + 1;
  const rows: Row[] = [];
  let queries = 0;
  do {
    const expr = new ExpressionBuilder();
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        IndexName: USER_THREAD_INDEX,
        KeyConditionExpression: `${expr.name("UserThreadPK")} = ${expr.value(indexPk)}`,
        ...expr.attributes(),
        ScanIndexForward: false,
        Limit: search ? (feedback === null ? SEARCH_PAGE : MARKER_SEARCH_PAGE) : want - rows.length,
        ExclusiveStartKey: startKey,
      }),
    );
    queries++;
    const items = (out.Items ?? []) as Item[];
    const candidates = feedback === null ? items.filter((item) => item.SK === THREAD_SK).map(threadRow) : await markerRows(ctx, items, userId);
    // Rows without a name never match a search (there is nothing to match), but they are listed without one.
    rows.push(...candidates.filter((row) => !search || (row.summary.name?.toLowerCase().includes(search) ?? false)));
    startKey = out.LastEvaluatedKey;
  } while (rows.length < want && startKey);

  const page = rows.slice(0, first);
  const cursorOf = (row: Row | undefined) => (row ? encodeCursor(ctx.cursorSecret, { u: userId, f: kind, k: row.key }) : null);
  ctx.logger.debug("listThreads read", { userId, rows: page.length, queries, search: search !== null, feedback });
  return {
    pageInfo: { hasNextPage: rows.length > first, startCursor: cursorOf(page[0]), endCursor: cursorOf(page.at(-1)) },
    data: page.map((row) => row.summary),
  };
}
