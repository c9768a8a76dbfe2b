/**
 * Import jobs as items of their owner's partition (`USER#{userId}` / `IMPORT#{jobId}`). Every read and write names the
 * owner's key, so one user can neither see nor cancel another's job: a job id alone reaches nothing.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeItem } from "../codec";
import { ImportJobSchema, type ImportJob, type ImportJobProgress } from "../entities/import-job";
import { IdSchema } from "../entities/common";
import { IMPORT_JOB_PREFIX, importJobSk, TTL_ATTRIBUTE, userPk } from "../keys";
import { type LayerContext } from "./context";
import { onConditionFailed } from "./edge";
import { buildUpdateExpression, ExpressionBuilder } from "./update-expression";

/** Finished jobs are history, not data: DynamoDB's TTL removes them after this long. */
const JOB_TTL_SECONDS = 30 * 86_400;
const expiresAt = () => Math.floor(Date.now() / 1000) + JOB_TTL_SECONDS;

const jobKey = (userId: string, jobId: string) => ({ PK: userPk(userId), SK: importJobSk(IdSchema.parse(jobId)) });

export async function createImportJob(ctx: LayerContext, userId: string, jobId: string, fileName: string): Promise<ImportJob> {
  const now = ctx.now();
  const job = ImportJobSchema.parse({
    jobId, userId, status: "running", fileName, format: null, total: null, done: 0, imported: 0, existing: 0, attachments: 0,
    skippedCount: 0, skipped: [], current: null, cancelRequested: false, error: null, createdAt: now, updatedAt: now,
  });
  await ctx.doc.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: { ...jobKey(userId, jobId), ...job, [TTL_ATTRIBUTE]: expiresAt() },
      ConditionExpression: "attribute_not_exists(PK)",
    }),
  );
  return job;
}

export async function getImportJob(ctx: LayerContext, userId: string, jobId: string): Promise<ImportJob | null> {
  if (!IdSchema.safeParse(jobId).success) return null;
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: jobKey(userId, jobId), ConsistentRead: true }));
  return out.Item ? decodeItem(ImportJobSchema, out.Item, { jobId, userId }) : null;
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
  return (out.Items ?? []).map((item) => decodeItem(ImportJobSchema, item, { userId }));
}

/**
 * Writes progress and answers whether a cancel was asked for, in the same UpdateItem (ALL_NEW carries the flag), so
 * checking for a cancel costs the runner nothing extra. Only a running job moves: a finished one is never reopened.
 * Null when the job is no longer running (or gone).
 */
export async function updateImportJob(ctx: LayerContext, userId: string, jobId: string, progress: ImportJobProgress): Promise<{ cancelRequested: boolean } | null> {
  const expr = new ExpressionBuilder();
  const set = [...Object.entries(progress).filter(([, v]) => v !== undefined), ["updatedAt", ctx.now()] as const] as Array<readonly [string, unknown]>;
  const UpdateExpression = buildUpdateExpression({ set }, expr)!;
  const ConditionExpression = `${expr.name("status")} = ${expr.value("running")}`;
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
