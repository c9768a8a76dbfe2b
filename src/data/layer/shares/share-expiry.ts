/**
 * Ending expired shares for Chainlit too (docs/sharing.md, "Expiry"). Expiry is Threadbook's: Chainlit's own
 * `/project/share/{id}` serves any thread whose `metadata.is_shared` is true and knows nothing of an expiry. So when a
 * share's time has come, its flag is set to false, keeping `shared_at` (Chainlit's unshare removes it): the owner
 * still sees the share as expired and can stop or renew it (shares.ts, `endedByExpiry`).
 *
 * Every share that expires has a marker in one index partition sorted by expiry (keys.ts, `SHARES#EXPIRING`), so a
 * sweep is one Query for everything due, nothing when nothing is. Each marker found is checked against the thread's
 * state as it is now (the marker may be stale: the share renewed, stopped, shared again by Chainlit, the thread deleted)
 * and only a share that is still the one that expired has its flag cleared, under a condition on that same
 * `shared_at`, so a share made since is never ended. Several instances may sweep at once: every write is conditional.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { type ShareState } from "../../entities/share";
import { EXPIRING_SHARES_PK, USER_THREAD_INDEX, expiringShareSk, threadIdFromPk } from "../../keys";
import { timestampMicros } from "../../timestamps";
import { mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { removeLeftoversOnTheWay } from "../threads/leftovers";
import { removeShareCopies } from "./share-copies";
import { expiryMarkerKey, expiryMicros, putExpiryMarker, readShareState, threadItemKey } from "./shares";

export interface ShareExpirySweep {
  /** Markers due by now that were looked at. */
  due: number;
  /** Shares whose flag was cleared (Chainlit stops serving them). */
  ended: number;
  /** True when the page was full: more may be due. */
  more: boolean;
}

/** Ends up to `limit` shares due by now. 1 Query; per marker due, 1 BatchGetItem and at most 2 writes. */
/** The layer's clock in microseconds, as expiries are compared. */
const nowMicrosOf = (ctx: LayerContext) => timestampMicros(ctx.now()) ?? Date.now() * 1000;

/** The expiry of the share `state` is live under (its flag on, Threadbook's settings current), or null. */
const liveExpiry = (state: ShareState) => (state.isShared ? (state.settings?.expiresAt ?? null) : null);

export async function endExpiredShares(ctx: LayerContext, limit = 25): Promise<ShareExpirySweep> {
  const nowMicros = nowMicrosOf(ctx);
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: USER_THREAD_INDEX,
      KeyConditionExpression: "UserThreadPK = :pk AND UserThreadSK < :due",
      // Everything that expires up to and including this microsecond (the thread id follows the time in the key).
      ExpressionAttributeValues: { ":pk": EXPIRING_SHARES_PK, ":due": expiringShareSk(nowMicros + 1, "") },
      Limit: limit,
    }),
  );
  const markers = out.Items ?? [];
  const ended = await mapLimited(markers, 4, (marker) => settle(ctx, marker, nowMicros));
  return { due: markers.length, ended: ended.filter(Boolean).length, more: out.LastEvaluatedKey !== undefined };
}

/** Puts one marker right; true when it ended a share. */
async function settle(ctx: LayerContext, marker: Item, nowMicros: number): Promise<boolean> {
  const threadId = threadIdFromPk(String(marker.PK));
  const state = await readShareState(ctx, threadId);
  // Chainlit deleted the thread: the marker and the settings are leftovers of it.
  if (!state) return (await removeLeftoversOnTheWay(ctx, threadId), false);
  if (state.userId === null) {
    // Written back with no user by a Chainlit session left open on the deleted thread (leftovers.ts): the share its
    // owner made is ended for Chainlit too (shareStateOf marks it stopped), and the settings go as leftovers.
    const ended = await endShareIfExpired(ctx, state, nowMicros);
    await removeLeftoversOnTheWay(ctx, threadId);
    return ended;
  }
  const expiresAt = liveExpiry(state);
  if (expiresAt !== null && expiryMicros(expiresAt) > nowMicros) {
    // Renewed while the marker (read from the index, which may lag) still had the old time: it follows the share.
    if (expiringShareSk(expiryMicros(expiresAt), threadId) !== marker.UserThreadSK) await putExpiryMarker(ctx, threadId, state.sharedAt!, expiresAt);
    return false;
  }
  const ended = await endShareIfExpired(ctx, state, nowMicros);
  await dropMarker(ctx, threadId, String(marker.UserThreadSK));
  return ended;
}

/**
 * Ends a share read with its flag still on after its expiry: the sweep has not come yet, or a Chainlit session saved
 * its older metadata back over the cleared flag (its update_thread replaces the whole map). The sweep, the share page,
 * its download links and the owner's "Shared links" call this with the state they read; false when there was nothing
 * to end. The share's copies of files go with it (share-copies.ts): no link to them is signed any more, and a share
 * renewed later copies again on its first download. A failure there is logged; the share is ended all the same.
 */
export async function endShareIfExpired(ctx: LayerContext, state: ShareState, nowMicros = nowMicrosOf(ctx)): Promise<boolean> {
  const expiresAt = liveExpiry(state);
  if (expiresAt === null || state.sharedAt === null || expiryMicros(expiresAt) > nowMicros) return false;
  const ended = await clearFlag(ctx, state.threadId, state.sharedAt);
  if (!ended) return false;
  ctx.logger.info("ended an expired share", { threadId: state.threadId });
  await removeShareCopies(ctx, state.threadId).catch((error: unknown) =>
    ctx.logger.warn("could not remove an ended share's copies", { threadId: state.threadId, error: String(error) }),
  );
  return true;
}

/** `is_shared` to false, only while the thread is still shared under this `shared_at`. */
function clearFlag(ctx: LayerContext, threadId: string, sharedAt: string): Promise<boolean> {
  return onConditionFailed(
    async () => {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: threadItemKey(threadId),
          UpdateExpression: "SET #m.#s = :false",
          ConditionExpression: "#m.#s = :true AND #m.#at = :at",
          ExpressionAttributeNames: { "#m": "metadata", "#s": "is_shared", "#at": "shared_at" },
          ExpressionAttributeValues: { ":false": false, ":true": true, ":at": sharedAt },
        }),
      );
      return true;
    },
    () => false,
  );
}

/** The marker, unless a new share's expiry replaced it since it was read. */
function dropMarker(ctx: LayerContext, threadId: string, due: string): Promise<unknown> {
  return onConditionFailed(
    () =>
      ctx.doc.send(
        new DeleteCommand({
          TableName: ctx.tableName,
          Key: expiryMarkerKey(threadId),
          ConditionExpression: "UserThreadSK = :due",
          ExpressionAttributeValues: { ":due": due },
        }),
      ),
    () => undefined,
  );
}
