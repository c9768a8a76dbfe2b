/**
 * Builds the feedback index (feedback-markers.ts) for a table Chainlit wrote: Chainlit stores feedback only inside
 * step items, so a table it filled has no markers and the feedback filter would list nothing.
 *
 * One Scan finds every step with feedback and every existing marker; each (thread, value) then gets a marker whose
 * stepIds is exactly the scanned set, and markers no step backs any more are deleted. Running it again converges
 * to the same index, so it is safe to repeat; run it while no one writes feedback (a write between the scan and the
 * rewrite can be overwritten by the scanned state until that feedback changes again).
 */
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../codec";
import { type FeedbackValue } from "../entities/feedback";
import { type Logger } from "../logger";
import { FEEDBACK_PREFIX, STEP_PREFIX, THREAD_SK, feedbackIndexPk, feedbackMarkerSk, feedbackValueFromMarkerSk, idFromKey, threadIdFromPk, threadPk, userThreadSk } from "../keys";
import { batchGet, mapLimited } from "./batch";
import { type LayerContext } from "./context";
import { DynamoDBDataLayer } from "./data-layer";
import { storedFeedbackValue } from "./feedback-markers";
import { buildUpdateExpression, ExpressionBuilder } from "./update-expression";

export interface BackfillResult {
  /** Steps found with feedback. */
  steps: number;
  /** Markers written (created or rewritten). */
  markers: number;
  /** Markers deleted because no step has that value any more. */
  removed: number;
  /** (thread, value) groups skipped because the THREAD item is gone (orphaned steps). */
  orphaned: number;
}

type Group = { threadId: string; value: FeedbackValue; stepIds: Set<string> };
const groupKey = (threadId: string, value: FeedbackValue) => `${threadId}\n${value}`;

async function scanFeedback(ctx: LayerContext): Promise<{ groups: Map<string, Group>; markers: Set<string>; steps: number }> {
  const groups = new Map<string, Group>();
  const markers = new Set<string>();
  let steps = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const expr = new ExpressionBuilder();
    const sk = expr.name("SK");
    const out = await ctx.doc.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: `(begins_with(${sk}, ${expr.value(STEP_PREFIX)}) AND attribute_exists(${expr.name("feedback")})) OR begins_with(${sk}, ${expr.value(FEEDBACK_PREFIX)})`,
        ProjectionExpression: expr.projection(["PK", "SK", "feedback"]),
        ...expr.attributes(),
        ExclusiveStartKey,
      }),
    );
    for (const item of (out.Items ?? []) as Item[]) {
      const threadId = threadIdFromPk(String(item.PK));
      const markerValue = feedbackValueFromMarkerSk(String(item.SK));
      if (markerValue !== null) {
        markers.add(groupKey(threadId, markerValue));
        continue;
      }
      const value = storedFeedbackValue(item.feedback);
      if (value === null) continue;
      steps++;
      const key = groupKey(threadId, value);
      const group = groups.get(key) ?? { threadId, value, stepIds: new Set<string>() };
      group.stepIds.add(idFromKey(String(item.SK), STEP_PREFIX));
      groups.set(key, group);
    }
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { groups, markers, steps };
}

/**
 * The marker's time is when its latest feedback was given; Chainlit kept no such time, so the thread's last
 * activity (its UserThreadSK) stands in, and an existing marker keeps its own (`if_not_exists`).
 */
async function writeMarker(ctx: LayerContext, group: Group, thread: Item): Promise<void> {
  const userId = typeof thread.userId === "string" ? thread.userId : null;
  const at = typeof thread.UserThreadSK === "string" ? thread.UserThreadSK : userThreadSk(ctx.now());
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression(
    {
      set: [["id", group.threadId], ["stepIds", group.stepIds], ...(userId ? [["UserThreadPK", feedbackIndexPk(userId, group.value)] as const] : [])],
      setIfNotExists: userId ? [["UserThreadSK", at]] : [],
    },
    expr,
  )!;
  await ctx.doc.send(
    new UpdateCommand({ TableName: ctx.tableName, Key: { PK: threadPk(group.threadId), SK: feedbackMarkerSk(group.value) }, UpdateExpression, ...expr.attributes() }),
  );
}

export async function backfillFeedbackIndex(
  target: DynamoDBDataLayer | { client: DynamoDBClient; tableName: string; logger?: Logger },
): Promise<BackfillResult> {
  const ctx = target instanceof DynamoDBDataLayer ? target.context : new DynamoDBDataLayer(target).context;
  const { groups, markers, steps } = await scanFeedback(ctx);
  const threadIds = [...new Set([...groups.values()].map((g) => g.threadId))];
  const threads = await batchGet(
    ctx,
    threadIds.map((id) => ({ PK: threadPk(id), SK: THREAD_SK })),
    ["PK", "userId", "UserThreadSK"],
  );
  const threadByPk = new Map(threads.map((t) => [String(t.PK), t]));
  const live = [...groups.values()].filter((g) => threadByPk.has(threadPk(g.threadId)));
  await mapLimited(live, 8, (group) => writeMarker(ctx, group, threadByPk.get(threadPk(group.threadId))!));
  const backed = new Set(live.map((g) => groupKey(g.threadId, g.value)));
  const unbacked = [...markers].filter((key) => !backed.has(key));
  await mapLimited(unbacked, 8, (key) => {
    const [threadId, value] = key.split("\n") as [string, string];
    return ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: { PK: threadPk(threadId), SK: feedbackMarkerSk(Number(value) as FeedbackValue) } }));
  });
  const result = { steps, markers: live.length, removed: unbacked.length, orphaned: groups.size - live.length };
  ctx.logger.info("feedback index backfilled", { ...result });
  return result;
}
