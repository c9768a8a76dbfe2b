/**
 * The record of a share copy on an element item (share-copies.ts): read by the share read, and by every delete of the
 * element or its thread, so the copy goes with it.
 */
import { type Item } from "../../dynamo/codec";
import { ELEMENT_PREFIX } from "../../keys";
import { isShareCopyKeyOf } from "../../storage/object-key";

export const SHARE_COPY_ATTRIBUTE = "shareCopyKey";

/** The share copy an element item records, when it is this element's own copy key; anything else is ignored. */
export function recordedShareCopy(item: Item, threadId: string): string | null {
  const sk = String(item.SK);
  const recorded = item[SHARE_COPY_ATTRIBUTE];
  return sk.startsWith(ELEMENT_PREFIX) && isShareCopyKeyOf(recorded, threadId, sk.slice(ELEMENT_PREFIX.length)) ? recorded : null;
}
