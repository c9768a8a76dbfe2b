/**
 * An import's claim on each thread it writes (docs/import-export.md, "Claims"). Imported ids are predictable (the
 * importing user and the source id), and the table is shared with Chainlit, whose writes are unconditional: between
 * the import's existence check and its writes, anyone could create that thread. So before anything goes into a
 * partition, the import claims it with a conditional write of the THREAD item, checks that nothing else is in it, and
 * only then writes the steps; the last write (name, times, index keys) is conditional on the claim still being there.
 *
 * A claim is a THREAD item naming its owner (`userId`, `userIdentifier`: it is owned, so no reader takes what the import
 * writes beside it for a deleted thread's leftovers, and Chainlit's author check refuses anyone else a resume of it)
 * with `importClaim`, listed only under `IMPORT_CLAIMS#{userId}` (keys.ts, `importClaimsPk`): no list shows it, Chainlit's
 * included, until it is finished, and what an import never finished is found per user (unfinished-claims.ts).
 */
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { isConditionalCheckFailed } from "../../errors";
import { importClaimsPk, THREAD_SK, threadPk, userThreadSk } from "../../keys";
import { type LayerContext } from "../context";

export const IMPORT_CLAIM = "importClaim";

/** A THREAD item an import claimed and has not finished: not shown in lists until then, and not a leftover. */
export const isImportClaim = (thread: Item | undefined): boolean => typeof thread?.[IMPORT_CLAIM] === "string";

/**
 * What the import may claim: a thread that is not there (`fresh`); one whose THREAD item names no user (`ownerless`:
 * a Chainlit session saved back over a deleted thread, deleted whole before the claim); the importer's own claim
 * that never finished (`unfinished`: an interrupted import, resumed), not given an owner in a list since.
 */
export type ClaimKind = "fresh" | "ownerless" | "unfinished";

/**
 * Not listed in any user's list: no UserThreadPK (a claim of an earlier version), or the claims' own partition. A
 * Chainlit update_thread naming a user moves it to `USER#{userId}`: it is a thread of theirs from then on.
 */
const UNLISTED = "(attribute_not_exists(UserThreadPK) OR UserThreadPK = :claims)";

/** Whether a THREAD item read is `userId`'s claim still unlisted (as UNLISTED says). */
export const isUnlistedClaimOf = (thread: Item | undefined, userId: string): boolean =>
  thread?.userId === userId && isImportClaim(thread) && (thread.UserThreadPK === undefined || thread.UserThreadPK === importClaimsPk(userId));

const CONDITIONS: Record<ClaimKind, string> = {
  fresh: "attribute_not_exists(PK)",
  // deleteThread removed the user-less item just before; anything there now was written since.
  ownerless: "attribute_not_exists(PK)",
  unfinished: `userId = :me AND attribute_exists(#claim) AND ${UNLISTED}`,
};

/** Sends a conditional write; false when its condition failed. */
export async function conditionally(ctx: LayerContext, command: PutCommand | DeleteCommand | UpdateCommand): Promise<boolean> {
  try {
    await ctx.doc.send(command as PutCommand);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** The THREAD item's key, and a condition that it is still the claim `token` (plus `extra`). */
const stillClaimed = (ctx: LayerContext, threadId: string, token: string, extra = "") => ({
  TableName: ctx.tableName,
  Key: { PK: threadPk(threadId), SK: THREAD_SK },
  ConditionExpression: `#claim = :claim${extra}`,
  ExpressionAttributeNames: { "#claim": IMPORT_CLAIM },
  ExpressionAttributeValues: { ":claim": token } as Record<string, unknown>,
});

/**
 * Claims one thread; false when its condition failed (someone else's now). One PutItem, which also files the claim
 * under the user's unfinished claims (`importClaimsPk`), in the same write: there is no moment when a claim exists
 * and cannot be found.
 */
export function claimThread(ctx: LayerContext, userId: string, threadId: string, kind: ClaimKind, token: string): Promise<boolean> {
  return conditionally(
    ctx,
    new PutCommand({
      TableName: ctx.tableName,
      Item: {
        PK: threadPk(threadId),
        SK: THREAD_SK,
        id: threadId,
        userId,
        userIdentifier: userId,
        [IMPORT_CLAIM]: token,
        UserThreadPK: importClaimsPk(userId),
        UserThreadSK: userThreadSk(ctx.now()),
      },
      ConditionExpression: CONDITIONS[kind],
      ...(kind === "unfinished" ? { ExpressionAttributeNames: { "#claim": IMPORT_CLAIM }, ExpressionAttributeValues: { ":me": userId, ":claims": importClaimsPk(userId) } } : {}),
    }),
  );
}

/**
 * Whether the claimed partition holds only the claim: a step written under the id before the claim (Chainlit's
 * create_step needs no THREAD item) would otherwise be mixed into the imported thread. One Query of two keys.
 */
export async function holdsOnlyTheClaim(ctx: LayerContext, threadId: string): Promise<boolean> {
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": threadPk(threadId) },
      ProjectionExpression: "PK, SK",
      ConsistentRead: true,
      Limit: 2,
    }),
  );
  return (out.Items ?? []).every((item) => item.SK === THREAD_SK);
}

/** Gives a claim back (only if it is still this one), leaving whatever else is in the partition as it is. */
export async function releaseClaim(ctx: LayerContext, threadId: string, token: string): Promise<void> {
  await conditionally(ctx, new DeleteCommand(stillClaimed(ctx, threadId, token)));
}

/**
 * Takes the claim's mark off a THREAD item someone else made theirs since (it would keep their thread out of the
 * 👍/👎 filter): only while it is still this claim's. Its listing among the claims goes with it when it is still
 * there (unfinished-claims.ts unlists such a row too, should this write not land).
 */
export async function dropClaimMark(ctx: LayerContext, userId: string, threadId: string, token: string): Promise<void> {
  const claimed = stillClaimed(ctx, threadId, token);
  const unlisted = await conditionally(
    ctx,
    new UpdateCommand({
      ...claimed,
      UpdateExpression: "REMOVE #claim, UserThreadPK, UserThreadSK",
      ConditionExpression: `${claimed.ConditionExpression} AND UserThreadPK = :claims`,
      ExpressionAttributeValues: { ...claimed.ExpressionAttributeValues, ":claims": importClaimsPk(userId) },
    }),
  );
  if (!unlisted) await conditionally(ctx, new UpdateCommand({ ...claimed, UpdateExpression: "REMOVE #claim" }));
}

/**
 * The finished THREAD item, in place of the claim, only while it is still this import's claim of this user and no
 * one has given it an owner in a list since (Chainlit's update_thread with a user sets UserThreadPK); false otherwise.
 * One PutItem: the claim's mark goes with it.
 */
export function finishClaim(ctx: LayerContext, userId: string, head: Item, token: string): Promise<boolean> {
  const { Key: _key, ...condition } = stillClaimed(ctx, String(head.id), token, ` AND userId = :me AND ${UNLISTED}`);
  return conditionally(
    ctx,
    new PutCommand({ ...condition, Item: head, ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ":me": userId, ":claims": importClaimsPk(userId) } }),
  );
}
