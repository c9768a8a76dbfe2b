/**
 * Pinned threads (docs/data-layer.md, "Pinned threads"). A user's pins are one item, `USER#{identifier}` / `PINS`,
 * holding a map from thread id to the time it was pinned. Why there and not on the thread:
 *
 * - No Chainlit write reaches it: create_user PutItems only the `USER` item of the partition, update_thread SETs
 *   attributes of the THREAD item, delete_thread deletes the items of the thread's own partition.
 * - The THREAD item is read anyway for the current name, so a pin holds no name of its own: a Chainlit rename shows.
 * - The bound is one conditional write (`size(pins) < MAX_PINNED_THREADS`), exact however many tabs pin at once, and
 *   the list is one strongly consistent GetItem (a pin shows on the next reload, which the UserThread index, eventually
 *   consistent on AWS, would not promise), then one BatchGetItem of the threads, ≤ 50 keys.
 *
 * A pin naming a thread that is gone (Chainlit's delete_thread knows nothing of pins) or that is no longer the
 * user's is never listed, and the listing that meets it removes it. Threadbook's own deletes remove the pin
 * (deleteThread, deleteUser), and the doctor sweeps what no listing met.
 */
import { threadNameShown } from "../../entities/thread-name";
import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { IdSchema } from "../../entities/common";
import { MAX_PINNED_THREADS, PinsSchema, type PinnedThread } from "../../entities/pin";
import { THREAD_SK, pinsKey, threadIdFromPk, threadPk } from "../../keys";
import { compareTimestamps } from "../../timestamps";
import { batchGet } from "../batch";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { ExpressionBuilder } from "../update-expression";
import { lastActivityOf } from "./get-thread";

const PINS = "pins";

/** `full`: the user has MAX_PINNED_THREADS pins already and this thread is not one of them; nothing was written. */
export type PinOutcome = "pinned" | "full";

/**
 * Pins `threadId` for `userId`. The caller has checked that the thread is the user's (the thread gate): the layer
 * trusts it, as it trusts `owner` elsewhere. Pinning a pinned thread keeps its first pin time. Round trips: 1
 * UpdateItem; the user's first pin 2 (the map does not exist yet, as with a thread's metadata: threads.ts); a full
 * map 3, + the stale-pin sweep (GetItem, BatchGetItem, and when it removes any, 2 UpdateItems).
 */
export async function pinThread(ctx: LayerContext, userId: string, threadId: string): Promise<PinOutcome> {
  IdSchema.parse(threadId);
  const at = ctx.now();
  // Into the map while it has room; else create the map; a failure of both means another writer created it
  // meanwhile, so the merge is tried once more, and its failure with the map there can only mean "full".
  const merge = () =>
    write(ctx, userId, (expr) => {
      const pin = expr.name([PINS, threadId]);
      return {
        UpdateExpression: `SET ${pin} = if_not_exists(${pin}, ${expr.value(at)})`,
        ConditionExpression: `attribute_type(${expr.name(PINS)}, ${expr.value("M")}) AND (attribute_exists(${pin}) OR size(${expr.name(PINS)}) < ${expr.value(MAX_PINNED_THREADS)})`,
      };
    });
  const create = () =>
    write(ctx, userId, (expr) => ({
      UpdateExpression: `SET ${expr.name(PINS)} = ${expr.value({ [threadId]: at })}`,
      ConditionExpression: `attribute_not_exists(${expr.name(PINS)})`,
    }));
  for (const attempt of [merge, create, merge]) if (await attempt()) return "pinned";
  // Full, perhaps of pins of threads Chainlit deleted since the last listing: those make room.
  if ((await sweepStalePins(ctx, userId)) > 0 && (await merge())) return "pinned";
  return "full";
}

/** Unpins; false when the thread was not pinned (nothing written, no empty item created). One UpdateItem. */
export async function unpinThread(ctx: LayerContext, userId: string, threadId: string): Promise<boolean> {
  IdSchema.parse(threadId);
  return write(ctx, userId, (expr) => {
    const pin = expr.name([PINS, threadId]);
    return { UpdateExpression: `REMOVE ${pin}`, ConditionExpression: `attribute_exists(${pin})` };
  });
}

/** One conditional UpdateItem of the user's PINS item; false when its condition failed. */
function write(ctx: LayerContext, userId: string, build: (expr: ExpressionBuilder) => { UpdateExpression: string; ConditionExpression: string }): Promise<boolean> {
  const expr = new ExpressionBuilder();
  const command = build(expr);
  return onConditionFailed(
    async () => {
      await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, Key: pinsKey(userId), ...command, ...expr.attributes() }));
      return true;
    },
    () => false,
  );
}

