/**
 * The indexes catch up with what Chainlit wrote, before the 👍/👎 filter or a search answers: the feedback markers
 * (feedback-rebuild.ts) and the full-text index (search-rebuild.ts), both from one read of the thread.
 *
 * Chainlit writes feedback only into step items, but every session on a thread bumps the thread's UserThreadSK (at
 * its start and its end). Each THREAD item records the UserThreadSK its markers were built from (`feedbackIndexedAt`,
 * feedback-rebuild.ts, and `searchIndexedAt`, search-index.ts); a thread whose UserThreadSK is newer than either is
 * rebuilt from its steps. A thread Chainlit rated has no
 * marker yet, so the feedback partitions alone cannot find it: the catch-up walks the user's own index partition
 * (`USER#{userId}`, the one the plain list reads), oldest activity first, from a per-user watermark:
 *
 *   PK = USER#{userId}, SK = INDEX_CATCH_UP, through = the UserThreadSK up to which every thread is caught up
 *
 * Chainlit never writes that item (its create_user PUTs only `SK = USER`). A bump moves a thread above the watermark,
 * so each filtered listing reads only the threads active since the last one. Walking oldest first lets the watermark
 * advance over every thread finished, even when the budget stops the walk part way (a large table Chainlit filled
 * before Threadbook came; `npm run doctor -- --fix` catches such a table up in one pass).
 *
 * Bounds per call: at most CATCH_UP_PAGES index pages of CATCH_UP_PAGE rows (one BatchGetItem of thread states per
 * page) and CATCH_UP_REBUILDS rebuilds, shared with the listing's own check of the markers it reaches.
 *
 * Assumes Chainlit's thread times are UTC like Threadbook's: Chainlit writes server-local time labelled "Z", so a host
 * west of UTC bumps threads *below* the watermark, where only the listing's check of reached markers (and the doctor)
 * finds them. Run the Chainlit host in UTC (containers are by default).
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { type FeedbackValue } from "../../entities/feedback";
import { INDEX_WATERMARK_SK, THREAD_SK, threadIdFromPk, userPk, userThreadSk } from "../../keys";
import { batchGet, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { FEEDBACK_INDEXED_AT, MARKER_ATTRIBUTES, indexIsBehind, rebuildFeedbackMarkers, recordIndexedAt } from "./feedback-rebuild";
import { queryPartition } from "../threads/partition";
import { SEARCH_INDEXED_AT, searchIsBehind } from "../search/search-index";
import { rebuildSearchIndex } from "../search/search-rebuild";
import { queryActivitySince } from "../threads/user-thread-index";
import { ExpressionBuilder } from "../update-expression";

/** Index rows per Query page: one BatchGetItem (≤ 100 keys) reads their states. */
export const CATCH_UP_PAGE = 100;
export const CATCH_UP_PAGES = 5;
/** Threads rebuilt per filtered listing, at most (each is ≥ 2 requests). */
export const CATCH_UP_REBUILDS = 25;
const REBUILDS_IN_FLIGHT = 8;

/** How many rebuilds one listing may still make: the walk and the check of reached markers share it. */
export interface RebuildBudget {
  remaining: number;
}
export const rebuildBudget = (): RebuildBudget => ({ remaining: CATCH_UP_REBUILDS });

/** The thread attributes that decide whether (and as whom) to rebuild. */
export const THREAD_STATE_ATTRIBUTES = ["PK", "userId", "UserThreadSK", FEEDBACK_INDEXED_AT, SEARCH_INDEXED_AT] as const;

export const watermarkKey = (userId: string) => ({ PK: userPk(userId), SK: INDEX_WATERMARK_SK });

/** A catch-up watermark (this one, or the share index's: share-catch-up.ts). */
export async function readWatermark(ctx: LayerContext, key: { PK: string; SK: string }): Promise<string | null> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true, ProjectionExpression: "through" }));
  return typeof out.Item?.through === "string" ? out.Item.through : null;
}

