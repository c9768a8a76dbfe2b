/** Reads of one thread's partition (`THREAD#{id}`): the thread, its steps, elements, step parts and feedback markers. */
import { QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { unmarshallItem, type Item } from "../codec";
import { threadPk } from "../keys";
import { type LayerContext } from "./context";
import { ExpressionBuilder } from "./update-expression";

/**
 * Every item of the partition (or those whose SK starts with `skPrefix`), following LastEvaluatedKey: one Query per
 * MB. Strongly consistent: Chainlit's eventually consistent read could miss the step written a moment before.
 */
export async function queryPartition(
  ctx: LayerContext,
  threadId: string,
  options: { attributes?: readonly string[]; skPrefix?: string } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const expr = new ExpressionBuilder();
    const keyCondition = [`${expr.name("PK")} = ${expr.value(threadPk(threadId))}`];
    if (options.skPrefix) keyCondition.push(`begins_with(${expr.name("SK")}, ${expr.value(options.skPrefix)})`);
    const { ExpressionAttributeNames, ExpressionAttributeValues } = expr.attributes();
    // The low-level command with our own unmarshalling (codec.ts): this is the layer's heaviest read.
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: keyCondition.join(" AND "),
        ...(options.attributes ? { ProjectionExpression: expr.projection(options.attributes) } : {}),
        ExpressionAttributeNames,
        ExpressionAttributeValues: ExpressionAttributeValues && marshall(ExpressionAttributeValues),
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    for (const item of out.Items ?? []) items.push(unmarshallItem(item));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
