/**
 * Rebuilds one thread's feedback markers (feedback-markers.ts) from its steps, and records on the THREAD item which
 * activity time (`UserThreadSK`) the markers now reflect: `feedbackIndexedAt`.
 *
 * Why that attribute lives on the THREAD item: Chainlit's update_thread is an UpdateItem that SETs only the
 * attributes it names (id, createdAt, UserThreadSK, metadata, and name/userId/userIdentifier/tags/UserThreadPK when
 * given), so it never removes it; its delete_thread deletes it with the thread, so no state outlives a thread; and the
 * reads that need it (the catch-up's and the feedback listing's BatchGetItem of thread items) already fetch that item.
 *
 * Chainlit writes feedback only into step items, but it bumps the thread's UserThreadSK when a session on the thread
 * starts and when it ends. So a thread whose `UserThreadSK > feedbackIndexedAt` may carry feedback the markers miss.
 * Threadbook's own feedback writes keep the markers exact and do not bump the thread, so they never make it stale.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { type FeedbackValue } from "../../entities/feedback";
import { STEP_PREFIX, feedbackIndexPk, feedbackValueFromMarkerSk, idFromKey } from "../../keys";
import { type LayerContext } from "../context";
import { onConditionFailed, toDataError } from "../edge";
import { DataError } from "../../errors";
import { addToFeedbackMarker, deleteMarkerIfEmpty, removeFromFeedbackMarker, storedFeedbackValue } from "./feedback-markers";
import { queryPartition } from "../threads/partition";
import { threadKey } from "../../keys";
import { ExpressionBuilder } from "../update-expression";

/** The THREAD item's attribute naming the UserThreadSK its markers were last built from. */
export const FEEDBACK_INDEXED_AT = "feedbackIndexedAt";

/** Attributes of a partition's items that decide its markers. */
export const MARKER_ATTRIBUTES = ["PK", "SK", "feedback", "stepIds", "UserThreadPK"] as const;

/** What one marker needs so that it matches the steps. */
export interface MarkerFix {
  value: FeedbackValue;
  /** Steps with this value that the marker lacks. */
  add: string[];
  /** Steps in the marker that no longer have this value (all of them when the marker should go). */
  remove: string[];
  /** The marker's index keys are wrong (the thread changed user, or got one): rewrite them. */
  reindex: boolean;
  /** The marker holds no step at all (a write died between emptying and deleting it): delete it. */
  empty: boolean;
}

/** True when the thread's activity is newer than what its markers were built from. */
export function indexIsBehind(thread: Item): boolean {
  const at = thread.UserThreadSK;
  const indexedAt = thread[FEEDBACK_INDEXED_AT];
  return typeof at === "string" && (typeof indexedAt !== "string" || at > indexedAt);
}

/**
 * Compares a partition's steps with its markers (items carrying MARKER_ATTRIBUTES; other items are ignored).
 * Pure, so the doctor reports with the same rule the catch-up repairs with.
 */
export function planMarkerFixes(items: readonly Item[], userId: string | null): MarkerFix[] {
  const wanted = new Map<FeedbackValue, Set<string>>([
    [0, new Set()],
    [1, new Set()],
  ]);
  const markers = new Map<FeedbackValue, { stepIds: Set<string>; indexPk: unknown }>();
  for (const item of items) {
    const sk = String(item.SK);
    const markerValue = feedbackValueFromMarkerSk(sk);
    if (markerValue !== null) {
      const stepIds = item.stepIds instanceof Set ? new Set([...item.stepIds].map(String)) : new Set<string>();
      markers.set(markerValue, { stepIds, indexPk: item.UserThreadPK });
    } else if (sk.startsWith(STEP_PREFIX)) {
      const value = storedFeedbackValue(item.feedback);
      if (value !== null) wanted.get(value)!.add(idFromKey(sk, STEP_PREFIX));
    }
  }
  const fixes: MarkerFix[] = [];
  for (const [value, steps] of wanted) {
    const marker = markers.get(value);
    const have = marker?.stepIds ?? new Set<string>();
    const add = [...steps].filter((id) => !have.has(id));
    const remove = [...have].filter((id) => !steps.has(id));
    const empty = marker !== undefined && have.size === 0 && steps.size === 0;
    // A thread without a user has no list; its marker keeps whatever keys it has.
    const reindex = userId !== null && marker !== undefined && steps.size > 0 && marker.indexPk !== feedbackIndexPk(userId, value);
    if (add.length > 0 || remove.length > 0 || reindex || empty) fixes.push({ value, add, remove, reindex, empty });
  }
  return fixes;
}

