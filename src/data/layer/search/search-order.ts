/**
 * Order and ownership of a query's candidates (docs/search.md, "A query"): newest activity first, and only threads
 * that are the caller's. Two sources of that order: the caller's own `USER#{userId}` index partition read newest first
 * (its rows are the caller's threads, with their activity and name), and the THREAD items themselves (strongly
 * consistent, read with the page's BatchGetItem when the candidates are few).
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { type CursorKey } from "../../cursor";
import { THREAD_SK, USER_THREAD_INDEX, threadIdFromPk, threadPk, timestampFromUserThreadSk, userThreadPk } from "../../keys";
import { type LayerContext } from "../context";
import { ExpressionBuilder } from "../update-expression";

/** Index rows a walk reads per Query (about 220 bytes each: a page stays far below 1 MB). */
export const INDEX_WALK_PAGE = 1_000;
const INDEX_WALK_PAGES = 20;

export interface Ordered {
  threadId: string;
  /** THREAD#{threadId}, the index row's key. */
  PK: string;
  name: string | null;
  /** The UserThreadSK: the thread's activity. */
  UserThreadSK: string;
  updatedAt: string;
}

/** An index row or a THREAD item as a hit's order and name. */
export function orderedRow(item: Item): Ordered {
  const sk = String(item.UserThreadSK);
  const PK = String(item.PK);
  return { threadId: threadIdFromPk(PK), PK, name: typeof item.name === "string" ? item.name : null, UserThreadSK: sk, updatedAt: timestampFromUserThreadSk(sk) };
}

/** (UserThreadSK, PK) descending: the UserThread index's order, made total by the key. */
export const isBefore = (row: { UserThreadSK: string; PK: string }, after: CursorKey | null) =>
  !after || row.UserThreadSK < after.UserThreadSK || (row.UserThreadSK === after.UserThreadSK && row.PK < after.PK);

export const newestFirst = (a: Ordered, b: Ordered) =>
  a.UserThreadSK !== b.UserThreadSK ? (a.UserThreadSK < b.UserThreadSK ? 1 : -1) : a.PK < b.PK ? 1 : a.PK > b.PK ? -1 : 0;

export interface IndexRows {
  rows: Ordered[];
  /** Where the next Query resumes; undefined when the partition ended. */
  lastKey: Record<string, unknown> | undefined;
}

/** One Query of the caller's index partition, newest first, below the cursor (or from `startKey`). */
export async function readIndexRows(ctx: LayerContext, userId: string, after: CursorKey | null, limit: number, startKey?: Record<string, unknown>): Promise<IndexRows> {
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
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const rows = ((out.Items ?? []) as Item[]).filter((item) => item.SK === THREAD_SK && typeof item.UserThreadSK === "string").map(orderedRow);
  return { rows: rows.filter((row) => isBefore(row, after)), lastKey: out.LastEvaluatedKey };
}

/**
 * Many candidates: walks the caller's index newest first from `from` (where an earlier read stopped) until `want`
 * of `wanted` are met. One Query per INDEX_WALK_PAGE rows.
 */
export async function walkIndex(ctx: LayerContext, userId: string, wanted: ReadonlySet<string>, after: CursorKey | null, want: number, from: Record<string, unknown> | undefined): Promise<Ordered[]> {
  const found: Ordered[] = [];
  let startKey = from;
  for (let page = 0; page < INDEX_WALK_PAGES && found.length < want; page++) {
    const { rows, lastKey } = await readIndexRows(ctx, userId, after, INDEX_WALK_PAGE, startKey);
    found.push(...rows.filter((row) => wanted.has(row.threadId)));
    startKey = lastKey;
    if (!startKey) break;
  }
  return found.slice(0, want);
}

/** The THREAD item's key of a candidate. */
export const threadKey = (threadId: string) => ({ PK: threadPk(threadId), SK: THREAD_SK });
