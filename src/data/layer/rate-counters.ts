/**
 * Rate counters in the table (`RATE#{digest}` / `RATE`), so every app instance on one table sees the same counts.
 * A counter counts within a window that opens at its first hit; its item carries the table's TTL attribute so
 * DynamoDB removes it after the window. TTL deletion is lazy on AWS (up to days) and absent in dynalite, so a read also
 * compares the stored window end and treats a lapsed counter as zero, and the next hit starts a new window.
 */
import { createHash } from "node:crypto";
import { DeleteCommand, GetCommand, UpdateCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { DataError, isConditionalCheckFailed } from "../errors";
import { RATE_SK, rateCounterPk, TTL_ATTRIBUTE } from "../keys";
import { batchGet } from "./batch";
import { type LayerContext } from "./context";
import { onConditionFailed } from "./edge";

export interface RateCounter {
  /** Hits in the current window. */
  count: number;
  /** When the window closes (ms since the epoch). */
  windowEndsAt: number;
  /** The latest failure marked (ms since the epoch; 0 when none). */
  lastAt: number;
}

/** Counter names are digests: bounded key size, and no email or address readable in the table. */
const counterKey = (name: string) => ({ PK: rateCounterPk(createHash("sha256").update(name).digest("base64url")), SK: RATE_SK });

/** An amount counted or taken back: a positive whole number (a fraction or NaN would corrupt the count for the window). */
function checkAmount(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount < 1) throw new DataError("validation", "a rate counter counts whole positive amounts");
  return amount;
}

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

export interface RateHit extends RateCounter {
  /** `lastAt` as it was before this hit (0 when none was marked in the window). */
  previousLastAt: number;
}

/**
 * Counts one hit (`amount` units of it: 1 for a request, its bytes for an upload) and answers with the count that
 * includes it, in one UpdateItem: the ADD is atomic, so hits racing on several instances each get their own number and
 * a limit holds however many arrive at once. The item is created with
 * its window and TTL on the first hit. Only when the stored window has lapsed (and TTL has not removed it yet) does a
 * second, conditional write open a new one; a hit that loses that race counts into the window the winner opened.
 * `lastAt` is not touched here (markRateFailure sets it), so a hit that is refused or forgiven moves no backoff.
 */
export async function countRateHit(ctx: LayerContext, name: string, windowMs: number, now: number, amount = 1): Promise<RateHit> {
  checkAmount(amount);
  const Key = counterKey(name);
  const windowEndsAt = now + windowMs;
  const ttl = Math.ceil(windowEndsAt / 1000);
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = await ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key,
        UpdateExpression: "ADD #count :one SET #end = if_not_exists(#end, :end), #ttl = if_not_exists(#ttl, :ttl)",
        ExpressionAttributeNames: { "#count": "count", "#end": "windowEndsAt", "#ttl": TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ":one": amount, ":end": windowEndsAt, ":ttl": ttl },
        ReturnValues: "ALL_OLD",
      }),
    );
    const old = out.Attributes;
    if (!old) return { count: amount, windowEndsAt, lastAt: 0, previousLastAt: 0 };
    const oldEnd = num(old.windowEndsAt);
    if (oldEnd > now) return { count: num(old.count) + amount, windowEndsAt: oldEnd, lastAt: num(old.lastAt), previousLastAt: num(old.lastAt) };
    try {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key,
          UpdateExpression: "SET #count = :one, #end = :end, #ttl = :ttl REMOVE #last",
          ConditionExpression: "#end <= :now",
          ExpressionAttributeNames: { "#count": "count", "#end": "windowEndsAt", "#ttl": TTL_ATTRIBUTE, "#last": "lastAt" },
          ExpressionAttributeValues: { ":one": amount, ":end": windowEndsAt, ":ttl": ttl, ":now": now },
        }),
      );
      return { count: amount, windowEndsAt, lastAt: 0, previousLastAt: 0 };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new DataError("unavailable", "rate counter kept changing under concurrent writes");
}

/** One conditional UpdateItem on a counter; a counter that no longer matches the condition is left as it is. */
async function updateWhile(ctx: LayerContext, name: string, update: Omit<UpdateCommandInput, "TableName" | "Key">): Promise<void> {
  try {
    await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, Key: counterKey(name), ...update }));
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/**
 * Takes back a hit (or `amount` of it) that turned out not to count (refused, failed, or not a failure). Conditional
 * on a live window and a count of at least `amount`: a counter deleted or reopened meanwhile is left alone (never
 * below zero), and no item without a window or TTL is made.
 */
