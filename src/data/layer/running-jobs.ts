/**
 * The index partitions that list running jobs of every user (`IMPORTS#RUNNING`, `DELETIONS#RUNNING`; keys.ts): a job
 * is in one while it runs, so an instance that starts finds what a dead one left with one Query, never a scan.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../dynamo/codec";
import { USER_THREAD_INDEX } from "../keys";
import { type LayerContext } from "./context";

/** Up to `limit` items of the running-jobs partition `pk`, oldest first (eventually consistent: read a job before acting). */
export async function queryRunningJobs(ctx: LayerContext, pk: string, limit: number): Promise<Item[]> {
  const out = await ctx.doc.send(
    new QueryCommand({ TableName: ctx.tableName, IndexName: USER_THREAD_INDEX, KeyConditionExpression: "UserThreadPK = :pk", ExpressionAttributeValues: { ":pk": pk }, Limit: limit }),
  );
  return (out.Items ?? []) as Item[];
}
