/**
 * Batch reads and deletes with bounded retries. Chainlit retried UnprocessedItems with a 2→32 s backoff and no
 * limit, so a throttled delete could hang a request forever; here it gives up after MAX_ATTEMPTS with `unavailable`.
 */
import { BatchGetCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../dynamo/codec";
import { DataError } from "../errors";
import { type LayerContext } from "./context";
import { ExpressionBuilder, type AttributePath } from "./update-expression";

export type TableKey = { PK: string; SK: string };

const WRITE_BATCH = 25; // DynamoDB's BatchWriteItem limit
const GET_BATCH = 100; // DynamoDB's BatchGetItem limit
const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 2_000;

export const chunk = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter: 50 ms doubling to 2 s, each delay drawn from its upper half. */
const backoff = (attempt: number) => {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return sleep(ceiling / 2 + Math.random() * (ceiling / 2));
};

/** Maps over `items` with at most `limit` calls in flight. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Sends one batch and re-sends what DynamoDB left unprocessed until nothing is left or the attempts run out. */
async function untilProcessed<T>(what: string, pending: T, send: (pending: T) => Promise<T | undefined>): Promise<void> {
  let rest: T | undefined = pending;
  for (let attempt = 0; rest !== undefined; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new DataError("unavailable", `${what}: DynamoDB left items unprocessed after ${MAX_ATTEMPTS} attempts`);
    if (attempt > 0) await backoff(attempt - 1);
    rest = await send(rest);
  }
}

export type WriteRequest = { DeleteRequest: { Key: TableKey } } | { PutRequest: { Item: Item } };

/** BatchWriteItem, 25 requests per call, `concurrency` calls in flight. */
export async function batchWrite(ctx: LayerContext, requests: readonly WriteRequest[], concurrency: number): Promise<void> {
  await mapLimited(chunk(requests, WRITE_BATCH), concurrency, (batch) =>
    untilProcessed("batchWrite", batch, async (pending) => {
      const out = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }));
      const unprocessed = out.UnprocessedItems?.[ctx.tableName];
      return unprocessed && unprocessed.length > 0 ? (unprocessed as WriteRequest[]) : undefined;
    }),
  );
}

/** Deletes items by key; several batches in flight (deleteThread of a long thread is the heavy user). */
export const batchDelete = (ctx: LayerContext, keys: readonly TableKey[], concurrency = 4) =>
  batchWrite(ctx, keys.map((Key) => ({ DeleteRequest: { Key } })), concurrency);

/** Writes whole items (step parts: 25 × ≤300 KB stays under BatchWriteItem's 16 MB request limit). */
export const batchPut = (ctx: LayerContext, items: readonly Item[], concurrency = 2) =>
  batchWrite(ctx, items.map((Item) => ({ PutRequest: { Item } })), concurrency);

/** Reads items by key (100 per BatchGetItem, strongly consistent), projecting `attributes` (whole items without). Order is not kept. */
export async function batchGet(ctx: LayerContext, keys: readonly TableKey[], attributes?: readonly AttributePath[]): Promise<Item[]> {
  const found: Item[] = [];
  await mapLimited(chunk(keys, GET_BATCH), 4, (batch) => {
    const expr = new ExpressionBuilder();
    const projection = attributes ? expr.projection(attributes) : undefined;
    return untilProcessed("batchGet", batch as Array<Record<string, unknown>>, async (Keys) => {
      const out = await ctx.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [ctx.tableName]: projection ? { Keys, ProjectionExpression: projection, ExpressionAttributeNames: expr.names, ConsistentRead: true } : { Keys, ConsistentRead: true },
          },
        }),
      );
      found.push(...((out.Responses?.[ctx.tableName] ?? []) as Item[]));
      const unprocessed = out.UnprocessedKeys?.[ctx.tableName]?.Keys;
      return unprocessed && unprocessed.length > 0 ? unprocessed : undefined;
    });
  });
  return found;
}
