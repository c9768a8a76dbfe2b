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
  await forEachPage(ctx, threadId, { skPrefix: options.skPrefix, forward: true }, () => options.attributes, (page) => {
    for (const item of page) items.push(item);
  });
  return items;
}

/**
 * The partition from its last key down (the THREAD item first), the first page whole and every later one projected
 * to `attributes`: what a reader that needs a few items whole and only the keys and times of the rest asks for. The
 * number of Queries is the same (DynamoDB's 1 MB counts the items read, not what is returned); what travels is not.
 */
export async function queryPartitionSkimmed(ctx: LayerContext, threadId: string, attributes: readonly string[]): Promise<{ whole: Item[]; skimmed: Item[] }> {
  const whole: Item[] = [];
  const skimmed: Item[] = [];
  await forEachPage(ctx, threadId, { forward: false }, (page) => (page === 0 ? undefined : attributes), (items, page) => {
    for (const item of items) (page === 0 ? whole : skimmed).push(item);
  });
  return { whole, skimmed };
}

async function forEachPage(
  ctx: LayerContext,
  threadId: string,
  options: { skPrefix?: string; forward: boolean },
  attributesOf: (page: number) => readonly string[] | undefined,
  onPage: (items: Item[], page: number) => void,
): Promise<void> {
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  let page = 0;
  do {
    const expr = new ExpressionBuilder();
    const keyCondition = [`${expr.name("PK")} = ${expr.value(threadPk(threadId))}`];
    if (options.skPrefix) keyCondition.push(`begins_with(${expr.name("SK")}, ${expr.value(options.skPrefix)})`);
    const attributes = attributesOf(page);
    const projection = attributes ? expr.projection(attributes) : undefined;
    const { ExpressionAttributeNames, ExpressionAttributeValues } = expr.attributes();
    // The low-level command with our own unmarshalling (codec.ts): this is the layer's heaviest read.
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: keyCondition.join(" AND "),
        ...(projection ? { ProjectionExpression: projection } : {}),
        ...(options.forward ? {} : { ScanIndexForward: false }),
        ExpressionAttributeNames,
        ExpressionAttributeValues: ExpressionAttributeValues && marshall(ExpressionAttributeValues),
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    onPage((out.Items ?? []).map((item) => unmarshallItem(item)), page++);
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
