/**
 * deleteThread. Chainlit read the whole thread (signing every URL for nothing), never deleted blobs (#1546, fixed
 * for the SQL layers only), and retried unprocessed batch items forever. Here: a keys-only Query, the blobs, the
 * content items in parallel batches with bounded retries, and the THREAD item last, so that a delete interrupted
 * half-way still lists the thread and repeating it finishes the job.
 */
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { DataError } from "../../errors";
import { ELEMENT_PREFIX, THREAD_SK } from "../../keys";
import { batchDelete, mapLimited, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { queryPartition } from "./partition";
import { isSearchDoc, postingKeysOfDoc } from "../search/search-index";
import { recordedShareCopy, SHARE_COPY_ATTRIBUTE } from "../shares/share-copy-record";
import { previousPreviews, recordedElementFile } from "../steps/elements";
import { threadKey } from "../../keys";
import { unpinDeletedThread } from "./pins";
import { isOwnedThread } from "./leftovers";
import { newestTrueWrite, TRUE_ACTIVITY_ATTRIBUTES } from "./true-activity";
import { timestampMicros } from "../../timestamps";
import { IMPORT_CLAIM, isUnlistedClaimOf } from "../import/import-claims";

/** How many blob deletes are in flight at once. */
const BLOB_DELETES_IN_FLIGHT = 8;

/**
 * Exactly the blobs the thread's element items name (`objectKey`), never a prefix built from an id: a key prefix is
 * a path, and `{threadId}/` is also where Chainlit keeps another user's files when a thread id equals a user
 * identifier (Chainlit's keys are `{user}/{threadId}/{elementId}`). Keys Chainlit wrote are deleted the same way.
 */
async function deleteBlobs(ctx: LayerContext, threadId: string, objectKeys: string[]): Promise<number> {
  if (objectKeys.length === 0) return 0;
  if (!ctx.storage) {
    ctx.logger.warn("no storage provider: element blobs are left in place", { threadId, blobs: objectKeys.length });
    return 0;
  }
  const storage = ctx.storage;
  try {
    const deleted = await mapLimited([...new Set(objectKeys)], BLOB_DELETES_IN_FLIGHT, (key) => storage.deleteFile(key));
    return deleted.filter(Boolean).length;
  } catch (cause) {
    // Nothing in DynamoDB is deleted yet, so the caller can retry and the object keys are still known then.
    throw new DataError("storage", `deleting the blobs of thread ${threadId} from ${storage.description} failed`, { cause });
  }
}

export interface DeleteThreadOptions {
  /**
   * Delete only if the THREAD item's `userId` is this user, checked on the partition read the delete makes anyway.
   * A bulk delete walks the user's index, whose rows are what `UserThreadPK` says, not whose thread it is: an index
   * row never decides ownership (docs/security.md, "Deleting everything").
   */
  onlyOwnedBy?: string;
  /**
   * Keep the thread (nothing deleted, false) if it was written after this time, by its true-UTC stamps
   * (true-activity.ts): a bulk delete's cutoff, read on the same partition read.
   */
  keepIfWrittenAfter?: string;
  /**
   * Delete only if the THREAD item names no user (an import replacing a user-less leftover of its own): one given an
   * owner since the caller looked is kept.
   */
  onlyIfUnowned?: boolean;
  /**
   * Delete only if the THREAD item is this user's import claim, still unlisted (unfinished-claims.ts): a claim
   * finished since its row was read, or given to a user's list by a Chainlit update_thread, is a thread, and kept.
   */
  onlyIfClaimOf?: string;
}

/**
 * True if anything of the thread existed (false, with nothing deleted, for a thread `onlyOwnedBy` does not own or
 * written after `keepIfWrittenAfter`). Round trips: ⌈items/1 MB⌉ Query + ⌈(items − 1 + postings)/25⌉
 * BatchWriteItem + 1 DeleteItem, and beside it 1 UpdateItem for the owner's pin (it writes nothing when the thread is not pinned). Postings and docs go before the THREAD item, so a repeated delete still finds them.
 */
export async function deleteThread(ctx: LayerContext, threadId: string, options: DeleteThreadOptions = {}): Promise<boolean> {
  const attributes = [
    ...["PK", "SK", "objectKey", SHARE_COPY_ATTRIBUTE, "type", "mime", "terms", "owner", "userId"],
    ...(options.keepIfWrittenAfter ? TRUE_ACTIVITY_ATTRIBUTES : []),
    ...(options.onlyIfClaimOf !== undefined ? [IMPORT_CLAIM, "UserThreadPK"] : []),
  ];
  const items = await queryPartition(ctx, threadId, { attributes });
  if (items.length === 0) return false;
  const owner = items.find((item) => item.SK === THREAD_SK)?.userId;
  if (options.onlyOwnedBy !== undefined && owner !== options.onlyOwnedBy) {
    ctx.logger.warn("deleteThread skipped a thread its caller does not own", { threadId });
    return false;
  }
  if (options.onlyIfClaimOf !== undefined && !isUnlistedClaimOf(items.find((item) => item.SK === THREAD_SK), options.onlyIfClaimOf)) return false;
  if (options.onlyIfUnowned && isOwnedThread(items.find((item) => item.SK === THREAD_SK))) return false;
  if (options.keepIfWrittenAfter && (newestTrueWrite(items) ?? 0) > (timestampMicros(options.keepIfWrittenAfter) ?? Infinity)) return false;
  // An element's file, the copy share viewers were given of it (share-copies.ts) when one is recorded, and an image's
  // preview (element-previews.ts), recorded or not: one being made as the thread goes is stored before its record fails.
  const objectKeys = items.flatMap((item) => {
    if (!String(item.SK).startsWith(ELEMENT_PREFIX)) return [];
    const elementId = String(item.SK).slice(ELEMENT_PREFIX.length);
    return [recordedElementFile(item, threadId, elementId), recordedShareCopy(item, threadId), ...previousPreviews(item, threadId, elementId)].filter((key) => key !== null);
  });
  const blobs = await deleteBlobs(ctx, threadId, objectKeys);
  // The full-text postings live under the owner's SEARCH# partitions: the thread's doc items name them.
  const postings = items.filter(isSearchDoc).flatMap((item) => postingKeysOfDoc(threadId, item));
  const content = [...postings, ...items.filter((item) => item.SK !== THREAD_SK).map(({ PK, SK }) => ({ PK, SK }) as TableKey)];
  await batchDelete(ctx, content);
  // The owner's pin lives in the owner's partition (pins.ts), not the thread's: it goes beside the THREAD item.
  await Promise.all([
    ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: threadKey(threadId) })),
    typeof owner === "string" ? unpinDeletedThread(ctx, owner, threadId) : undefined,
  ]);
  ctx.logger.debug("deleteThread done", { threadId, items: items.length, blobs });
  return true;
}
