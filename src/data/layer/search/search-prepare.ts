/**
 * `search.prepare`, when the search box takes focus (docs/search.md, "Opening the search"): the catch-up check and
 * the user's window (search-window.ts), off the typing path. 1 Query (the newest WINDOW_ROWS rows of the caller's
 * index) + 1 BatchGetItem (the watermark and the newest threads' states), plus what the catch-up rebuilds. Each
 * focus reads again: what was written before the search opened is what the pages typed next find.
 */
import { type Item } from "../../dynamo/codec";
import { batchGet } from "../batch";
import { type LayerContext } from "../context";
import { THREAD_STATE_ATTRIBUTES, catchUpFromWindow, catchUpKeys } from "../feedback/feedback-catch-up";
import { readIndexRows, type IndexRows } from "./search-order";
import { WINDOW_ROWS } from "./search-window";

/** The layer's clock in ms (the window's age and a thread's quiet time are measured with it). */
export const nowMs = (ctx: LayerContext) => Date.parse(ctx.now());

const keyId = (key: { PK?: unknown; SK?: unknown }) => `${String(key.PK)}|${String(key.SK)}`;

export async function prepareSearch(ctx: LayerContext, userId: string): Promise<void> {
  const readAt = nowMs(ctx);
  const newest = await readIndexRows(ctx, userId, null, WINDOW_ROWS);
  const read = new Map((await batchGet(ctx, catchUpKeys(userId, newest.rows), [...THREAD_STATE_ATTRIBUTES, "SK", "through"])).map((item) => [keyId(item), item]));
  await keepWindowIfCaughtUp(ctx, userId, newest, read, readAt);
}

/**
 * Runs the catch-up from the rows and states read, and keeps the rows as the user's window when every thread above
 * the watermark is caught up (a rebuild does not move a thread's activity, so the rows stay in order). Returns how
 * many threads it rebuilt. Shared with a query page that read the index itself (search-query.ts).
 */
export async function keepWindowIfCaughtUp(ctx: LayerContext, userId: string, newest: IndexRows, read: ReadonlyMap<string, Item>, readAt: number): Promise<number> {
  const caughtUp = await catchUpFromWindow(ctx, userId, { rows: newest.rows, complete: newest.lastKey === undefined }, read);
  if (caughtUp.complete) ctx.searchWindows.set(userId, { rows: newest.rows, lastKey: newest.lastKey, readAt });
  return caughtUp.rebuilt;
}
