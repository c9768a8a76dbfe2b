/**
 * The threads a delete job proposes: the rows of the user's own UserThread partition (`USER#{userId}`, where
 * Chainlit's update_thread files the threads it writes too) whose activity stamp (`UserThreadSK = TS#{time}`) is at
 * or before `bound` (the job's start plus what a Chainlit host's local clock may be ahead: run-deletion.ts). Newest
 * first, so the sidebar empties from its top as the job goes.
 *
 * An index row only proposes a thread: it says what the THREAD item's `UserThreadPK` and a clock say. Whose thread it
 * is, and whether it was written after the start, the delete decides on the partition itself (deleteThread's
 * `onlyOwnedBy` and `keepIfWrittenAfter`).
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { THREAD_SK, threadIdFromPk, USER_THREAD_INDEX, userThreadPk, userThreadSk } from "../../keys";
import { type LayerContext } from "../context";
import { ExpressionBuilder } from "../update-expression";

type StartKey = Record<string, unknown> | undefined;

export interface ThreadsToDeletePage {
  threadIds: string[];
  /** Where the next page starts; undefined at the end of the partition. */
  next: StartKey;
}

function upToBound(userId: string, bound: string, extra: Record<string, unknown>) {
  const expr = new ExpressionBuilder();
  const condition = `${expr.name("UserThreadPK")} = ${expr.value(userThreadPk(userId))} AND ${expr.name("UserThreadSK")} <= ${expr.value(userThreadSk(bound))}`;
  return { TableName: "", IndexName: USER_THREAD_INDEX, KeyConditionExpression: condition, ...extra, ...expr.attributes() };
}

/** One Query: up to `limit` threads filed at or before `bound`, newest first, from `startKey`. */
export async function threadsToDelete(ctx: LayerContext, userId: string, bound: string, limit: number, startKey: StartKey): Promise<ThreadsToDeletePage> {
  const out = await ctx.doc.send(
    new QueryCommand({
      ...upToBound(userId, bound, { ProjectionExpression: "PK, SK", ScanIndexForward: false, Limit: limit, ExclusiveStartKey: startKey }),
      TableName: ctx.tableName,
    }),
  );
  const threadIds = (out.Items ?? []).filter((item) => item.SK === THREAD_SK).map((item) => threadIdFromPk(String(item.PK)));
  return { threadIds, next: out.LastEvaluatedKey };
}

/** How many rows `threadsToDelete` would walk: Select COUNT, one Query per MB of index. */
export async function countThreadsToDelete(ctx: LayerContext, userId: string, bound: string): Promise<number> {
  let count = 0;
  let startKey: StartKey;
  do {
    const out = await ctx.doc.send(new QueryCommand({ ...upToBound(userId, bound, { Select: "COUNT", ExclusiveStartKey: startKey }), TableName: ctx.tableName }));
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}
