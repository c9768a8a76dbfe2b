/**
 * Steps: `THREAD#{threadId}` / `STEP#{stepId}`. Every write goes through the per-step queue (write-queue.ts).
 * createStep is Chainlit's PutItem only for a step that does not exist yet; a re-sent step (Chainlit re-emits steps
 * on resume) is updated instead, so the feedback stored inside it is no longer wiped.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { definedEntries } from "../../dynamo/codec";
import { StepInputSchema, type StepInput } from "../../entities/step";
import { stepPartPrefix, stepSk, stepSource, threadPk } from "../../keys";
import { indexStep, removeSource } from "../search/search-index";
import { batchDelete, batchPut, type TableKey } from "../batch";
import { stepQueueKey, type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { removeFromFeedbackMarker, storedFeedbackValue } from "../feedback/feedback-markers";
import { queryPartition } from "../threads/partition";
import { PART_FIELDS, partsAttribute, planStepWrite, staleParts, type StepWritePlan } from "./step-parts";
import { buildUpdateExpression, ExpressionBuilder, type AttributePath } from "../update-expression";

const stepKey = (threadId: string, stepId: string) => ({ PK: threadPk(threadId), SK: stepSk(stepId) });

/**
 * createStep: one PutItem when the step is new (the usual case, and cheaper for DynamoDB and the client than an
 * UpdateItem of ~20 SET clauses); one UpdateItem more when it exists. updateStep: one UpdateItem SETting the given
 * fields (plus id and threadId, which Chainlit stores in the item too); with nothing to change it sends nothing
 * (Chainlit sent an invalid empty SET).
 */
async function writeStep(ctx: LayerContext, input: StepInput, mode: WriteMode): Promise<boolean> {
  const { id, threadId, ...rest } = StepInputSchema.parse(input);
  const given = Object.fromEntries(definedEntries(rest));
  if (mode !== "create" && Object.keys(given).length === 0) return true;
  const plan = planStepWrite(threadId, id, given);
  // Parts first: the step must never count parts that are not there yet.
  if (plan.parts.length > 0) await batchPut(ctx, plan.parts);
  if (mode === "create" && (await putNewStep(ctx, threadId, id, plan))) return true;
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
  const update = new UpdateCommand({
    TableName: ctx.tableName,
    Key: stepKey(threadId, id),
    UpdateExpression,
    ...expr.attributes(),
    // An UpdateItem creates a missing item: only an existing step is written ("existing"), in the same request.
    ...(mode === "existing" ? { ConditionExpression: "attribute_exists(PK)" } : {}),
    // The old part counts tell which parts a longer earlier write left behind; no extra read needed.
    ReturnValues: partCounts.length > 0 ? "UPDATED_OLD" : "NONE",
  });
  const out = await onConditionFailed(
    () => ctx.doc.send(update),
    () => null,
  );
  if (!out) {
    // The step was deleted meanwhile: the parts written for it above go too.
    if (plan.parts.length > 0) await batchDelete(ctx, plan.parts.map(({ PK, SK }) => ({ PK, SK }) as TableKey));
    return false;
  }
  const stale = partCounts.flatMap((f) => staleParts(threadId, id, f, out.Attributes?.[partsAttribute(f)], plan.counts[f]));
  if (stale.length > 0) await batchDelete(ctx, stale);
  return true;
}

/**
 * The whole step item, only if there is none (`attribute_not_exists`): an existing one may hold feedback (Chainlit's
 * upsert_feedback writes it into the step) or parts a longer write left, which the UpdateItem path keeps or cleans.
 * False when the step exists.
 */
function putNewStep(ctx: LayerContext, threadId: string, id: string, plan: StepWritePlan): Promise<boolean> {
  const counts = PART_FIELDS.flatMap((f) => (plan.counts[f] ? [[partsAttribute(f), plan.counts[f]] as const] : []));
  return onConditionFailed(
    async () => {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: { ...stepKey(threadId, id), id, threadId, ...plan.fields, ...Object.fromEntries(counts) },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return true;
    },
    () => false,
  );
}

/** `owner`: the thread's owner, when the caller knows it (Threadbook's own writes): the step's text is indexed too. */
export interface StepWriteOptions {
  owner?: string;
}

/**
 * "create": a new step, or an update of one that exists (createStep). "update": Chainlit's update_step, an UpdateItem
 * that makes the step when it is missing. "existing": an update of a step only while it exists (updateExistingStep).
 */
type WriteMode = "create" | "update" | "existing";

/**
 * The step write and its full-text index write run side by side (search-index.ts), inside the step's queue so two
 * writes of one streaming message index in order. A step without text, or a write that does not give `output`,
 * is not indexed. False when an "existing" write found no step: what was indexed beside it is taken back.
 */
function writeAndIndex(ctx: LayerContext, step: StepInput, mode: WriteMode, options: StepWriteOptions): Promise<boolean> {
  return ctx.queue.run(stepQueueKey(step.threadId, step.id), async () => {
    const indexed = options.owner !== undefined && step.output !== undefined;
    const [written] = await Promise.all([writeStep(ctx, step, mode), indexed ? indexStep(ctx, options.owner!, step) : undefined]);
    if (!written && indexed) await removeSource(ctx, step.threadId, stepSource(step.id));
    return written;
  });
}

export async function createStep(ctx: LayerContext, step: StepInput, options: StepWriteOptions = {}): Promise<void> {
  await writeAndIndex(ctx, step, "create", options);
}

export async function updateStep(ctx: LayerContext, step: StepInput, options: StepWriteOptions = {}): Promise<void> {
  await writeAndIndex(ctx, step, "update", options);
}

/**
 * updateStep, but only while the step exists: false, with nothing written (its parts and index entries taken back),
 * when it was deleted meanwhile. The same one UpdateItem, with a condition. A reply streaming into its own answer
 * (server/chat/continue-thread.ts) writes this way: an answer a Retry or an edit deleted under it is never made again.
 */
export function updateExistingStep(ctx: LayerContext, step: StepInput, options: StepWriteOptions = {}): Promise<boolean> {
  return writeAndIndex(ctx, step, "existing", options);
}

/**
 * Deletes a step with what hangs off it: its PART items, its membership in a feedback marker (Chainlit left
 * the feedback counted) and its full-text postings and doc (+1 GetItem, +1 BatchWriteItem per 25). Read, clean up, then delete the step last, so repeating an interrupted delete finishes it.
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
    await Promise.all([value !== null ? removeFromFeedbackMarker(ctx, threadId, value, stepId) : undefined, removeSource(ctx, threadId, stepSource(stepId))]);
    if (PART_FIELDS.some((f) => step[partsAttribute(f)] !== undefined)) {
      // A Query, not the counts: it also catches parts an interrupted write left past the count.
      const parts = await queryPartition(ctx, threadId, { attributes: ["PK", "SK"], skPrefix: stepPartPrefix(stepId) });
      await batchDelete(ctx, parts as TableKey[]);
    }
    await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: stepKey(threadId, stepId) }));
    return true;
  });
}
