/**
 * Import jobs as items of their owner's partition (`USER#{userId}` / `IMPORT#{jobId}`). Every read and write names the
 * owner's key, so one user can neither see nor cancel another's job: a job id alone reaches nothing.
 *
 * A running job belongs to one process, its `runner`: progress is written only on the condition that the runner is
 * still the writer and the job still runs. A runner gone silent (a restart) is replaced by a conditional takeover that
 * names the `updatedAt` it saw, so of two instances that find the same silent job only one gets it.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeItem, keyed } from "../../dynamo/codec";
import { IMPORT_JOB_ID, ImportJobSchema, importProgressMark, type ImportJob, type ImportJobProgress, type ImportProblemData, type ImportUpload } from "../../entities/import-job";
import { IdSchema } from "../../entities/common";
import { DataError } from "../../errors";
import { IMPORT_JOB_PREFIX, idFromKey, importJobSk, RUNNING_IMPORTS_PK, TTL_ATTRIBUTE, userPk } from "../../keys";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { firstRun, queryRunningJobs, runCountOfTakeover } from "../running-jobs";
import { buildUpdateExpression, ExpressionBuilder } from "../update-expression";

/**
 * Finished jobs are history, not data: DynamoDB's TTL removes them this long after they end. A running job has no
 * TTL: it ends (and its upload is deleted) through its runner, a takeover or the doctor, never by vanishing while its
 * upload stays in storage.
 */
const JOB_TTL_SECONDS = 30 * 86_400;
const expiresAt = () => Math.floor(Date.now() / 1000) + JOB_TTL_SECONDS;

const jobKey = (userId: string, jobId: string) => ({ PK: userPk(userId), SK: importJobSk(IdSchema.parse(jobId)) });

export interface NewImportJob {
  fileName: string;
  upload: ImportUpload;
  runner: string;
}

export async function createImportJob(ctx: LayerContext, userId: string, jobId: string, { fileName, upload, runner }: NewImportJob): Promise<ImportJob> {
  if (!IMPORT_JOB_ID.test(jobId)) throw new DataError("validation", "not an import job id");
  const now = ctx.now();
  const job = ImportJobSchema.parse({
    jobId, userId, status: "running", fileName, format: null, total: null, done: 0, imported: 0, existing: 0, attachments: 0,
    skippedCount: 0, skippedAttachments: 0, skipped: [], current: null, cancelRequested: false, error: null, errorProblem: null, createdAt: now, updatedAt: now,
    upload, uploadBytes: null, runner, resumes: 0, ...firstRun(),
  });
  const listedAsRunning = { UserThreadPK: RUNNING_IMPORTS_PK, UserThreadSK: jobId };
  await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: { ...jobKey(userId, jobId), ...job, ...listedAsRunning }, ConditionExpression: "attribute_not_exists(PK)" }));
  return job;
}

/** An ended job leaves the running jobs' index partition. */
const UNLIST_RUNNING = ["UserThreadPK", "UserThreadSK"] as const;

/**
 * Running jobs of every user, at most `limit`, each call on from where the last stopped (running-jobs.ts; the index
 * partition is eventually consistent: read the job itself before acting on it).
 */
export async function listRunningImportJobs(ctx: LayerContext, limit: number): Promise<Array<{ userId: string; jobId: string }>> {
  return (await queryRunningJobs(ctx, RUNNING_IMPORTS_PK, limit))
    .filter((item) => String(item.PK).startsWith("USER#") && String(item.SK).startsWith(IMPORT_JOB_PREFIX))
    .map((item) => ({ userId: idFromKey(String(item.PK), "USER#"), jobId: idFromKey(String(item.SK), IMPORT_JOB_PREFIX) }));
}

export async function getImportJob(ctx: LayerContext, userId: string, jobId: string): Promise<ImportJob | null> {
  if (!IdSchema.safeParse(jobId).success) return null;
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: jobKey(userId, jobId), ConsistentRead: true }));
  return out.Item ? decodeItem(ImportJobSchema, keyed(out.Item, { jobId, userId })) : null;
}

/** The user's jobs, newest first (job ids are time-ordered, so SK order is creation order). */
export async function listImportJobs(ctx: LayerContext, userId: string, limit: number): Promise<ImportJob[]> {
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": userPk(userId), ":prefix": IMPORT_JOB_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((item) => decodeItem(ImportJobSchema, keyed(item, { userId, jobId: idFromKey(String(item.SK), IMPORT_JOB_PREFIX) })));
}

const ended = (progress: ImportJobProgress) => progress.status !== undefined && progress.status !== "running";

