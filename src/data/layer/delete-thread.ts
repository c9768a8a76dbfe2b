/**
 * deleteThread. Chainlit read the whole thread (signing every URL for nothing), never deleted blobs (#1546, fixed
 * for the SQL layers only), and retried unprocessed batch items forever. Here: a keys-only Query, the blobs, the
 * content items in parallel batches with bounded retries, and the THREAD item last, so that a delete interrupted
 * half-way still lists the thread and repeating it finishes the job.
 */
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { DataError } from "../errors";
import { THREAD_SK } from "../keys";
import { threadObjectPrefix } from "../storage/object-key";
import { batchDelete, type TableKey } from "./batch";
import { type LayerContext } from "./context";
import { queryPartition } from "./partition";
import { threadKey } from "./threads";

/** Blobs under the thread's prefix in one sweep, plus keys outside it (Chainlit's `{user}/{threadId}/{elementId}`). */
async function deleteBlobs(ctx: LayerContext, threadId: string, objectKeys: string[]): Promise<number> {
  if (!ctx.storage) {
    if (objectKeys.length > 0) ctx.logger.warn("no storage provider: element blobs are left in place", { threadId, blobs: objectKeys.length });
    return 0;
  }
  const storage = ctx.storage;
  const prefix = threadObjectPrefix(threadId);
  try {
    const counts = await Promise.all([
      storage.deletePrefix(prefix),
      ...objectKeys.filter((key) => !key.startsWith(prefix)).map(async (key) => Number(await storage.deleteFile(key))),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  } catch (cause) {
    // Nothing in DynamoDB is deleted yet, so the caller can retry and the object keys are still known then.
    throw new DataError("storage", `deleting the blobs of thread ${threadId} from ${storage.description} failed`, { cause });
  }
}

/** True if anything of the thread existed. Round trips: ⌈items/1 MB⌉ Query + ⌈(items−1)/25⌉ BatchWriteItem + 1 DeleteItem. */
export async function deleteThread(ctx: LayerContext, threadId: string): Promise<boolean> {
  const items = await queryPartition(ctx, threadId, { attributes: ["PK", "SK", "objectKey"] });
  if (items.length === 0) return false;
  const objectKeys = items.flatMap((item) => (typeof item.objectKey === "string" ? [item.objectKey] : []));
  const blobs = await deleteBlobs(ctx, threadId, objectKeys);
  const content = items.filter((item) => item.SK !== THREAD_SK).map(({ PK, SK }) => ({ PK, SK }) as TableKey);
  await batchDelete(ctx, content);
  await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: threadKey(threadId) }));
  ctx.logger.debug("deleteThread done", { threadId, items: items.length, blobs });
  return true;
}
