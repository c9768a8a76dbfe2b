/**
 * Steps: `THREAD#{threadId}` / `STEP#{stepId}`. Every write goes through the per-step queue (write-queue.ts).
 * createStep is an UpdateItem, not Chainlit's PutItem: a re-sent step (Chainlit re-emits steps on resume) no longer
 * wipes the feedback stored inside it.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { definedEntries } from "../codec";
import { StepInputSchema, type StepInput } from "../entities/step";
import { stepPartPrefix, stepSk, threadPk } from "../keys";
import { batchDelete, batchPut, type TableKey } from "./batch";
import { stepQueueKey, type LayerContext } from "./context";
import { removeFromFeedbackMarker, storedFeedbackValue } from "./feedback-markers";
import { queryPartition } from "./partition";
import { PART_FIELDS, partsAttribute, planStepWrite, staleParts } from "./step-parts";
import { buildUpdateExpression, ExpressionBuilder, type AttributePath } from "./update-expression";

const stepKey = (threadId: string, stepId: string) => ({ PK: threadPk(threadId), SK: stepSk(stepId) });

/**
 * One UpdateItem SETting the given fields (plus id and threadId, which Chainlit stores in the item too).
 * `skipEmpty`: updateStep with nothing to change sends nothing (Chainlit sent an invalid empty SET).
 */
async function writeStep(ctx: LayerContext, input: StepInput, skipEmpty: boolean): Promise<void> {
  const { id, threadId, ...rest } = StepInputSchema.parse(input);
  const given = Object.fromEntries(definedEntries(rest));
  if (skipEmpty && Object.keys(given).length === 0) return;
  const plan = planStepWrite(threadId, id, given);
  // Parts first: the step must never count parts that are not there yet.
  if (plan.parts.length > 0) await batchPut(ctx, plan.parts);
  const partCounts = PART_FIELDS.filter((f) => f in given);
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression(
    {
      set: [
        ["id", id],
        ["threadId", threadId],
        ...Object.entries(plan.fields),
        ...partCounts.flatMap((f) => (plan.counts[f] ? [[partsAttribute(f), plan.counts[f]] as const] : [])),
      ],
      remove: partCounts.filter((f) => !plan.counts[f]).map((f): AttributePath => partsAttribute(f)),
    },
    expr,
  )!;
  const out = await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: stepKey(threadId, id),
      UpdateExpression,
      ...expr.attributes(),
      // The old part counts tell which parts a longer earlier write left behind; no extra read needed.
      ReturnValues: partCounts.length > 0 ? "UPDATED_OLD" : "NONE",
    }),
  );
  const stale = partCounts.flatMap((f) => staleParts(threadId, id, f, out.Attributes?.[partsAttribute(f)], plan.counts[f]));
  if (stale.length > 0) await batchDelete(ctx, stale);
}

export function createStep(ctx: LayerContext, step: StepInput): Promise<void> {
  return ctx.queue.run(stepQueueKey(step.threadId, step.id), () => writeStep(ctx, step, false));
}

export function updateStep(ctx: LayerContext, step: StepInput): Promise<void> {
  return ctx.queue.run(stepQueueKey(step.threadId, step.id), () => writeStep(ctx, step, true));
}

/**
 * Deletes a step with what hangs off it: its PART items and its membership in a feedback marker (Chainlit left
 * the feedback counted). Read, clean up, then delete the step last, so repeating an interrupted delete finishes it.
 */
export function deleteStep(ctx: LayerContext, stepId: string, threadId: string): Promise<boolean> {
  return ctx.queue.run(stepQueueKey(threadId, stepId), async () => {
    const expr = new ExpressionBuilder();
    const { Item: step } = await ctx.doc.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: stepKey(threadId, stepId),
        ConsistentRead: true,
        ProjectionExpression: expr.projection(["feedback", ...PART_FIELDS.map(partsAttribute)]),
        ...expr.attributes(),
      }),
    );
    if (!step) return false;
    const value = storedFeedbackValue(step.feedback);
    if (value !== null) await removeFromFeedbackMarker(ctx, threadId, value, stepId);
    if (PART_FIELDS.some((f) => step[partsAttribute(f)] !== undefined)) {
      // A Query, not the counts: it also catches parts an interrupted write left past the count.
      const parts = await queryPartition(ctx, threadId, { attributes: ["PK", "SK"], skPrefix: stepPartPrefix(stepId) });
      await batchDelete(ctx, parts as TableKey[]);
    }
    await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: stepKey(threadId, stepId) }));
    return true;
  });
}