/** Moves the watermark up only (a concurrent walk that got further wins). */
export async function advanceWatermark(ctx: LayerContext, key: { PK: string; SK: string }, through: string): Promise<void> {
  const expr = new ExpressionBuilder();
  const name = expr.name("through");
  const value = expr.value(through);
  await onConditionFailed(
    () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: key,
          UpdateExpression: `SET ${name} = ${value}`,
          ConditionExpression: `attribute_not_exists(${name}) OR ${name} < ${value}`,
          ...expr.attributes(),
        }),
      ),
    () => undefined,
  );
}

/** "current": nothing to do; "deferred": behind but the budget is spent; else the values with a marker after the rebuild. */
export type RebuildOutcome = "current" | "deferred" | Set<FeedbackValue>;

/**
 * Rebuilds whichever of the thread's two indexes is behind its activity (both with `force`), within the budget:
 * one strongly consistent read of the partition serves both (the text only when the search index needs it).
 * `thread` is a THREAD item with THREAD_STATE_ATTRIBUTES.
 */
export async function rebuildIfBehind(ctx: LayerContext, thread: Item, budget: RebuildBudget, force = false): Promise<RebuildOutcome> {
  const search = force || searchIsBehind(thread);
  if (!search && !indexIsBehind(thread)) return "current";
  if (budget.remaining <= 0) return "deferred";
  budget.remaining--;
  const threadId = threadIdFromPk(String(thread.PK));
  const userId = typeof thread.userId === "string" ? thread.userId : null;
  const builtFrom = typeof thread.UserThreadSK === "string" ? thread.UserThreadSK : userThreadSk(ctx.now());
  const items = await queryPartition(ctx, threadId, search ? {} : { attributes: MARKER_ATTRIBUTES });
  const present = await rebuildFeedbackMarkers(ctx, threadId, { userId, builtFrom }, items);
  if (search) {
    await rebuildSearchIndex(ctx, threadId, items, userId);
    await recordIndexedAt(ctx, threadId, builtFrom, SEARCH_INDEXED_AT);
  }
  return present;
}

export interface CatchUpResult {
  walked: number;
  rebuilt: number;
  /** Every thread above the old watermark is caught up. */
  complete: boolean;
}

/**
 * Requests: 1 GetItem (watermark, unless the caller read it: `known`) + 1 Query; per non-empty page + 1 BatchGetItem; per rebuilt thread 1 Query + 1
 * UpdateItem + 1 per changed marker; + 1 UpdateItem when the watermark moves.
 */
export async function catchUpIndexes(ctx: LayerContext, userId: string, budget: RebuildBudget = rebuildBudget(), known?: { from: string | null }): Promise<CatchUpResult> {
  const from = known ? known.from : await readWatermark(ctx, watermarkKey(userId));
  const start = budget.remaining;
  const done: string[] = []; // UserThreadSKs of the rows walked and caught up, ascending
  let boundary: string | null = null; // UserThreadSK of the first row not known to be caught up
  let walked = 0;
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < CATCH_UP_PAGES && boundary === null; page++) {
    const { items: rows, next } = await queryActivitySince(ctx, userId, from, CATCH_UP_PAGE, startKey);
    walked += rows.length;
    const states = rows.length > 0 ? await batchGet(ctx, rows.map((row) => ({ PK: String(row.PK), SK: THREAD_SK })), THREAD_STATE_ATTRIBUTES) : [];
    const byPk = new Map(states.map((state) => [String(state.PK), state]));
    // A thread gone or moved to another user since the Query is not this user's to catch up.
    const ours = (row: Item) => byPk.get(String(row.PK))?.userId === userId;
    const outcomes = await mapLimited(rows, REBUILDS_IN_FLIGHT, (row) =>
      ours(row) ? rebuildIfBehind(ctx, byPk.get(String(row.PK))!, budget) : Promise.resolve("current" as const),
    );
    const firstBehind = outcomes.indexOf("deferred");
    const finished = firstBehind === -1 ? rows : rows.slice(0, firstBehind);
    done.push(...finished.map((row) => String(row.UserThreadSK)));
    if (firstBehind !== -1) boundary = String(rows[firstBehind]!.UserThreadSK);
    startKey = next;
    if (!startKey) break;
    // Out of pages: the next row may share the last row's time, so that time is walked again next call.
    if (page === CATCH_UP_PAGES - 1 && boundary === null) boundary = done.at(-1) ?? null;
  }
  // Every row at or below `through` must be caught up: stop short of the first row that is not.
  const through = boundary === null ? (done.at(-1) ?? null) : (done.findLast((sk) => sk < boundary) ?? null);
  if (through !== null && (from === null || through > from)) await advanceWatermark(ctx, watermarkKey(userId), through);
  const result = { walked, rebuilt: start - budget.remaining, complete: boundary === null };
  if (result.rebuilt > 0 || !result.complete) ctx.logger.info("indexes caught up", { userId, ...result });
  return result;
}

