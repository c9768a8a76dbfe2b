/**
 * Faults, against real servers this file starts and stops itself: DynamoDB going away mid-test, storage going
 * away mid-upload, throttling injected through an SDK middleware, and a thread delete interrupted half way.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, describe, expect, it } from "vitest";
import { createS3Storage, DynamoDBDataLayer, ensureTable, getLogger, type StorageClient } from "@/data";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { LOCAL_AWS_CREDENTIALS, startDynalite, startS3rver, type LocalService } from "../scripts/local-services";
import { generatedStream, freshStorage } from "./storage-backends";
import { createTestServices, sessionUser } from "./callers";
import { dynamoClient, freshTable } from "./harness";

getLogger("DynamoDB").level = "silent";
getLogger("API").level = "silent";
getLogger("Storage").level = "silent";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "threadbook-faults-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A tRPC GET through the real fetch adapter, as the browser would make it. */
async function httpList(services: Awaited<ReturnType<typeof createTestServices>>, user = sessionUser()) {
  const url = `http://localhost/api/trpc/threads.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(url),
    router: appRouter,
    createContext: () => createInnerContext({ user, services }),
  });
}

describe("DynamoDB stopped mid-test", () => {
  it("answers a clear 503 while it is down, and recovers when it is back", async () => {
    const dir = tempDir();
    let dynamo: LocalService = await startDynalite({ directory: dir });
    const port = dynamo.port;
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 2 });
    await ensureTable(client, "faults");
    const base = await createTestServices();
    const services = { ...base, data: new DynamoDBDataLayer({ tableName: "faults", client, storageProvider: base.storage }) };
    const alice = sessionUser();
    await services.data.updateThread(randomUUID(), { name: "kept through the outage", userId: alice.id });

    await dynamo.stop();
    const down = await httpList(services, alice);
    expect(down.status).toBe(503);
    const body = await down.text();
    expect(body).toContain("The history store is unavailable right now");
    expect(body).not.toMatch(/ECONNREFUSED|stack|at .*\.ts/);

    dynamo = await startDynalite({ directory: dir, port });
    const up = await httpList(services, alice);
    expect(up.status).toBe(200);
    expect(await up.text()).toContain("kept through the outage");
    await dynamo.stop();
    client.destroy();
    await base.close();
  });
});

describe("storage stopped during an upload", () => {
  it("fails with a clear storage error and writes no element item", async () => {
    const s3 = await startS3rver({ directory: tempDir(), resetOnClose: true });
    const storage: StorageClient = createS3Storage({ bucket: "faults-bucket", endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: LOCAL_AWS_CREDENTIALS });
    await (storage as ReturnType<typeof createS3Storage>).ensureExists();
    const { client, tableName } = await freshTable();
    const data = new DynamoDBDataLayer({ tableName, client, storageProvider: storage });
    const threadId = randomUUID();
    await data.updateThread(threadId, { userId: "alice", name: "upload fault" });
    // 30 MB streamed in 5 MiB parts; the server goes away after the first part is on its way.
    const content = generatedStream(30 * 1024 * 1024);
    let stopped = false;
    content.on("data", () => {
      if (!stopped) {
        stopped = true;
        setTimeout(() => void s3.stop(), 50);
      }
    });
    const error = await data.createElement({ id: randomUUID(), threadId, name: "big.bin", mime: "application/octet-stream", content }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "storage" });
    expect(String((error as Error).message)).toMatch(/faults-bucket|storage/i);
    expect((await data.getThread(threadId))!.elements).toEqual([]);
    await data.close();
  });
});

type Middleware = Parameters<DynamoDBClient["middlewareStack"]["add"]>[0];

async function faultyTable(middleware: Middleware, step: "initialize" | "deserialize") {
  // Faulted through SDK middleware, which the direct sender skips: this client sends everything through the SDK.
  const client = dynamoClient({ sdkOnly: true });
  // The step decides where the fault sits: "initialize" runs once per command, "deserialize" once per attempt.
  client.middlewareStack.add(middleware, { step: step as "deserialize", name: `fault-${step}` });
  return freshTable(client);
}

async function seedThread(data: DynamoDBDataLayer, steps: number, elements: number) {
  const threadId = randomUUID();
  await data.updateThread(threadId, { userId: "alice", name: "to delete" });
  for (let i = 0; i < steps; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, steps - i) }, (_, j) => data.createStep({ id: randomUUID(), threadId, type: "assistant_message", output: `step ${i + j}` })));
  }
  for (let i = 0; i < elements; i++) await data.createElement({ id: randomUUID(), threadId, name: `file-${i}.txt`, mime: "text/plain", content: `element ${i}` });
  return threadId;
}

describe("throttling injected through an SDK middleware", () => {
  it("retries each throttled request with backoff and loses no write", async () => {
    let throttled = 0;
    // The commands whose retry got through. A set, not a count of attempts: on a loaded machine an attempt may also
    // time out and be sent again, which is the SDK's business, not this test's.
    const through = new Set<object>();
    const { client, tableName } = await faultyTable(
      (next, context) => async (args) => {
        const marker = context as { threadbookThrottled?: boolean };
        // The first attempt of every command is refused as DynamoDB refuses a hot partition.
        if (!marker.threadbookThrottled) {
          marker.threadbookThrottled = true;
          throttled++;
          throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), { name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } });
        }
        through.add(context);
        return next(args);
      },
      "deserialize",
    );
    throttled = 0;
    through.clear();
    const data = new DynamoDBDataLayer({ tableName, client });
    const threadId = randomUUID();
    await data.updateThread(threadId, { userId: "alice", name: "throttled" });
    const ids = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(ids.map((id, i) => data.createStep({ id, threadId, type: "assistant_message", output: `reply ${i}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() })));
    await Promise.all(ids.slice(0, 10).map((forId) => data.upsertFeedback({ threadId, forId, value: 1 }, { threadUserId: "alice" })));
    const thread = await data.getThread(threadId);
    expect(thread!.steps.map((s) => s.output)).toEqual(ids.map((_, i) => `reply ${i}`));
    expect(thread!.steps.filter((s) => s.feedback?.value === 1)).toHaveLength(10);
    expect((await data.listThreads({ first: 5 }, { userId: "alice", feedback: 1 })).data.map((t) => t.id)).toEqual([threadId]);
    expect(throttled).toBeGreaterThan(50);
    // Every throttled command was sent again and got through.
    expect(through.size).toBe(throttled);
    await data.close();
  });

  it("retries BatchWriteItem's UnprocessedItems until a thread delete leaves nothing", async () => {
    let shortened = 0;
    const { client, tableName } = await faultyTable(
      (next, context) => async (args) => {
        const input = args.input as { RequestItems?: Record<string, unknown[]> };
        if (context.commandName !== "BatchWriteItemCommand" || shortened >= 6 || !input.RequestItems) return next(args);
        // DynamoDB may take only part of a batch: take half, hand the rest back as UnprocessedItems.
        shortened++;
        const [table, requests] = Object.entries(input.RequestItems)[0]!;
        const half = Math.ceil(requests.length / 2);
        const result = await next({ ...args, input: { ...input, RequestItems: { [table]: requests.slice(0, half) } } });
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = { [table]: requests.slice(half) };
        return result;
      },
      "initialize",
    );
    const storage = await freshStorage("s3");
    const data = new DynamoDBDataLayer({ tableName, client, storageProvider: storage });
    const threadId = await seedThread(data, 120, 3);
    expect(await data.deleteThread(threadId)).toBe(true);
    expect(shortened).toBe(6);
    expect(await data.getThread(threadId)).toBeNull();
    const raw = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": { S: `THREAD#${threadId}` } }, ConsistentRead: true }));
    expect(raw.Items).toEqual([]);
    await data.close();
  });
});

describe("a thread delete interrupted half way", () => {
  it("leaves the thread item for a retry, which finishes the job: no item and no blob orphaned", async () => {
    let batches = 0;
    let interrupt = true;
    const { client, tableName } = await faultyTable(
      (next, context) => async (args) => {
        if (context.commandName === "BatchWriteItemCommand" && interrupt && ++batches === 3) {
          throw Object.assign(new Error("connection lost"), { name: "Interrupted" });
        }
        return next(args);
      },
      "initialize",
    );
    const storage = await freshStorage("s3");
    const data = new DynamoDBDataLayer({ tableName, client, storageProvider: storage });
    const threadId = await seedThread(data, 300, 5);
    await expect(data.deleteThread(threadId)).rejects.toThrow();
    // Interrupted: the thread item is deleted last, so the thread is still there (and still its author's) to delete again.
    expect(await data.getThreadAuthor(threadId)).toBe("alice");
    interrupt = false;
    expect(await data.deleteThread(threadId)).toBe(true);
    const raw = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": { S: `THREAD#${threadId}` } }, ConsistentRead: true }));
    expect(raw.Items).toEqual([]);
    const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: `${threadId}/` }));
    expect(listed.KeyCount ?? 0).toBe(0);
    await data.close();
  });
});
