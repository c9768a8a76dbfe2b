/**
 * Feedback: a map inside the step item (Chainlit's format, so both apps read it), id `THREAD#{tid}::STEP#{sid}`,
 * plus the marker items of feedback-markers.ts that make "threads with 👍/👎" listable.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { DataError } from "../../errors";
import { FeedbackSchema, type Feedback } from "../../entities/feedback";
import { feedbackId, parseFeedbackId, stepSk, threadPk } from "../../keys";
import { stepQueueKey, type LayerContext } from "../context";
import { notFound, onConditionFailed } from "../edge";
import { addToFeedbackMarker, removeFromFeedbackMarker, storedFeedbackValue } from "./feedback-markers";
import { readThreadOwner } from "../threads/threads";
import { buildUpdateExpression, ExpressionBuilder, type UpdateSpec } from "../update-expression";

export interface UpsertFeedbackOptions {
  /**
   * The thread's userId when the caller already has it (the API loads the thread for its ownership check): saves
   * the GetItem that otherwise both proves the thread exists and finds the user whose index the marker joins.
   */
  threadUserId?: string | null;
}

/**
 * One UpdateItem on an existing step. `attribute_exists(PK)`: Chainlit's unconditional UpdateItem turned a bad step
 * id into a phantom step with no createdAt, which later broke get_thread's sort. Returns the old feedback value.
 */
async function updateStepFeedback(ctx: LayerContext, threadId: string, stepId: string, spec: UpdateSpec) {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression(spec, expr)!;
  const out = await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: { PK: threadPk(threadId), SK: stepSk(stepId) },
      UpdateExpression,
      ConditionExpression: `attribute_exists(${expr.name("PK")})`,
      ...expr.attributes(),
      // Only the old feedback map comes back, not a step output of up to 350 KB.
      ReturnValues: "UPDATED_OLD",
    }),
  );
  return storedFeedbackValue(out.Attributes?.feedback);
}

/**
 * Round trips: thread GetItem (skipped with `threadUserId`) + step UpdateItem + marker UpdateItem, and 1–2 more
 * only when the value changes (leaving the old marker). The thread is checked before anything is written.
 */
export async function upsertFeedback(ctx: LayerContext, input: Feedback, options: UpsertFeedbackOptions = {}): Promise<string> {
  const feedback = FeedbackSchema.parse(input);
  const { threadId, forId: stepId, value } = feedback;
  const id = feedbackId(threadId, stepId);
  return ctx.queue.run(stepQueueKey(threadId, stepId), async () => {
    const userId = options.threadUserId !== undefined ? options.threadUserId : ((await readThreadOwner(ctx, threadId)) ?? notFound("thread")).userId;
    const stored = { id, forId: stepId, threadId, value, comment: feedback.comment ?? null };
    // The step and its marker are written side by side: one round trip of latency instead of two. Should the step
    // turn out not to exist, its id is taken back out of the marker, so no phantom feedback stays listed.
    const [step, marker] = await Promise.allSettled([
      onConditionFailed(
        () => updateStepFeedback(ctx, threadId, stepId, { set: [["feedback", stored]] }),
        () => "missing" as const,
      ),
      addToFeedbackMarker(ctx, threadId, value, stepId, userId),
    ]);
    if (step.status === "fulfilled" && step.value === "missing") {
      await removeFromFeedbackMarker(ctx, threadId, value, stepId);
      notFound("step");
    }
    if (step.status === "rejected") throw step.reason;
    if (marker.status === "rejected") throw marker.reason;
    const old = step.value as Awaited<ReturnType<typeof updateStepFeedback>>;
    if (old !== null && old !== value) await removeFromFeedbackMarker(ctx, threadId, old, stepId);
    return id;
  });
}

/** True if the step had feedback. A malformed id is a validation error (Chainlit's `strip` mangled some ids). */
export async function deleteFeedback(ctx: LayerContext, id: string): Promise<boolean> {
  const parsed = parseFeedbackId(id);
  if (!parsed) throw new DataError("validation", "malformed feedback id");
  const { threadId, stepId } = parsed;
  return ctx.queue.run(stepQueueKey(threadId, stepId), async () => {
    const old = await onConditionFailed(
      () => updateStepFeedback(ctx, threadId, stepId, { remove: ["feedback"] }),
      () => null,
    );
    if (old === null) return false;
    await removeFromFeedbackMarker(ctx, threadId, old, stepId);
    return true;
  });
}
