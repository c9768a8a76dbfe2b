/**
 * The feedback index. Chainlit cannot filter threads by feedback (docs/chainlit.md, "Feedback"): feedback sits inside step
 * items, which the UserThread index does not carry. Threadbook keeps one marker item per thread and value:
 *
 *   PK = THREAD#{tid}, SK = FEEDBACK#{value}, id = tid, stepIds = SS of the steps with that value,
 *   UserThreadPK = USER#{userId}#FEEDBACK#{value}, UserThreadSK = TS#{latest such feedback}
 *
 * The markers share the UserThread index under partitions of their own, so Chainlit's list (which queries
 * `USER#{userId}` exactly) never sees them and the table template stays Chainlit's. Every write below touches one
 * item and is atomic or conditional, so each step is safe to repeat (dynalite has no transactions).
 */
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type FeedbackValue } from "../../entities/feedback";
import { feedbackIndexPk, feedbackMarkerSk, threadPk, userThreadSk } from "../../keys";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { buildUpdateExpression, ExpressionBuilder } from "../update-expression";

const markerKey = (threadId: string, value: FeedbackValue) => ({ PK: threadPk(threadId), SK: feedbackMarkerSk(value) });

/** The value of a stored feedback map: Chainlit writes it as N (read back as 1.0 by boto3), so coerce. */
export function storedFeedbackValue(feedback: unknown): FeedbackValue | null {
  const value = Number((feedback as { value?: unknown } | null | undefined)?.value);
  return value === 0 || value === 1 ? value : null;
}

const stepSet = (stepIds: string | readonly string[]) => new Set(typeof stepIds === "string" ? [stepIds] : stepIds);

/**
 * Adds the steps to the marker of `value`. `ADD` on a string set is idempotent, so a repeated upsert changes only the
 * timestamp (the thread moves to the top of its feedback filter, as the latest feedback should). `at` is when the
 * feedback was given: now for Threadbook's own, the thread's activity time for feedback the catch-up found.
 * A thread without a user (never named by Chainlit's first message) has no list to appear in: the marker then keeps
 * its steps but no index keys. With no steps it only (re)writes the index keys.
 */
export async function addToFeedbackMarker(
  ctx: LayerContext,
  threadId: string,
  value: FeedbackValue,
  stepIds: string | readonly string[],
  userId: string | null,
  at: string = userThreadSk(ctx.now()),
): Promise<void> {
  const expr = new ExpressionBuilder();
  const index = userId
    ? ([
        ["UserThreadPK", feedbackIndexPk(userId, value)],
        ["UserThreadSK", at],
      ] as const)
    : [];
  const steps = stepSet(stepIds);
  const UpdateExpression = buildUpdateExpression({ set: [["id", threadId], ...index], add: steps.size > 0 ? [["stepIds", steps]] : [] }, expr)!;
  await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, Key: markerKey(threadId, value), UpdateExpression, ...expr.attributes() }));
}

/**
 * Removes the steps from the marker of `value`; when that empties the set (DynamoDB drops an empty set attribute),
 * deletes the marker so the thread leaves the filter. The delete is conditional on the set still being gone:
 * if another step's feedback was added in between, the marker stays.
 */
export async function removeFromFeedbackMarker(ctx: LayerContext, threadId: string, value: FeedbackValue, stepIds: string | readonly string[]): Promise<void> {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ delete: [["stepIds", stepSet(stepIds)]] }, expr)!;
  const out = await onConditionFailed(
    () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: markerKey(threadId, value),
          UpdateExpression,
          // UpdateItem upserts: without this a DELETE on a missing marker would create an empty one.
          ConditionExpression: `attribute_exists(${expr.name("PK")})`,
          ...expr.attributes(),
          ReturnValues: "ALL_NEW",
        }),
      ),
    () => null,
  );
  if (!out || out.Attributes?.stepIds !== undefined) return;
  await deleteMarkerIfEmpty(ctx, threadId, value);
}

/** Deletes the marker only while its step set is gone: if another step's feedback was added meanwhile, it stays. */
export async function deleteMarkerIfEmpty(ctx: LayerContext, threadId: string, value: FeedbackValue): Promise<void> {
  await onConditionFailed(
    () =>
      ctx.doc.send(
        new DeleteCommand({ TableName: ctx.tableName, Key: markerKey(threadId, value), ConditionExpression: "attribute_not_exists(stepIds)" }),
      ),
    () => undefined,
  );
}
