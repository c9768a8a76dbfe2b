/**
 * The user's threads a delete job is to remove: the rows of their own UserThread partition (`USER#{userId}`, where
 * Chainlit's update_thread files the threads it writes too) whose last activity (`UserThreadSK = TS#{time}`) is at or
 * before the job's start. Newest first, so the sidebar empties from its top as the job goes.
 *
 * An index row only proposes a thread: it says what the THREAD item's `UserThreadPK` says. Whose thread it is, the
 * delete decides on the THREAD item itself (deleteThread's `onlyOwnedBy`).
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

function upToCutoff(userId: string, cutoff: string, extra: Record<string, unknown>) {
  const expr = new ExpressionBuilder();
  const condition = `${expr.name("UserThreadPK")} = ${expr.value(userThreadPk(userId))} AND ${expr.name("UserThreadSK")} <= ${expr.value(userThreadSk(cutoff))}`;
  return { TableName: "", IndexName: USER_THREAD_INDEX, KeyConditionExpression: condition, ...extra, ...expr.attributes() };
}

/** One Query: up to `limit` threads at or before `cutoff`, newest first, from `startKey`. */
export async function threadsToDelete(ctx: LayerContext, userId: string, cutoff: string, limit: number, startKey: StartKey): Promise<ThreadsToDeletePage> {
  const out = await ctx.doc.send(
    new QueryCommand({
      ...upToCutoff(userId, cutoff, { ProjectionExpression: "PK, SK", ScanIndexForward: false, Limit: limit, ExclusiveStartKey: startKey }),
      TableName: ctx.tableName,
    }),
  );
  const threadIds = (out.Items ?? []).filter((item) => item.SK === THREAD_SK).map((item) => threadIdFromPk(String(item.PK)));
  return { threadIds, next: out.LastEvaluatedKey };
}

/** How many rows `threadsToDelete` would walk: Select COUNT, one Query per MB of index. */
export async function countThreadsToDelete(ctx: LayerContext, userId: string, cutoff: string): Promise<number> {
  let count = 0;
  let startKey: StartKey;
  do {
    const out = await ctx.doc.send(new QueryCommand({ ...upToCutoff(userId, cutoff, { Select: "COUNT", ExclusiveStartKey: startKey }), TableName: ctx.tableName }));
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}