export function releaseRateHit(ctx: LayerContext, name: string, now: number, amount = 1): Promise<void> {
  checkAmount(amount);
  return updateWhile(ctx, name, {
    UpdateExpression: "ADD #count :minus",
    ConditionExpression: "#end > :now AND #count >= :amount",
    ExpressionAttributeNames: { "#count": "count", "#end": "windowEndsAt" },
    ExpressionAttributeValues: { ":minus": -amount, ":now": now, ":amount": amount },
  });
}

/** Marks the latest failure (what the identifier's backoff runs from); only on a live counter. */
export function markRateFailure(ctx: LayerContext, name: string, now: number): Promise<void> {
  return updateWhile(ctx, name, {
    UpdateExpression: "SET #last = :now",
    ConditionExpression: "#end > :now",
    ExpressionAttributeNames: { "#last": "lastAt", "#end": "windowEndsAt" },
    ExpressionAttributeValues: { ":now": now },
  });
}

export async function clearRateCounter(ctx: LayerContext, name: string): Promise<void> {
  await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: counterKey(name) }));
}

/**
 * A lease: one holder at a time, for `windowMs` from the moment it is taken (the claim on a thread while a turn is
 * written into it: server/chat/thread-claim.ts). One conditional UpdateItem: taken when no one holds it or the last
 * holder's lease has run out (a server that died holding it); true when `holder` now holds it. Unlike a counter, whose
 * window opens at its first hit and then stays, a lease taken a second before an old window would have closed still
 * runs its whole time, and only its holder can give it back (a refused request has nothing to give back, so it never
 * frees another's).
 */
export function takeLease(ctx: LayerContext, name: string, holder: string, windowMs: number, now: number): Promise<boolean> {
  // No holder: the item is new, or a counter item of an earlier Threadbook (whose count means nothing to a lease).
  return writeLease(ctx, name, holder, windowMs, now, { condition: "attribute_not_exists(#holder) OR #end <= :now", values: { ":now": now } });
}

/**
 * Runs `holder`'s lease for `windowMs` again from `now` (a holder whose work outlasts the window); false when it no
 * longer holds it: given back (a renewal landing after the give-back never makes the item again) or taken over.
 */
export function renewLease(ctx: LayerContext, name: string, holder: string, windowMs: number, now: number): Promise<boolean> {
  return writeLease(ctx, name, holder, windowMs, now, { condition: "#holder = :holder", values: {} });
}

/** `holder`'s lease, running `windowMs` from `now`, written when `condition` holds: one conditional UpdateItem. */
function writeLease(ctx: LayerContext, name: string, holder: string, windowMs: number, now: number, when: { condition: string; values: Record<string, number> }): Promise<boolean> {
  const windowEndsAt = now + windowMs;
  const write = new UpdateCommand({
    TableName: ctx.tableName,
    Key: counterKey(name),
    UpdateExpression: "SET #holder = :holder, #end = :end, #ttl = :ttl",
    ConditionExpression: when.condition,
    ExpressionAttributeNames: { "#holder": "holder", "#end": "windowEndsAt", "#ttl": TTL_ATTRIBUTE },
    ExpressionAttributeValues: { ":holder": holder, ":end": windowEndsAt, ":ttl": Math.ceil(windowEndsAt / 1000), ...when.values },
  });
  return onConditionFailed(async () => (await ctx.doc.send(write), true), () => false);
}

/**
 * Whether someone holds the lease at `now` (a holder whose time has not run out). One strongly consistent GetItem: a
 * reader deciding that nobody is writing what the lease guards (a thread's reply left open, server/chat/replace-turns.ts)
 * must see a take or a renewal that has landed.
 */
export async function leaseHeld(ctx: LayerContext, name: string, now: number): Promise<boolean> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: counterKey(name), ConsistentRead: true, ProjectionExpression: "#holder, #end", ExpressionAttributeNames: { "#holder": "holder", "#end": "windowEndsAt" } }));
  return typeof out.Item?.holder === "string" && num(out.Item.windowEndsAt) > now;
}

/** Gives a lease back: deleted only while `holder` still holds it, so a lease taken over since (after it ran out) stays. */
export async function returnLease(ctx: LayerContext, name: string, holder: string): Promise<void> {
  const give = new DeleteCommand({ TableName: ctx.tableName, Key: counterKey(name), ConditionExpression: "#h = :h", ExpressionAttributeNames: { "#h": "holder" }, ExpressionAttributeValues: { ":h": holder } });
  await onConditionFailed(() => ctx.doc.send(give), () => undefined);
}
