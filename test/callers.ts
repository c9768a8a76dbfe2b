/**
 * tRPC callers over real dynalite and s3rver (docs/conventions.md, "Tests"): Services built from the harness clients, a fresh table
 * and bucket per file, and `callerFor(user)` as the route handler would build it, minus HTTP.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createS3Storage, DynamoDBDataLayer } from "@/data";
import type { SessionUser } from "@/server/auth/session-user";
import { createInnerContext } from "@/server/context";
import { createThreadPasses } from "@/server/thread/thread-access";
import { parseServerEnv } from "@/server/env";
import { createCaller } from "@/server/root";
import type { Services } from "@/server/services";
import type { Assistant } from "@/server/assistant/assistant";
import { createSessionVersions, type SessionVersionsOptions } from "@/server/auth/session-versions";
import { createDemoAssistant } from "@/server/assistant/demo-assistant";
import { countRequests, freshBucket, freshTable } from "./harness";

export const URL_EXPIRES_SECONDS = 300;

export async function createTestServices(
  options: { assistant?: Assistant; sessionCheck?: SessionVersionsOptions } = {},
): Promise<Services & { requests: ReturnType<typeof countRequests>; client: DynamoDBClient; tableName: string; close(): Promise<void> }> {
  const [{ client, tableName }, { client: s3, bucket }] = await Promise.all([freshTable(), freshBucket()]);
  const requests = countRequests(client);
  const storage = createS3Storage({ bucket, client: s3, expiresInSeconds: URL_EXPIRES_SECONDS });
  const data = new DynamoDBDataLayer({ tableName, client, storageProvider: storage, cursorSecret: randomUUID() });
  return {
    env: parseServerEnv({ DYNAMODB_TABLE: tableName }),
    data,
    storage,
    storageUrlExpiresSeconds: URL_EXPIRES_SECONDS,
    assistant: options.assistant ?? createDemoAssistant({ delayMs: 0 }),
    sessions: createSessionVersions((identifier) => data.getSessionVersion(identifier), options.sessionCheck ?? { ttlMs: 30_000 }),
    threadPasses: createThreadPasses(randomUUID()),
    /** DynamoDB requests of this table's client, by operation (round trips, not time). */
    requests,
    client,
    tableName,
    async close() {
      await data.close();
      client.destroy();
      s3.destroy();
    },
  };
}

/** A session user as next-auth gives it to the route handler: the identifier is the id (Chainlit's convention). */
export function sessionUser(identifier = `${randomUUID()}@example.com`, name: string | null = null): SessionUser {
  return { id: identifier, identifier, name };
}

export function callerFor(services: Services, user: SessionUser | null) {
  return createCaller(createInnerContext({ user, services }));
}
export type Caller = ReturnType<typeof callerFor>;

/** A new, empty thread of the user, made as the New chat view makes it (threads.create: the server picks the id). */
export async function newThread(services: Services, user: SessionUser): Promise<string> {
  return (await callerFor(services, user).threads.create()).id;
}

export interface SeededThread {
  threadId: string;
  userStepId: string;
  toolStepId: string;
  assistantStepId: string;
  elementId: string;
  /** An element row with no stored object (Chainlit elements that only had a URL). */
  linkElementId: string;
  feedbackId: string;
  blob: string;
}

/** A realistic thread: question, tool call, answer with feedback, a CSV attachment in the bucket. */
export async function seedThread(services: Services, userId: string, name = "Quarterly numbers"): Promise<SeededThread> {
  const { data } = services;
  const threadId = randomUUID();
  const [userStepId, toolStepId, assistantStepId, elementId, linkElementId] = [1, 2, 3, 4, 5].map(() => randomUUID()) as [string, string, string, string, string];
  const at = (second: number) => new Date(Date.UTC(2025, 2, 4, 9, 15, second)).toISOString();
  await data.updateThread(threadId, { name, userId, tags: ["demo"], metadata: { source: "test" } }, { touch: true });
  await data.createStep({ id: userStepId, threadId, type: "user_message", name: userId, output: "What were **Q3** sales?", createdAt: at(1) });
  await data.createStep({ id: toolStepId, threadId, type: "tool", name: "sql", input: "select * from sales", output: "4 rows\n```\nnot a fence end\n```", createdAt: at(2) });
  await data.createStep({ id: assistantStepId, threadId, type: "assistant_message", name: "Assistant", output: "Revenue was *€612k*.", createdAt: at(3) });
  const blob = `region,revenue\nNorth,${randomUUID()}\n`;
  await data.createElement({ id: elementId, threadId, type: "file", name: "sales q3.csv", mime: "text/csv", forId: assistantStepId, display: "inline", content: blob });
  await data.createElement({ id: linkElementId, threadId, type: "image", name: "chart.png", url: "https://example.com/chart.png", display: "inline" });
  const feedbackId = await data.upsertFeedback({ threadId, forId: assistantStepId, value: 1, comment: "Spot on" });
  return { threadId, userStepId, toolStepId, assistantStepId, elementId, linkElementId, feedbackId, blob };
}

/**
 * What must never reach a client: table keys, index keys, the password hash, storage keys, a stack trace.
 * Checked on the JSON text, so nested values count too.
 */
const INTERNALS = /"(PK|SK|UserThreadPK|UserThreadSK|passwordHash|objectKey|inputParts|outputParts|stack)"|USER#|"TS#|\\n\s+at /;

export function expectNoInternals(value: unknown): void {
  expect(JSON.stringify(value) ?? "").not.toMatch(INTERNALS);
}
