/**
 * What imports left unfinished (docs/import-export.md, "Claims"): a claim whose import never finished it (its runner
 * died, the job was ended, the table refused a cleanup) would otherwise stay forever, unlisted, with the steps written
 * so far, out of reach of every delete that walks the user's threads. Each claim is filed under the user's own index
 * partition of claims (`IMPORT_CLAIMS#{userId}`, keys.ts) by the PutItem that makes it, and leaves it when its
 * finishing PutItem gives it the thread's index keys; so a user's unfinished claims are one Query.
 *
 * A row only proposes a claim: the delete decides on the THREAD item itself (deleteThread's `onlyIfClaimOf`, on the
 * partition read it makes anyway), so a claim finished since, or given to a user's list by a Chainlit update_thread,
 * is kept. Callers make sure no import of the user is running meanwhile (the job's own end, a new job's start, a delete
 * job, which refuses imports beside it): a running import's claims are its work in progress.
 */
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { importClaimsPk, THREAD_SK, threadIdFromPk, threadKey, USER_THREAD_INDEX, userThreadSk } from "../../keys";
import { mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { deleteThread } from "../threads/delete-thread";
import { ExpressionBuilder } from "../update-expression";
import { conditionally, IMPORT_CLAIM } from "./import-claims";

type StartKey = Record<string, unknown> | undefined;
const PAGE_SIZE = 50;
const DELETES_IN_FLIGHT = 4;

function claimsQuery(ctx: LayerContext, userId: string, claimedBefore: string | undefined, extra: Record<string, unknown>) {
  const expr = new ExpressionBuilder();
  const condition = [
    `${expr.name("UserThreadPK")} = ${expr.value(importClaimsPk(userId))}`,
    ...(claimedBefore !== undefined ? [`${expr.name("UserThreadSK")} < ${expr.value(userThreadSk(claimedBefore))}`] : []),
  ].join(" AND ");
  return new QueryCommand({ TableName: ctx.tableName, IndexName: USER_THREAD_INDEX, KeyConditionExpression: condition, ...extra, ...expr.attributes() });
}

/** One Query: up to `limit` of the user's unfinished claims (claimed before `claimedBefore`, when given), oldest first. */
export async function unfinishedClaims(ctx: LayerContext, userId: string, options: { claimedBefore?: string; limit?: number; startKey?: StartKey } = {}) {
  const out = await ctx.doc.send(
    claimsQuery(ctx, userId, options.claimedBefore, { ProjectionExpression: "PK, SK", Limit: options.limit ?? PAGE_SIZE, ExclusiveStartKey: options.startKey }),
  );
  const threadIds = (out.Items ?? []).filter((item) => item.SK === THREAD_SK).map((item) => threadIdFromPk(String(item.PK)));
  return { threadIds, next: out.LastEvaluatedKey as StartKey };
}

/** How many unfinished claims the user has (Select COUNT, one Query per MB of index). */
export async function countUnfinishedClaims(ctx: LayerContext, userId: string): Promise<number> {
  let count = 0;
  let startKey: StartKey;
  do {
    const out = await ctx.doc.send(claimsQuery(ctx, userId, undefined, { Select: "COUNT", ExclusiveStartKey: startKey }));
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/**
 * A row of the claims' partition whose item is no longer this user's claim (its mark taken off, or another user
 * named by a Chainlit update_thread): unlisted from the claims, the item left as it is.
 */
async function unlistIfNotAClaim(ctx: LayerContext, userId: string, threadId: string): Promise<void> {
  const update = new UpdateCommand({
    TableName: ctx.tableName,
    Key: threadKey(threadId),
    UpdateExpression: "REMOVE UserThreadPK, UserThreadSK",
    ConditionExpression: "UserThreadPK = :claims AND (attribute_not_exists(#claim) OR userId <> :me)",
    ExpressionAttributeNames: { "#claim": IMPORT_CLAIM },
    ExpressionAttributeValues: { ":claims": importClaimsPk(userId), ":me": userId },
  });
  await conditionally(ctx, update);
}

/**
 * Deletes the user's unfinished claims (claimed before `claimedBefore`, when given) whole: their steps, parts,
 * postings, docs, markers and any element's file (deleteThread). `onDeleted` is told after each page. How many went.
 * Costs one Query when there are none.
 */
export async function deleteUnfinishedClaims(
  ctx: LayerContext,
  userId: string,
  options: { claimedBefore?: string; onPage?: (deleted: number) => Promise<unknown> } = {},
): Promise<number> {
  let deleted = 0;
  let startKey: StartKey;
  do {
    const page = await unfinishedClaims(ctx, userId, { claimedBefore: options.claimedBefore, startKey });
    const gone = await mapLimited(page.threadIds, DELETES_IN_FLIGHT, async (threadId) => {
      if (await deleteThread(ctx, threadId, { onlyOwnedBy: userId, onlyIfClaimOf: userId })) return true;
      await unlistIfNotAClaim(ctx, userId, threadId);
      return false;
    });
    deleted += gone.filter(Boolean).length;
    startKey = page.next;
    if (page.threadIds.length > 0) await options.onPage?.(deleted);
  } while (startKey);
  if (deleted > 0) ctx.logger.info("deleted what imports left unfinished", { claims: deleted });
  return deleted;
}
