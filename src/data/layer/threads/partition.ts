/** Reads of one thread's partition (`THREAD#{id}`): the thread, its steps, elements, step parts and feedback markers. */
import { QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { unmarshallItem, type Item } from "../../dynamo/codec";
import { threadPk } from "../../keys";
import { type LayerContext } from "../context";
import { ExpressionBuilder } from "../update-expression";

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
 * `split`, given the first page's last key when there is more, may name key ranges covering every key below it (SK
 * bounds inclusive, the first range open below): those are read at the same time, each to its end, instead of one
 * page after the other; an item that two ranges both hold comes once. `onFirstPage` is given the first page's items
 * when more is still to read, before the rest is asked for: a caller can act on them (the THREAD item) meanwhile, or
 * answer false to have nothing more read (`stopped`).
 */
export async function queryPartitionSkimmed(
  ctx: LayerContext,
  threadId: string,
  attributes: readonly string[],
  options: { split?: (lastSk: string) => SkRange[] | null; onFirstPage?: (items: readonly Item[]) => boolean | void } = {},
): Promise<{ whole: Item[]; skimmed: Item[]; stopped: boolean }> {
  const { split, onFirstPage } = options;
  const whole: Item[] = [];
  const skimmed: Item[] = [];
  let lastKey: Record<string, AttributeValue> | undefined;
  let stopped = false;
  await forEachPage(ctx, threadId, { forward: false }, (page) => (page === 0 ? undefined : attributes), (items, page, next) => {
    for (const item of items) (page === 0 ? whole : skimmed).push(item);
    // false from onFirstPage: the caller wants nothing more of this partition.
    if (page === 0 && next && onFirstPage?.(items) === false) stopped = true;
    // After the first page: stop here when the rest is read in ranges.
    if (page === 0 && next && split) lastKey = next;
    return !(page === 0 && (lastKey || stopped));
  });
  if (stopped) return { whole, skimmed, stopped };
  const ranges = lastKey && split?.(String(unmarshallItem(lastKey).SK));
  if (lastKey && !ranges) {
    await forEachPage(ctx, threadId, { forward: false, startKey: lastKey }, () => attributes, (items) => void skimmed.push(...items));
  } else if (ranges) {
    const seen = new Set(whole.map((item) => String(item.SK)));
    const pages = await Promise.all(
      ranges.map(async (range) => {
        const items: Item[] = [];
        await forEachPage(ctx, threadId, { forward: false, range }, () => attributes, (page) => void items.push(...page));
        return items;
      }),
    );
    for (const item of pages.flat()) {
      const sk = String(item.SK);
      if (seen.has(sk)) continue;
      seen.add(sk);
      skimmed.push(item);
    }
  }
  return { whole, skimmed, stopped };
}

/** A range of sort keys, bounds inclusive; no `from`: every key up to `to`. */
export interface SkRange {
  from?: string;
  to: string;
}

async function forEachPage(
  ctx: LayerContext,
  threadId: string,
  options: { skPrefix?: string; forward: boolean; range?: SkRange; startKey?: Record<string, AttributeValue> },
  attributesOf: (page: number) => readonly string[] | undefined,
  /** Returns false to stop before the next page. */
  onPage: (items: Item[], page: number, next: Record<string, AttributeValue> | undefined) => boolean | void,
): Promise<void> {
  let ExclusiveStartKey = options.startKey;
  let page = 0;
  do {
    const expr = new ExpressionBuilder();
    const keyCondition = [`${expr.name("PK")} = ${expr.value(threadPk(threadId))}`];
    if (options.skPrefix) keyCondition.push(`begins_with(${expr.name("SK")}, ${expr.value(options.skPrefix)})`);
    const range = options.range;
    if (range) keyCondition.push(range.from === undefined ? `${expr.name("SK")} <= ${expr.value(range.to)}` : `${expr.name("SK")} BETWEEN ${expr.value(range.from)} AND ${expr.value(range.to)}`);
    const attributes = attributesOf(page);
    const projection = attributes ? expr.projection(attributes) : undefined;
    const { ExpressionAttributeNames, ExpressionAttributeValues } = expr.attributes();
    // The low-level command with our own unmarshalling (dynamo/codec.ts): this is the layer's heaviest read.
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
    ExclusiveStartKey = out.LastEvaluatedKey;
    if (onPage((out.Items ?? []).map((item) => unmarshallItem(item)), page++, ExclusiveStartKey) === false) return;
  } while (ExclusiveStartKey);
}