/**
 * Applies the fixes with the same single-item writes Threadbook's feedback uses (ADD / DELETE on the step set, a
 * conditional delete of an emptied marker), never a blind overwrite of the set: a feedback write racing the rebuild
 * keeps its own step. New feedback gets `at` (the thread activity that revealed it) as its time in the filter.
 */
export async function applyMarkerFixes(ctx: LayerContext, threadId: string, userId: string | null, fixes: readonly MarkerFix[], at: string): Promise<void> {
  await Promise.all(
    fixes.map(async (fix) => {
      if (fix.add.length > 0 || fix.reindex) await addToFeedbackMarker(ctx, threadId, fix.value, fix.add, userId, at);
      if (fix.remove.length > 0) await removeFromFeedbackMarker(ctx, threadId, fix.value, fix.remove);
      if (fix.empty) await deleteMarkerIfEmpty(ctx, threadId, fix.value);
    }),
  );
}

/**
 * Records that the markers reflect the thread as of `builtFrom`. Conditional: never creates a stub for a thread
 * deleted meanwhile, never moves the state backwards (a concurrent rebuild from a newer time wins).
 *
 * A THREAD item Chainlit filled to DynamoDB's 400 KB (update_thread saves a session's whole user_session as
 * metadata) cannot take the attribute. The markers and docs just written are right all the same; only the record is
 * missing, so the thread is rebuilt again when next met. That is logged, not thrown: thrown, it failed every filtered
 * listing and every search of the owner for good.
 */
export async function recordIndexedAt(ctx: LayerContext, threadId: string, builtFrom: string, attribute = FEEDBACK_INDEXED_AT): Promise<void> {
  const expr = new ExpressionBuilder();
  const attr = expr.name(attribute);
  const at = expr.value(builtFrom);
  await onConditionFailed(
    () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: threadKey(threadId),
          UpdateExpression: `SET ${attr} = ${at}`,
          ConditionExpression: `attribute_exists(${expr.name("PK")}) AND (attribute_not_exists(${attr}) OR ${attr} < ${at})`,
          ...expr.attributes(),
        }),
      ),
    () => undefined,
  ).catch((error: unknown) => {
    const mapped = toDataError(error, "recordIndexedAt");
    if (!(mapped instanceof DataError && mapped.code === "too_large")) throw error;
    ctx.logger.warn("the THREAD item is too large to record its index state; it is rebuilt when next met", { threadId, attribute });
  });
}

/**
 * Rebuilds the thread's markers from a fresh, strongly consistent read of its steps. `builtFrom` must be the thread's
 * UserThreadSK as read BEFORE this call: feedback Chainlit writes after that read comes with a later bump, which makes
 * the thread stale again. Requests: 1 Query per MB of the partition, 1 write per marker that changes (+1 DeleteItem
 * when one empties), 1 UpdateItem of the state. Returns the values that have a marker afterwards. `items`: a read of
 * the partition the caller already made (with at least MARKER_ATTRIBUTES), so one read serves both indexes.
 */
export async function rebuildFeedbackMarkers(
  ctx: LayerContext,
  threadId: string,
  thread: { userId: string | null; builtFrom: string },
  read?: readonly Item[],
): Promise<Set<FeedbackValue>> {
  const items = read ?? (await queryPartition(ctx, threadId, { attributes: MARKER_ATTRIBUTES }));
  const fixes = planMarkerFixes(items, thread.userId);
  await applyMarkerFixes(ctx, threadId, thread.userId, fixes, thread.builtFrom);
  await recordIndexedAt(ctx, threadId, thread.builtFrom);
  if (fixes.length > 0) ctx.logger.info("feedback markers rebuilt", { threadId, fixes: fixes.length });
  const present = new Set<FeedbackValue>();
  for (const value of [0, 1] as const) {
    const hasSteps = items.some((item) => String(item.SK).startsWith(STEP_PREFIX) && storedFeedbackValue(item.feedback) === value);
    if (hasSteps) present.add(value);
  }
  return present;
}