/**
 * The search's first page checks the catch-up without requests of its own (docs/search.md, "A query"): it reads the
 * newest rows of the user's index anyway (to order the hits), and its one BatchGetItem also fetches the watermark and
 * the states of the newest CATCH_UP_WINDOW threads. When every row above the watermark is among those, they are all
 * the catch-up has to look at; otherwise the ordinary walk runs from the watermark it read.
 */
export const CATCH_UP_WINDOW = 16;

/** A row of the user's index, newest first: its thread's partition key and activity. */
export interface IndexRow {
  PK: string;
  UserThreadSK: string;
}

/** The keys the first page's BatchGetItem adds for the catch-up: the watermark and the newest threads' states. */
export const catchUpKeys = (userId: string, newest: readonly IndexRow[]) => [watermarkKey(userId), ...newest.slice(0, CATCH_UP_WINDOW).map((row) => ({ PK: row.PK, SK: THREAD_SK }))];

/**
 * Finishes the catch-up from what the first page read: `newest` (the index rows newest first; `complete` when they
 * are the whole partition) and `read` (the BatchGetItem's items by `PK|SK`, catchUpKeys among them). The watermark
 * moves up only once CATCH_UP_WINDOW / 2 caught-up threads sit above it: until then re-checking them costs nothing
 * (their states come with the page), so most pages skip that UpdateItem.
 */
export async function catchUpFromWindow(ctx: LayerContext, userId: string, newest: { rows: readonly IndexRow[]; complete: boolean }, read: ReadonlyMap<string, Item>): Promise<CatchUpResult> {
  const mark = read.get(`${watermarkKey(userId).PK}|${INDEX_WATERMARK_SK}`);
  const from = typeof mark?.through === "string" ? mark.through : null;
  const window = newest.rows.slice(0, CATCH_UP_WINDOW);
  const oldest = window.at(-1);
  const covered = (newest.complete && newest.rows.length <= CATCH_UP_WINDOW) || (from !== null && oldest !== undefined && oldest.UserThreadSK <= from);
  if (!covered) return catchUpIndexes(ctx, userId, rebuildBudget(), { from });
  const budget = rebuildBudget();
  const above = window.filter((row) => from === null || row.UserThreadSK > from);
  const outcomes = await mapLimited(above, REBUILDS_IN_FLIGHT, (row) => {
    const state = read.get(`${row.PK}|${THREAD_SK}`);
    // A thread gone or moved to another user since the Query is not this user's to catch up.
    return state?.userId === userId ? rebuildIfBehind(ctx, state, budget) : Promise.resolve("current" as const);
  });
  const complete = !outcomes.includes("deferred");
  if (complete && above.length >= CATCH_UP_WINDOW / 2) await advanceWatermark(ctx, watermarkKey(userId), above[0]!.UserThreadSK);
  const result = { walked: above.length, rebuilt: CATCH_UP_REBUILDS - budget.remaining, complete };
  if (result.rebuilt > 0) ctx.logger.info("indexes caught up", { userId, ...result });
  return result;
}
