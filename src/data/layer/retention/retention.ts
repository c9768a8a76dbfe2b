/**
 * "Delete conversations older than…" as one item in the user's own partition (`USER#{identifier}` / `RETENTION`,
 * keys.ts says why not on the USER item). While on, the item is listed in the UserThread index partition
 * `RETENTION#DUE` under the time its next run is due, so the sweep (src/server/deletion/retention.ts) finds who is
 * due with one Query and no scan. That same sort key is the run's lease: a runner takes a user by a conditional write
 * naming the due time it read (of two instances one wins), moves it ahead as it goes, and stores where its bounded
 * walk stopped; a setting changed or turned off meanwhile fails the runner's next write, which stops it.
 *
 * A run that dies with its process leaves its lease to expire, and the user is due again: so each claim counts the
 * run's start (`runsWithoutProgress`, in the claim's own write), each cursor stored or walk ended starts the count
 * again, and a runner that finds its claim one run too many stops the setting's runs (stopRetention) instead of
 * running it: the item leaves the index and keeps its period, for its owner to see and choose again.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isRetentionDays, type RetentionDays, type RetentionSetting, type RetentionState } from "../../entities/retention";
import { identifierFromUserPk, RETENTION_DUE_PK, RETENTION_SK, retentionKey, USER_THREAD_INDEX } from "../../keys";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";

function stateOf(item: Record<string, unknown> | undefined): RetentionState | null {
  if (!item || !isRetentionDays(item.days) || typeof item.UserThreadSK !== "string") return null;
  const cursor = item.cursor && typeof item.cursor === "object" ? (item.cursor as Record<string, unknown>) : null;
  const runsWithoutProgress = typeof item.runsWithoutProgress === "number" ? item.runsWithoutProgress : 0;
  return { days: item.days, cursor, due: item.UserThreadSK, runsWithoutProgress };
}

/** The user's period and whether its runs were stopped, null when Off. One strongly consistent GetItem. */
export async function getRetention(ctx: LayerContext, userId: string): Promise<RetentionSetting | null> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: retentionKey(userId), ConsistentRead: true }));
  const item = out.Item;
  if (!item || !isRetentionDays(item.days)) return null;
  return { days: item.days, stopped: typeof item.stoppedAt === "string" };
}

/**
 * Sets the period (due at `dueAt`, a walk from the top) or turns it off (the item deleted, so it leaves the index).
 * One PutItem or DeleteItem; a run going on loses its lease and stops at its next write.
 */
export async function setRetention(ctx: LayerContext, userId: string, days: RetentionDays | null, dueAt: string): Promise<void> {
  if (days === null) {
    await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: retentionKey(userId) }));
    return;
  }
  const item = { ...retentionKey(userId), days, updatedAt: ctx.now(), UserThreadPK: RETENTION_DUE_PK, UserThreadSK: dueAt };
  await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item }));
}

/** Users whose run is due at or before `now`, longest due first, at most `limit` (the index lags: the claim decides). */
export async function listDueRetentions(ctx: LayerContext, now: string, limit: number): Promise<Array<{ userId: string; due: string }>> {
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: USER_THREAD_INDEX,
      KeyConditionExpression: "UserThreadPK = :pk AND UserThreadSK <= :now",
      ExpressionAttributeValues: { ":pk": RETENTION_DUE_PK, ":now": now },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).filter((item) => item.SK === RETENTION_SK).map((item) => ({ userId: identifierFromUserPk(String(item.PK)), due: String(item.UserThreadSK) }));
}

/**
 * Moves the user's due time from `seenDue` to `nextDue` and stores `cursor` (null removes it), only while the item
 * still holds `seenDue`: a claim (`keep`: a run's start, counted), a lease renewed with the cursor a page reached, or a
 * run's end (both progress: the count starts again). The state after, or null when another runner, a changed setting
 * or Off came first. One UpdateItem.
 */
export async function moveRetention(ctx: LayerContext, userId: string, seenDue: string, nextDue: string, cursor: Record<string, unknown> | null | "keep"): Promise<RetentionState | null> {
  const UpdateExpression =
    cursor === "keep" ? "SET #due = :next ADD #runs :one" : cursor === null ? "SET #due = :next, #runs = :zero REMOVE #cursor" : "SET #due = :next, #cursor = :cursor, #runs = :zero";
  return onConditionFailed(
    async () => {
      const out = await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: retentionKey(userId),
          UpdateExpression,
          ConditionExpression: "#due = :seen",
          ExpressionAttributeNames: { "#due": "UserThreadSK", "#runs": "runsWithoutProgress", ...(cursor === "keep" ? {} : { "#cursor": "cursor" }) },
          ExpressionAttributeValues: {
            ...{ ":next": nextDue, ":seen": seenDue },
            ...(cursor === "keep" ? { ":one": 1 } : { ":zero": 0 }),
            ...(cursor && cursor !== "keep" ? { ":cursor": cursor } : {}),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return stateOf(out.Attributes);
    },
    () => null,
  );
}

/**
 * Stops the user's runs, only while the item still holds `seenDue` (the lease of the claim that found one run too
 * many): the item leaves the due index, keeping its period, with when and why. Choosing a period again (setRetention,
 * a PutItem of the whole item) starts them again. False when a changed setting or Off came first. One UpdateItem.
 */
export async function stopRetention(ctx: LayerContext, userId: string, seenDue: string): Promise<boolean> {
  return onConditionFailed(
    async () => {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: retentionKey(userId),
          UpdateExpression: "SET stoppedAt = :now REMOVE UserThreadPK, #due, #cursor",
          ConditionExpression: "#due = :seen",
          ExpressionAttributeNames: { "#due": "UserThreadSK", "#cursor": "cursor" },
          ExpressionAttributeValues: { ":now": ctx.now(), ":seen": seenDue },
        }),
      );
      return true;
    },
    () => false,
  );
}
