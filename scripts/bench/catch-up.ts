/**
 * The feedback filter's catch-up (src/data/layer/feedback/feedback-catch-up.ts), counted: DynamoDB requests and time of one
 * filtered page (first = 20) when 0, 1 and 20 of the user's threads were rated in a Chainlit session since the last
 * filtered listing (25 threads, 5 of them rated in Threadbook). Chainlit's writes are sent as its layer sends them: an UpdateItem SET of the step's feedback map,
 * and update_thread's UpdateItem bumping the thread's UserThreadSK.
 */
import { randomUUID } from "node:crypto";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type DynamoDBDataLayer } from "../../src/data";

export interface CatchUpFigure {
  stale: number;
  requests: number;
  ms: number;
}

const THREADS = 25;

async function chainlitSession(doc: DynamoDBDocumentClient, tableName: string, threadId: string, stepId: string, userId: string, at: string) {
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { PK: `THREAD#${threadId}`, SK: `STEP#${stepId}` },
      UpdateExpression: "SET #feedback = :feedback",
      ExpressionAttributeNames: { "#feedback": "feedback" },
      ExpressionAttributeValues: { ":feedback": { id: `THREAD#${threadId}::STEP#${stepId}`, forId: stepId, value: 1, threadId, comment: null } },
    }),
  );
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { PK: `THREAD#${threadId}`, SK: "THREAD" },
      UpdateExpression: "SET #id = :id, #createdAt = :at, #sk = :sk, #metadata = :metadata, #userId = :user, #userIdentifier = :user, #pk = :pk",
      ExpressionAttributeNames: { "#id": "id", "#createdAt": "createdAt", "#sk": "UserThreadSK", "#metadata": "metadata", "#userId": "userId", "#userIdentifier": "userIdentifier", "#pk": "UserThreadPK" },
      ExpressionAttributeValues: { ":id": threadId, ":at": at, ":sk": `TS#${at}`, ":metadata": {}, ":user": userId, ":pk": `USER#${userId}` },
    }),
  );
}

/** `requestCount()` reads the client's running request counter. */
export async function benchCatchUp(layer: DynamoDBDataLayer, client: DynamoDBClient, tableName: string, requestCount: () => number): Promise<CatchUpFigure[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const figures: CatchUpFigure[] = [];
  for (const stale of [0, 1, 20]) {
    const userId = `catch-up-${stale}@example.com`;
    const threads = [];
    for (let i = 0; i < THREADS; i++) {
      const threadId = randomUUID();
      const stepId = randomUUID();
      await layer.updateThread(threadId, { name: `Thread ${i}`, userId });
      await layer.createStep({ id: stepId, threadId, type: "run", output: "answer" });
      threads.push({ threadId, stepId });
    }
    // 5 threads rated in Threadbook, so every page has rows to look up; then a listing catches everything up.
    for (const t of threads.slice(THREADS - 5)) await layer.upsertFeedback({ forId: t.stepId, threadId: t.threadId, value: 1 }, { threadUserId: userId });
    await layer.listThreads({ first: 20 }, { userId, feedback: 1 });
    for (const t of threads.slice(0, stale)) await chainlitSession(doc, tableName, t.threadId, t.stepId, userId, new Date().toISOString().replace("Z", "000Z"));
    const before = requestCount();
    const started = performance.now();
    await layer.listThreads({ first: 20 }, { userId, feedback: 1 });
    figures.push({ stale, requests: requestCount() - before, ms: Math.round((performance.now() - started) * 10) / 10 });
  }
  return figures;
}

export const formatCatchUp = (figures: CatchUpFigure[]) =>
  [
    "Feedback filter catching up with Chainlit's feedback (one page, first = 20):",
    ...figures.map((f) => `  ${String(f.stale).padStart(2)} thread(s) to catch up: ${f.requests} DynamoDB requests, ${f.ms} ms`),
  ].join("\n");
