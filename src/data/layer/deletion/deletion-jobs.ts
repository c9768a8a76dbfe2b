/**
 * Delete jobs as one item in their owner's partition (`USER#{userId}` / `DELETION`): every read and write names the
 * owner's key, so no user can see or move another's job. Like an import job (import-jobs.ts), a running job belongs
 * to one process, its `runner`: progress is written only while the runner is still the writer, and a runner gone
 * silent is replaced by a takeover that names the `updatedAt` it saw, so of two instances only one gets the job.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeItem, keyed } from "../../dynamo/codec";
import { DeletionJobSchema, deletionProgressMark, type DeletionJob, type DeletionKind, type DeletionProgress } from "../../entities/deletion-job";
import { DELETION_SK, identifierFromUserPk, RUNNING_DELETIONS_PK, TTL_ATTRIBUTE, userPk } from "../../keys";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { firstRun, queryRunningJobs, runCountOfTakeover } from "../running-jobs";
import { buildUpdateExpression, ExpressionBuilder } from "../update-expression";

/**
 * A finished job is kept a week (for the page that shows it ended), then DynamoDB's TTL removes it. Not an account
 * job that failed: it is what says the account's deletion is unfinished (a sign-in again shows it, and `npm run user
 * -- remove` finishes it), kept until it is run again.
 */
const FINISHED_JOB_TTL_SECONDS = 7 * 86_400;

const deletionKey = (userId: string) => ({ PK: userPk(userId), SK: DELETION_SK });
const decodeJob = (userId: string, item: Record<string, unknown>) => decodeItem(DeletionJobSchema, keyed(item, { userId }));
const RUNNING_INDEX_ATTRIBUTES = ["UserThreadPK", "UserThreadSK"] as const;

/**
 * Starts a job unless one is running: `{ job, created: true }` for the new job, else the running one as it is. An
 * `account` request meeting a running `threads` job turns it into an account job (same cutoff, same progress).
 */
export async function startDeletionJob(ctx: LayerContext, userId: string, kind: DeletionKind, runner: string): Promise<{ job: DeletionJob; created: boolean }> {
  const now = ctx.now();
  const job: DeletionJob = {
    ...{ userId, kind, status: "running", startedAt: now, total: null, deleted: 0, error: null, updatedAt: now, runner, resumes: 0 },
    ...{ cancelRequested: false, failures: 0, retryAt: null, ...firstRun() },
  };
  const listedAsRunning = { UserThreadPK: RUNNING_DELETIONS_PK, UserThreadSK: userPk(userId) };
  const created = await onConditionFailed(
    async () => {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: { ...deletionKey(userId), ...job, ...listedAsRunning },
          ConditionExpression: "attribute_not_exists(PK) OR #status <> :running",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":running": "running" },
        }),
      );
      return true;
    },
    () => false,
  );
  if (created) return { job, created: true };
  if (kind === "account") await widenToAccount(ctx, userId);
  const running = await getDeletionJob(ctx, userId);
  // Finished between the two writes: start again (the condition now holds).
  return running && running.status === "running" ? { job: running, created: false } : startDeletionJob(ctx, userId, kind, runner);
}

/** One UpdateItem of the user's job on the condition given; false when the condition failed. */
function updateJobIf(ctx: LayerContext, userId: string, UpdateExpression: string, ConditionExpression: string, values: Record<string, unknown>): Promise<boolean> {
  const update = new UpdateCommand({
    TableName: ctx.tableName,
    Key: deletionKey(userId),
    UpdateExpression,
    ConditionExpression,
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":running": "running", ...values },
  });
  return onConditionFailed(
    () => ctx.doc.send(update).then(() => true),
    () => false,
  );
}

async function widenToAccount(ctx: LayerContext, userId: string): Promise<void> {
  // A cancel asked of the threads job no longer applies: an account job is never cancelled (cancelDeletionJob).
  await updateJobIf(ctx, userId, "SET kind = :account, cancelRequested = :no", "#status = :running", { ":account": "account", ":no": false });
}

export async function getDeletionJob(ctx: LayerContext, userId: string): Promise<DeletionJob | null> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: deletionKey(userId), ConsistentRead: true }));
  return out.Item ? decodeJob(userId, out.Item) : null;
}

/** Users with a running job, at most `limit`, each call on from the last (running-jobs.ts; the index lags: read the job itself before acting). */
export async function listRunningDeletionJobs(ctx: LayerContext, limit: number): Promise<string[]> {
  return (await queryRunningJobs(ctx, RUNNING_DELETIONS_PK, limit)).filter((item) => item.SK === DELETION_SK).map((item) => identifierFromUserPk(String(item.PK)));
}

/**
 * Writes progress (an empty one is a heartbeat) on the condition that `runner` still runs the job; the job after,
 * or null when it is no longer this runner's or no longer running. Ending a job unlists it and starts its TTL.
 */