/**
 * Writes progress (an empty one is a heartbeat) and answers whether a cancel was asked for, in the same UpdateItem
 * (ALL_NEW carries the flag), so checking for a cancel costs the runner nothing extra. Only a running job of this
 * runner moves: a finished one is never reopened, and a runner that was replaced stops writing. Null when the job is
 * no longer running, no longer this runner's, or gone. Ending a job starts its TTL.
 */
export async function updateImportJob(
  ctx: LayerContext,
  userId: string,
  jobId: string,
  runner: string,
  progress: ImportJobProgress,
): Promise<{ cancelRequested: boolean } | null> {
  const expr = new ExpressionBuilder();
  const set = [
    ...Object.entries(progress).filter(([, v]) => v !== undefined),
    ["updatedAt", ctx.now()] as const,
    ...(ended(progress) ? [[TTL_ATTRIBUTE, expiresAt()] as const] : []),
  ] as Array<readonly [string, unknown]>;
  const UpdateExpression = buildUpdateExpression({ set, remove: ended(progress) ? UNLIST_RUNNING : [] }, expr)!;
  const ConditionExpression = `${expr.name("status")} = ${expr.value("running")} AND ${expr.name("runner")} = ${expr.value(runner)}`;
  return onConditionFailed(
    async () => {
      const out = await ctx.doc.send(
        new UpdateCommand({ TableName: ctx.tableName, Key: jobKey(userId, jobId), UpdateExpression, ConditionExpression, ...expr.attributes(), ReturnValues: "ALL_NEW" }),
      );
      return { cancelRequested: out.Attributes?.cancelRequested === true };
    },
    () => null,
  );
}

/** Asks a running job of this user to stop; false when there is no such running job (someone else's included). */
export async function requestImportCancel(ctx: LayerContext, userId: string, jobId: string): Promise<boolean> {
  if (!IdSchema.safeParse(jobId).success) return false;
  return onConditionFailed(
    async () => {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: jobKey(userId, jobId),
          UpdateExpression: "SET cancelRequested = :yes",
          ConditionExpression: "attribute_exists(PK) AND #status = :running",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":yes": true, ":running": "running" },
        }),
      );
      return true;
    },
    () => false,
  );
}

/**
 * Sets `set` on a running job still as it was seen (same `updatedAt`): the one condition of a takeover and of giving a
 * job up, so two instances finding the same silent job cannot both act. The job after, or null when someone else
 * moved it first.
 */
async function whileAsSeen(
  ctx: LayerContext,
  userId: string,
  jobId: string,
  seenUpdatedAt: string,
  set: ReadonlyArray<readonly [string, unknown]>,
  add: ReadonlyArray<readonly [string, number]> = [],
  remove: readonly string[] = [],
) {
  if (!IdSchema.safeParse(jobId).success) return null;
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ set: [...set, ["updatedAt", ctx.now()] as const], add, remove }, expr)!;
  const ConditionExpression = `${expr.name("status")} = ${expr.value("running")} AND ${expr.name("updatedAt")} = ${expr.value(seenUpdatedAt)}`;
  return onConditionFailed(
    async () => {
      const out = await ctx.doc.send(
        new UpdateCommand({ TableName: ctx.tableName, Key: jobKey(userId, jobId), UpdateExpression, ConditionExpression, ...expr.attributes(), ReturnValues: "ALL_NEW" }),
      );
      return decodeItem(ImportJobSchema, keyed(out.Attributes!, { jobId, userId }));
    },
    () => null,
  );
}

/**
 * Takes over a running job seen as `seen` whose runner went silent, for `runner`, counting the takeover in `resumes`
 * and the run's start (running-jobs.ts) in the same write: one more run without progress, or the first since the job
 * last got somewhere.
 */
export function claimImportJob(ctx: LayerContext, userId: string, seen: ImportJob, runner: string): Promise<ImportJob | null> {
  const count = runCountOfTakeover(seen, importProgressMark(seen));
  const set = [["runner", runner], ["runsWithoutProgress", count.runsWithoutProgress], ["progressAtStart", count.progressAtStart]] as const;
  return whileAsSeen(ctx, userId, seen.jobId, seen.updatedAt, set, [["resumes", 1]]);
}

/** Ends a silent running job as failed with `error` (it cannot be resumed). True when this call ended it: the caller then deletes its upload. */
export async function abandonImportJob(ctx: LayerContext, userId: string, jobId: string, seenUpdatedAt: string, error: string, errorProblem: ImportProblemData | null = null): Promise<boolean> {
  const set = [["status", "failed"], ["error", error], ["errorProblem", errorProblem], ["current", null], [TTL_ATTRIBUTE, expiresAt()]] as const;
  return (await whileAsSeen(ctx, userId, jobId, seenUpdatedAt, set, [], UNLIST_RUNNING)) !== null;
}
