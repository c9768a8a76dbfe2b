/**
 * Failure counters in the table (`RATE#{digest}` / `RATE`), so every app instance on one table sees the same counts.
 * A counter counts within a window that opens at its first failure; its item carries the table's TTL attribute so
 * DynamoDB removes it after the window. TTL deletion is lazy on AWS (up to days) and absent in dynalite, so a read also
 * compares the stored window end and treats a lapsed counter as zero, and the next failure starts a new window.
 */
import { createHash } from "node:crypto";
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { DataError, isConditionalCheckFailed } from "../errors";
import { RATE_SK, rateCounterPk, TTL_ATTRIBUTE } from "../keys";
import { batchGet } from "./batch";
import { type LayerContext } from "./context";

export interface RateCounter {
  /** Failures in the current window. */
  count: number;
  /** When the window closes (ms since the epoch). */
  windowEndsAt: number;
  /** The latest failure (ms since the epoch). */
  lastAt: number;
}

/** Counter names are digests: bounded key size, and no email or address readable in the table. */
const counterKey = (name: string) => ({ PK: rateCounterPk(createHash("sha256").update(name).digest("base64url")), SK: RATE_SK });

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The live counters among `names` in one request (absent or lapsed ones are missing from the map). */
export async function getRateCounters(ctx: LayerContext, names: readonly string[], now: number): Promise<Map<string, RateCounter>> {
  const byPk = new Map(names.map((name) => [counterKey(name).PK, name]));
  const items = await batchGet(ctx, [...new Set(names)].map(counterKey), ["PK", "count", "windowEndsAt", "lastAt"]);
  const counters = new Map<string, RateCounter>();
  for (const item of items) {
    const name = byPk.get(String(item.PK));
    const counter = { count: num(item.count), windowEndsAt: num(item.windowEndsAt), lastAt: num(item.lastAt) };
    if (name !== undefined && counter.windowEndsAt > now) counters.set(name, counter);
  }
  return counters;
}

/**
 * Adds a failure: one UpdateItem while the window is open; a second one opens a new window when it is missing or
 * lapsed. Both are conditional, so concurrent failures on several instances never lose a count.
 */
export async function recordRateFailure(ctx: LayerContext, name: string, windowMs: number, now: number): Promise<RateCounter> {
  const Key = counterKey(name);
  const names = { "#count": "count", "#end": "windowEndsAt", "#last": "lastAt", "#ttl": TTL_ATTRIBUTE };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const out = await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key,
          UpdateExpression: "ADD #count :one SET #last = :now",
          ConditionExpression: "#end > :now",
          ExpressionAttributeNames: { "#count": names["#count"], "#end": names["#end"], "#last": names["#last"] },
          ExpressionAttributeValues: { ":one": 1, ":now": now },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { count: num(out.Attributes?.count), windowEndsAt: num(out.Attributes?.windowEndsAt), lastAt: now };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const windowEndsAt = now + windowMs;
    try {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key,
          UpdateExpression: "SET #count = :one, #end = :end, #last = :now, #ttl = :ttl",
          ConditionExpression: "attribute_not_exists(#end) OR #end <= :now",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ":one": 1, ":now": now, ":end": windowEndsAt, ":ttl": Math.ceil(windowEndsAt / 1000) },
        }),
      );
      return { count: 1, windowEndsAt, lastAt: now };
    } catch (error) {
      // Another instance opened the window between the two: count into it.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new DataError("unavailable", "rate counter kept changing under concurrent writes");
}

export async function clearRateCounter(ctx: LayerContext, name: string): Promise<void> {
  await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: counterKey(name) }));
}