/** The user's pins, newest first: [thread id, pinned at]. An item that does not read as pins is none. */
async function readPins(ctx: LayerContext, userId: string): Promise<Array<[string, string]>> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: pinsKey(userId), ConsistentRead: true, ProjectionExpression: "#p", ExpressionAttributeNames: { "#p": PINS } }));
  const parsed = PinsSchema.safeParse(out.Item ?? {});
  if (!parsed.success) return [];
  return Object.entries(parsed.data.pins)
    .sort(([, a], [, b]) => compareTimestamps(b, a))
    .slice(0, MAX_PINNED_THREADS);
}

interface PinnedRead {
  rows: PinnedThread[];
  /** Pins naming a thread that is gone or someone else's now, with the time each was pinned (for the conditional removal). */
  stale: Array<[string, string]>;
}

/** The pins and their THREAD items (one strongly consistent BatchGetItem): listed rows and stale pins. */
async function readPinnedThreads(ctx: LayerContext, userId: string): Promise<PinnedRead> {
  const pins = await readPins(ctx, userId);
  if (pins.length === 0) return { rows: [], stale: [] };
  const threads = await batchGet(
    ctx,
    pins.map(([threadId]) => ({ PK: threadPk(threadId), SK: THREAD_SK })),
    ["PK", "name", "createdAt", "updatedAt", "UserThreadSK", "userId"],
  );
  const byId = new Map(threads.map((item) => [threadIdFromPk(String(item.PK)), item]));
  const read: PinnedRead = { rows: [], stale: [] };
  for (const [threadId, pinnedAt] of pins) {
    const thread = byId.get(threadId);
    // The owner as the THREAD item says now: a thread Chainlit's update_thread gave to another user leaves this list.
    if (thread && thread.userId === userId) read.rows.push(pinnedRow(threadId, thread, pinnedAt));
    else read.stale.push([threadId, pinnedAt]);
  }
  return read;
}

function pinnedRow(threadId: string, thread: Item, pinnedAt: string): PinnedThread {
  const updatedAt = lastActivityOf(thread) ?? pinnedAt;
  return {
    id: threadId,
    name: threadNameShown(typeof thread.name === "string" ? thread.name : null),
    createdAt: typeof thread.createdAt === "string" ? thread.createdAt : updatedAt,
    updatedAt,
    pinnedAt,
  };
}

/**
 * Removes stale pins in one UpdateItem, each only while it still holds the time read (so the removal can never take
 * a pin made since). Returns how many were removed.
 */
async function removeStalePins(ctx: LayerContext, userId: string, stale: ReadonlyArray<[string, string]>): Promise<number> {
  if (stale.length === 0) return 0;
  const removed = await write(ctx, userId, (expr) => ({
    UpdateExpression: `REMOVE ${stale.map(([threadId]) => expr.name([PINS, threadId])).join(", ")}`,
    ConditionExpression: stale.map(([threadId, at]) => `${expr.name([PINS, threadId])} = ${expr.value(at)}`).join(" AND "),
  }));
  if (removed) ctx.logger.info("removed pins of threads that are gone", { userId, pins: stale.length });
  return removed ? stale.length : 0;
}

/**
 * The sidebar's Pinned section: the caller's pinned threads that exist and are still theirs, newest pin first, with
 * each thread's current name and activity. Round trips: 1 GetItem (no pins: that is all), + 1 BatchGetItem; + 1
 * UpdateItem when stale pins are met, inline (as leftovers are: list-threads.ts) and only logged when it fails.
 */
export async function listPinnedThreads(ctx: LayerContext, userId: string): Promise<PinnedThread[]> {
  const { rows, stale } = await readPinnedThreads(ctx, userId);
  await removeStalePins(ctx, userId, stale).catch((error: unknown) => {
    ctx.logger.warn("could not remove stale pins", { userId, error: String(error) });
  });
  return rows;
}

/** For the doctor's repair: the stale pins of a fresh read removed (the Scan it diagnosed from may be seconds old). */
export async function sweepStalePins(ctx: LayerContext, userId: string): Promise<number> {
  return removeStalePins(ctx, userId, (await readPinnedThreads(ctx, userId)).stale);
}

/** A thread Threadbook deletes leaves its owner's pins (deleteThread): one UpdateItem, writing nothing when unpinned. */
export const unpinDeletedThread = (ctx: LayerContext, userId: string, threadId: string) => unpinThread(ctx, userId, threadId);

/** A user Threadbook deletes (deleteUser) leaves no pins. */
export async function deletePins(ctx: LayerContext, userId: string): Promise<void> {
  await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: pinsKey(userId) }));
}

/** The ids of the user's pinned threads (retention keeps them): one strongly consistent GetItem. */
export async function pinnedThreadIds(ctx: LayerContext, userId: string): Promise<Set<string>> {
  return new Set((await readPins(ctx, userId)).map(([threadId]) => threadId));
}
