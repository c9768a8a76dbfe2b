/**
 * Share copies (docs/sharing.md, "Downloads"). A signed S3 or Azure link carries the object key in its path, and
 * Chainlit's keys are `{userIdentifier}/{threadId}/{elementId}`: a share viewer given a link to the original would
 * learn the owner's identifier (often an email) that the share page strips on purpose. So a viewer is only ever given
 * links to Threadbook's own keys (object-key.ts, isOwnElementKey) or to a copy of the file under a neutral key
 * (shareCopyKey), made in storage once (CopyObject or Azure's copy: no bytes through the app) and recorded on the
 * element item as `shareCopyKey`.
 *
 * Why a record rather than asking storage whether the copy exists: the share read already Queries the thread's
 * partition, element items whole, so a recorded copy costs no request at all on later views and downloads (a HEAD
 * would cost one each), only a copy this code made is ever signed (never an object found at the key), and stopping a
 * share or deleting the thread deletes exactly the copies made. Chainlit PutItems an element item once at creation
 * and never rewrites it, so the attribute stays until the element goes.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Element } from "../../entities/element";
import { DataError, isConditionalCheckFailed } from "../../errors";
import { ELEMENT_PREFIX } from "../../keys";
import { isOwnElementKey, isShareCopyKeyOf, shareCopyKey } from "../../storage/object-key";
import { mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { signElement } from "../steps/elements";
import { recordOnElement } from "../steps/element-record";
import { signPreview } from "../steps/element-previews";
import { queryPartition } from "../threads/partition";
import { recordedShareCopy, SHARE_COPY_ATTRIBUTE } from "./share-copy-record";

const IN_FLIGHT = 8;

/**
 * `elements` (a share's snapshot, as read) as a share viewer gets them: `objectKey` is the element's own Threadbook
 * key or its share copy (made now if none is recorded), `url` a link signed for it. An element whose copy cannot be
 * made (its file is gone, storage failed) keeps no key and no link: a viewer is never sent the original's.
 * Requests: none beyond signing for elements already copied; 1 copy + 1 UpdateItem per element copied now.
 */
export async function elementsForShare(ctx: LayerContext, elements: readonly Element[]): Promise<Element[]> {
  return mapLimited([...elements], IN_FLIGHT, async ({ shareCopyKey: recorded, ...element }) => {
    const unsigned = { ...element, url: null, urlExpiresAt: null };
    const { objectKey, threadId, id } = element;
    if (!objectKey) return element;
    if (isOwnElementKey(objectKey, threadId, id)) return signElement(ctx, unsigned);
    try {
      const copy = isShareCopyKeyOf(recorded, threadId, id) ? recorded : await makeShareCopy(ctx, element, objectKey);
      // The preview is the original's (its key is derived from the original's, and names no owner: a hash of it).
      const [signed, preview] = await Promise.all([signElement(ctx, { ...unsigned, objectKey: copy }), signPreview(ctx, element)]);
      return { ...signed, ...preview };
    } catch (error) {
      ctx.logger.warn("could not copy an element for a share viewer", { threadId, elementId: id, error: String(error) });
      return { ...unsigned, objectKey: null };
    }
  });
}

/**
 * Copies the element's file to its share copy key and records it, on the condition that the item still names the
 * same original (an element deleted or re-created meanwhile gets no record; the copy is deleted again).
 */
async function makeShareCopy(ctx: LayerContext, element: Element, objectKey: string): Promise<string> {
  if (!ctx.storage) throw new DataError("storage", "a share copy needs a storage provider");
  const storage = ctx.storage;
  const copy = shareCopyKey(element.threadId, element.id, element.name ?? element.id);
  await storage.copyFile(objectKey, copy);
  let recorded: boolean;
  try {
    recorded = await recordOnElement(ctx, element, objectKey, SHARE_COPY_ATTRIBUTE, copy);
  } catch (error) {
    await storage.deleteFile(copy).catch(() => false);
    throw error;
  }
  if (!recorded) {
    await storage.deleteFile(copy).catch(() => false);
    throw new DataError("not_found", `element ${element.id} changed while it was copied`);
  }
  ctx.logger.debug("share copy made", { threadId: element.threadId, elementId: element.id });
  return copy;
}

/**
 * Deletes the thread's share copies (a share stopped). The record goes first, then the object: interrupted in
 * between, the object is left with no record, and the next share's copy of that element lands on the same key.
 * Requests: 1 Query (element keys and records only) + per copy 1 UpdateItem and 1 delete.
 */
export async function removeShareCopies(ctx: LayerContext, threadId: string): Promise<number> {
  const items = await queryPartition(ctx, threadId, { skPrefix: ELEMENT_PREFIX, attributes: ["PK", "SK", SHARE_COPY_ATTRIBUTE] });
  const copies = items.flatMap((item) => {
    const copy = recordedShareCopy(item, threadId);
    return copy ? [{ key: { PK: String(item.PK), SK: String(item.SK) }, copy }] : [];
  });
  if (copies.length === 0) return 0;
  if (!ctx.storage) {
    ctx.logger.warn("no storage provider: share copies are left in place", { threadId, copies: copies.length });
    return 0;
  }
  const storage = ctx.storage;
  await mapLimited(copies, IN_FLIGHT, async ({ key, copy }) => {
    await forgetShareCopy(ctx, key, copy);
    await storage.deleteFile(copy);
  });
  return copies.length;
}

/**
 * Removes an element item's record of `copy`, only while it records exactly that (no stub for an element that is
 * gone: the condition fails). Called before the object is deleted, so a share read never signs a deleted copy.
 */
export async function forgetShareCopy(ctx: LayerContext, key: { PK: string; SK: string }, copy: string): Promise<void> {
  try {
    await ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: "REMOVE #copy",
        ConditionExpression: "#copy = :copy",
        ExpressionAttributeNames: { "#copy": SHARE_COPY_ATTRIBUTE },
        ExpressionAttributeValues: { ":copy": copy },
      }),
    );
  } catch (error) {
    // Deleted meanwhile (the element or its record): its object still goes.
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
