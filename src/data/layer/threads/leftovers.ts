/**
 * Threadbook's items left in the partition of a deleted thread. Chainlit's delete_thread deletes only the THREAD,
 * STEP# and ELEMENT# items it knows, so the thread's feedback markers (which would keep listing it under 👍/👎)
 * step parts (up to 300 KB each) and full-text docs (whose postings, under the owner's SEARCH# partitions, would
 * otherwise outlive the thread) stay behind. Reads that meet such a partition remove them on the way, and
 * the doctor removes the rest.
 *
 * Only Threadbook-only SKs are ever deleted here: Chainlit's own leftovers (steps, elements) are its data.
 */
import { type Item } from "../../dynamo/codec";
import { THREAD_SK, isChainlitThreadSk, threadPk } from "../../keys";
import { batchDelete } from "../batch";
import { type LayerContext } from "../context";
import { queryPartition } from "./partition";
import { isSearchDoc, postingKeysOfDoc } from "../search/search-index";

/**
 * A THREAD item some user owns. A Chainlit session left open on a thread deleted under it (by Chainlit or here)
 * saves its metadata back at its end with an update_thread that names no user (docs/chainlit.md, "Threads:
 * update_thread"): the THREAD item is back, without `userId` or an index row. No app lists, opens or shares such a
 * thread, and every item of Threadbook's was made for the user who owned it: beside it they are a deleted thread's
 * leftovers, as if the THREAD item were gone.
 */
export const isOwnedThread = (thread: Item | undefined): thread is Item => typeof thread?.userId === "string" && thread.userId !== "";

/** The Threadbook-only items of a partition with no owned THREAD item (none, or one with no user); [] otherwise. */
export function leftoverSks(items: readonly Item[]): string[] {
  if (isOwnedThread(items.find((item) => item.SK === THREAD_SK))) return [];
  return items.map((item) => String(item.SK)).filter((sk) => !isChainlitThreadSk(sk));
}

/**
 * Deletes the leftovers of `threadId` if its THREAD item is gone or has no user. `items` is a partition read the
 * caller already made (with the THREAD item's `userId`); without it the partition is read keys-only and strongly
 * consistent, so a thread created a moment ago counts as existing. Returns how many items were deleted.
 */
export async function removeLeftovers(ctx: LayerContext, threadId: string, items?: readonly Item[]): Promise<number> {
  const read = items ?? (await queryPartition(ctx, threadId, { attributes: ["PK", "SK", "terms", "owner", "userId"] }));
  const sks = leftoverSks(read);
  if (sks.length === 0) return 0;
  // A search doc names its postings, which live outside the partition: they go with it.
  const postings = read.filter(isSearchDoc).flatMap((item) => postingKeysOfDoc(threadId, item));
  await batchDelete(ctx, [...postings, ...sks.map((SK) => ({ PK: threadPk(threadId), SK }))]);
  ctx.logger.info("removed the leftovers of a deleted thread", { threadId, items: sks.length });
  return sks.length;
}

/** For reads that meet leftovers on the way: their answer does not depend on the cleanup, so a failure is only logged. */
export const removeLeftoversOnTheWay = (ctx: LayerContext, threadId: string, items?: readonly Item[]): Promise<number> =>
  removeLeftovers(ctx, threadId, items).catch((error: unknown) => {
    ctx.logger.warn("could not remove a deleted thread's leftovers", { threadId, error: String(error) });
    return 0;
  });