export async function updateDeletionJob(
  ctx: LayerContext,
  userId: string,
  runner: string,
  progress: DeletionProgress,
  options: { keep?: boolean } = {},
): Promise<DeletionJob | null> {
  const ends = progress.status !== undefined && progress.status !== "running";
  const set = [
    ...Object.entries(progress).filter(([, value]) => value !== undefined),
    ["updatedAt", ctx.now()] as const,
    ...(ends && !options.keep ? [[TTL_ATTRIBUTE, Math.floor(Date.now() / 1000) + FINISHED_JOB_TTL_SECONDS] as const] : []),
  ] as Array<readonly [string, unknown]>;
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ set, remove: ends ? RUNNING_INDEX_ATTRIBUTES : [] }, expr)!;
  const ConditionExpression = `${expr.name("status")} = ${expr.value("running")} AND ${expr.name("runner")} = ${expr.value(runner)}`;
  return sendUpdate(ctx, userId, UpdateExpression, ConditionExpression, expr);
}

/**
 * Asks the user's running "Delete all conversations" job to stop; true when asked. Its runner ends it (`cancelled`)
 * at its next progress write; what it deleted stays deleted. Never an account job: "Delete my account" deletes the
 * AUTH item as it starts (user.deleteAccount), so from then on no password works and no session passes; stopping half
 * way would leave an account no one can sign in to, keeping half its threads, with no way left to its owner to finish
 * or undo it. The condition is on the item, so a job widened to an account job a moment before is refused too.
 */
export function cancelDeletionJob(ctx: LayerContext, userId: string): Promise<boolean> {
  return updateJobIf(ctx, userId, "SET cancelRequested = :yes", "#status = :running AND kind = :threads", { ":yes": true, ":threads": "threads" });
}

/**
 * Takes over a running job seen as `seen` (last heard from at its `updatedAt`), for `runner`; null when someone moved
 * it first. The same write counts the run's start (running-jobs.ts): one more run without progress, or the first
 * since the job last got somewhere; `explicit` (an operator's command) starts the count again.
 */
export function claimDeletionJob(ctx: LayerContext, userId: string, runner: string, seen: DeletionJob, explicit = false): Promise<DeletionJob | null> {
  const count = runCountOfTakeover(seen, deletionProgressMark(seen), explicit);
  return whileAsSeen(ctx, userId, seen.updatedAt, { set: [["runner", runner], ["runsWithoutProgress", count.runsWithoutProgress], ["progressAtStart", count.progressAtStart]], add: [["resumes", 1]] });
}

/**
 * Ends a running job seen as `seen` as failed with `error` instead of taking it over (its runs keep taking their
 * process down); null when someone moved it first. A threads job expires as a finished one does; an account job is
 * kept (`keep`), as one that failed MAX_ACCOUNT_ATTEMPTS times is (run-deletion.ts).
 */
export function giveUpDeletionJob(ctx: LayerContext, userId: string, seen: DeletionJob, error: string, { keep = false } = {}): Promise<DeletionJob | null> {
  const set: Array<readonly [string, unknown]> = [["status", "failed"], ["error", error]];
  if (!keep) set.push([TTL_ATTRIBUTE, Math.floor(Date.now() / 1000) + FINISHED_JOB_TTL_SECONDS]);
  return whileAsSeen(ctx, userId, seen.updatedAt, { set, remove: RUNNING_INDEX_ATTRIBUTES });
}

/** One UpdateItem of a running job still as it was seen (same `updatedAt`): of two instances acting on it, one wins. */
function whileAsSeen(ctx: LayerContext, userId: string, seenUpdatedAt: string, spec: { set: ReadonlyArray<readonly [string, unknown]>; add?: ReadonlyArray<readonly [string, number]>; remove?: readonly string[] }) {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ ...spec, set: [...spec.set, ["updatedAt", ctx.now()]] }, expr)!;
  const ConditionExpression = `${expr.name("status")} = ${expr.value("running")} AND ${expr.name("updatedAt")} = ${expr.value(seenUpdatedAt)}`;
  return sendUpdate(ctx, userId, UpdateExpression, ConditionExpression, expr);
}

function sendUpdate(ctx: LayerContext, userId: string, UpdateExpression: string, ConditionExpression: string, expr: ExpressionBuilder): Promise<DeletionJob | null> {
  return onConditionFailed(
    async () => {
      const out = await ctx.doc.send(
        new UpdateCommand({ TableName: ctx.tableName, Key: deletionKey(userId), UpdateExpression, ConditionExpression, ...expr.attributes(), ReturnValues: "ALL_NEW" }),
      );
      return decodeJob(userId, out.Attributes!);
    },
    () => null,
  );
}
