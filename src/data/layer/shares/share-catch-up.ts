/**
 * "Shared links" catches up with threads Chainlit shared (docs/sharing.md, "Shared by Chainlit"). Chainlit's share
 * sets the flag with update_thread, which also bumps the thread's UserThreadSK, so, as the feedback index does
 * (feedback-catch-up.ts), a walk of the user's own index partition from a per-user watermark finds every thread whose
 * activity moved since the last walk:
 *
 *   PK = USER#{userId}, SK = SHARE_INDEX, through = the UserThreadSK up to which every thread was looked at
 *
 * A thread found shared with no settings of the current share gets a settings item marked `origin: "chainlit"` with
 * the deployment's default access (`access: null`) and no expiry, which puts it in the list. Chainlit never writes
 * the watermark item. Bounded per call: CATCH_UP_PAGES Query pages of CATCH_UP_PAGE rows, each + 1 BatchGetItem
 * (2 with the settings keys) and one PutItem per thread adopted.
 */
import { SHARE_SK, SHARE_WATERMARK_SK, THREAD_SK, threadIdFromPk, userPk } from "../../keys";
import { batchGet, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { advanceWatermark, readWatermark } from "../feedback/feedback-catch-up";
import { STATE_ATTRIBUTES, putSettings, shareKey, shareStateOf, threadItemKey } from "./shares";
import { endShareIfExpired } from "./share-expiry";
import { queryActivitySince } from "../threads/user-thread-index";

const CATCH_UP_PAGE = 50;
const CATCH_UP_PAGES = 5;

const watermarkKey = (userId: string) => ({ PK: userPk(userId), SK: SHARE_WATERMARK_SK });

export interface ShareCatchUpResult {
  walked: number;
  adopted: number;
}

export async function catchUpShares(ctx: LayerContext, userId: string): Promise<ShareCatchUpResult> {
  const from = await readWatermark(ctx, watermarkKey(userId));
  let through = from;
  let walked = 0;
  let adopted = 0;
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < CATCH_UP_PAGES; page++) {
    const { items: rows, next } = await queryActivitySince(ctx, userId, from, CATCH_UP_PAGE, startKey);
    walked += rows.length;
    if (rows.length > 0) {
      const ids = rows.map((row) => threadIdFromPk(String(row.PK)));
      const items = await batchGet(ctx, ids.flatMap((id) => [threadItemKey(id), shareKey(id)]), STATE_ATTRIBUTES);
      const byKey = new Map(items.map((item) => [`${String(item.PK)}|${String(item.SK)}`, item]));
      const states = ids.flatMap((id) => {
        const thread = byKey.get(`THREAD#${id}|${THREAD_SK}`);
        return thread ? [shareStateOf(id, thread, byKey.get(`THREAD#${id}|${SHARE_SK}`))] : [];
      });
      const found = states.flatMap((state) =>
        state.isShared && !state.settings && state.userId === userId && state.sharedAt !== null ? [{ state, sharedAt: state.sharedAt }] : [],
      );
      await mapLimited(found, 8, ({ state, sharedAt }) =>
        putSettings(ctx, { threadId: state.threadId, userId, sharedAt, access: null, expiresAt: null, origin: "chainlit" }, state),
      );
      // Moved since the last look with the flag on past Threadbook's expiry: a Chainlit session saved its older
      // metadata back over the sweep's cleared flag. Ended again here, as the share page does.
      await mapLimited(states.filter((state) => state.userId === userId && state.settings?.expiresAt), 8, (state) => endShareIfExpired(ctx, state));
      adopted += found.length;
      through = String(rows.at(-1)!.UserThreadSK);
    }
    startKey = next;
    if (!startKey) break;
  }
  if (through !== null && through !== from) await advanceWatermark(ctx, watermarkKey(userId), through);
  if (adopted > 0) ctx.logger.info("shares caught up with Chainlit", { userId, walked, adopted });
  return { walked, adopted };
}
