/**
 * The two ways the layer reads the UserThread index (`UserThreadPK`, `UserThreadSK`), written once:
 *
 * - a listing page, newest first, of one index partition (the thread list, a feedback filter, "Shared links");
 * - a catch-up walk of the user's own partition, oldest activity first, above a watermark (feedback-catch-up.ts,
 *   share-catch-up.ts), reading only the keys: what changed is read afterwards, one BatchGetItem a page.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { THREAD_SK, USER_THREAD_INDEX, userThreadPk } from "../../keys";
import { type LayerContext } from "../context";
import { ExpressionBuilder } from "../update-expression";

type StartKey = Record<string, unknown> | undefined;

export interface IndexPage {
  items: Item[];
  /** Where the next page starts; undefined once the partition has been read to its end. */
  next: StartKey;
}

/** One Query of an index partition, newest first. */
export async function queryNewestFirst(ctx: LayerContext, indexPk: string, limit: number, startKey: StartKey): Promise<IndexPage> {
  const expr = new ExpressionBuilder();
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: USER_THREAD_INDEX,
      KeyConditionExpression: `${expr.name("UserThreadPK")} = ${expr.value(indexPk)}`,
      ...expr.attributes(),
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: (out.Items ?? []) as Item[], next: out.LastEvaluatedKey };
}

/**
 * One Query of the user's own partition, oldest activity first, of the threads whose UserThreadSK is above `from`
 * (all of them when null): their PK, SK and UserThreadSK only. `items` holds the THREAD rows alone.
 */
export async function queryActivitySince(ctx: LayerContext, userId: string, from: string | null, limit: number, startKey: StartKey): Promise<IndexPage> {
  const expr = new ExpressionBuilder();
  const sk = expr.name("UserThreadSK");
  const condition = [`${expr.name("UserThreadPK")} = ${expr.value(userThreadPk(userId))}`, ...(from ? [`${sk} > ${expr.value(from)}`] : [])];
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: USER_THREAD_INDEX,
      KeyConditionExpression: condition.join(" AND "),
      ProjectionExpression: expr.projection(["PK", "SK", "UserThreadSK"]),
      ...expr.attributes(),
      ScanIndexForward: true,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: ((out.Items ?? []) as Item[]).filter((item) => item.SK === THREAD_SK), next: out.LastEvaluatedKey };
}
