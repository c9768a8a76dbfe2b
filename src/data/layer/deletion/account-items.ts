/**
 * The last step of deleting an account: every item keyed by the user. deleteUser removes the three items of the
 * account (AUTH first, so no password works and no session passes from then on; the USER item; the alias naming
 * them) and their pins; what else Threadbook keeps under `USER#{identifier}` (import jobs, the index catch-up
 * watermarks, the delete job itself) goes with one Query of that partition. Threads are not here: the job has
 * deleted them before (deleteThread, one by one), and index partitions (`USER#{id}#FEEDBACK#…`, `…#SHARE`) hold
 * only rows of items in thread partitions.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { userPk } from "../../keys";
import { batchDelete, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { deleteUser } from "../users/users";

export async function deleteAccountItems(ctx: LayerContext, identifier: string): Promise<number> {
  await deleteUser(ctx, identifier);
  const keys: TableKey[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": userPk(identifier) },
        ProjectionExpression: "PK, SK",
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) keys.push({ PK: String(item.PK), SK: String(item.SK) });
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  await batchDelete(ctx, keys);
  return keys.length;
}
