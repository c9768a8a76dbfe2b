/**
 * Test-only (imported by *.test.ts): a layer on a fresh dynalite table, raw item access that bypasses the layer, and
 * items in the exact shape Chainlit's Python layer writes (docs/chainlit.md, "Items"), to prove the two can share a table.
 */
import { randomUUID } from "node:crypto";
import { BatchWriteItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { countRequests, freshTable } from "./harness";
import { getLogger } from "../src/data/logger";
import { type StorageClient } from "../src/data/storage/storage-client";
import { DynamoDBDataLayer, type DynamoDBDataLayerOptions } from "../src/data/layer/data-layer";

export const uid = (prefix = "") => `${prefix}${randomUUID()}`;

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  requests: ReturnType<typeof countRequests>;
  layer(options?: Partial<DynamoDBDataLayerOptions> & { storageProvider?: StorageClient }): DynamoDBDataLayer;
  /** The item as DynamoDB holds it (typed AttributeValues), or undefined. */
  raw(PK: string, SK: string): Promise<Record<string, AttributeValue> | undefined>;
  /** The item unmarshalled plainly (numbers as numbers, sets as Sets). */
  plain(PK: string, SK: string): Promise<Record<string, unknown> | undefined>;
  putRaw(item: Record<string, AttributeValue>): Promise<void>;
  /** The SKs of every item in a thread's partition, sorted. */
  partitionSks(threadId: string): Promise<string[]>;
  /** The SKs of every full-text posting under the user's SEARCH# partitions (all 16 buckets), sorted. */
  postingsOf(userId: string): Promise<string[]>;
  deleteRaw(PK: string, SK: string): Promise<void>;
}

/** One fresh table per test file; tests isolate by fresh user and thread ids, so files run in parallel. */
export async function testTable(): Promise<TestTable> {
  const { client, tableName } = await freshTable();
  return tableOn(client, tableName);
}

/** The same helpers over a table someone else made (createTestServices' own, for Chainlit writes beside the app's). */
export function tableOn(client: DynamoDBClient, tableName: string): TestTable {
  const requests = countRequests(client);
  const raw = async (PK: string, SK: string) =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: PK }, SK: { S: SK } }, ConsistentRead: true }))).Item;
  return {
    client,
    tableName,
    requests,
    layer: (options = {}) => new DynamoDBDataLayer({ tableName, client, cursorSecret: "test-secret", logger: quietLogger, ...options }),
    raw,
    plain: async (PK, SK) => {
      const item = await raw(PK, SK);
      return item ? unmarshall(item) : undefined;
    },
    partitionSks: async (threadId) => {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": { S: `THREAD#${threadId}` } },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((item) => item.SK?.S ?? "").sort();
    },
    postingsOf: async (userId) => {
      const sks: string[] = [];
      for (const bucket of "0123456789abcdef") {
        const out = await client.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": { S: `SEARCH#${userId}#${bucket}` } } }),
        );
        sks.push(...(out.Items ?? []).map((item) => item.SK!.S!));
      }
      return sks.sort();
    },
    putRaw: async (Item) => void (await client.send(new PutItemCommand({ TableName: tableName, Item }))),
    deleteRaw: async (PK, SK) => void (await client.send(new DeleteItemCommand({ TableName: tableName, Key: { PK: { S: PK }, SK: { S: SK } } }))),
  };
}

/** Its own name so tests' debug lines don't mix with the app's DynamoDB logger. */
/** A user with `count` threads made here through the layer (oldest first), each named `Thread {i}`. */
export async function userWithThreads(table: TestTable, prefix: string, count: number) {
  const layer = table.layer();
  const userId = uid(prefix);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = uid("t-");
    await layer.createThread(id, userId);
    await layer.updateThread(id, { name: `Thread ${i}` });
    ids.push(id);
  }
  return { layer, userId, ids };
}

export const quietLogger = getLogger("DynamoDB.test", "error");

/** Counts the requests one action makes. */
export async function countOf<T>(table: TestTable, action: () => Promise<T>): Promise<{ result: T; count: number; byOperation: Record<string, number> }> {
  table.requests.reset();
  const result = await action();
  return { result, count: table.requests.count, byOperation: Object.fromEntries(table.requests.byOperation) };
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const NULL: AttributeValue = { NULL: true };
const M = (fields: Record<string, AttributeValue>): AttributeValue => ({ M: fields });

/**
 * A thread as Chainlit writes it: update_thread's item (createdAt rewritten = last update, userIdentifier = userId,
 * metadata a map, the GSI keys), steps from create_step/update_step with None as NULL and feedback from
 * upsert_feedback (value an N), and an element from create_element (url from the upload, objectKey
 * `{user}/{threadId}/{elementId}`). Timestamps: thread local-time-with-Z, steps microseconds.
 */
export function chainlitThread(userId: string, threadId: string, options: { name?: string | null; at?: string } = {}) {
  const at = options.at ?? "2025-03-04T10:11:12.123456Z";
  const stepA = uid("sa-");
  const stepB = uid("sb-");
  const elementId = uid("el-");
  const objectKey = `${userId}/${threadId}/${elementId}`;
  const thread: Record<string, AttributeValue> = {
    PK: S(`THREAD#${threadId}`),
    SK: S("THREAD"),
    UserThreadPK: S(`USER#${userId}`),
    UserThreadSK: S(`TS#${at}`),
    id: S(threadId),
    createdAt: S(at),
    userId: S(userId),
    userIdentifier: S(userId),
    tags: NULL,
    metadata: M({ chat_profile: S("default"), is_shared: { BOOL: false } }),
    ...(options.name === null ? {} : { name: S(options.name ?? "Chainlit thread") }),
  };
  const steps: Record<string, AttributeValue>[] = [
    {
      PK: S(`THREAD#${threadId}`),
      SK: S(`STEP#${stepB}`),
      id: S(stepB),
      threadId: S(threadId),
      parentId: NULL,
      name: S("on_message"),
      type: S("run"),
      input: S("hello"),
      output: S("world"),
      createdAt: S("2025-03-04T10:11:13.000002Z"),
      start: S("2025-03-04T10:11:13.000002Z"),
      end: NULL,
      streaming: { BOOL: false },
      isError: NULL,
      metadata: M({ page: N(3) }),
      generation: NULL,
      showInput: S("json"),
      feedback: M({ id: S(`THREAD#${threadId}::STEP#${stepB}`), forId: S(stepB), threadId: S(threadId), value: N(1), comment: NULL }),
    },
    {
      PK: S(`THREAD#${threadId}`),
      SK: S(`STEP#${stepA}`),
      id: S(stepA),
      threadId: S(threadId),
      name: S(userId),
      type: S("user_message"),
      output: S("hello"),
      createdAt: S("2025-03-04T10:11:12.000001Z"),
      start: S("2025-03-04T10:11:12.000001Z"),
      end: S("2025-03-04T10:11:12.000001Z"),
    },
  ];
  const element: Record<string, AttributeValue> = {
    PK: S(`THREAD#${threadId}`),
    SK: S(`ELEMENT#${elementId}`),
    id: S(elementId),
    threadId: S(threadId),
    type: S("file"),
    name: S("report.pdf"),
    display: S("inline"),
    size: NULL,
    page: N(2),
    forId: S(stepA),
    mime: S("application/pdf"),
    chainlitKey: NULL,
    url: S(`https://bucket.s3.amazonaws.com/${objectKey}`),
    objectKey: S(objectKey),
  };
  return { thread, steps, element, stepA, stepB, elementId, objectKey, items: [thread, ...steps, element] };
}

// ---------------------------------------------------------------- Chainlit's writes, as its Python layer sends them

/** Chainlit's upsert_feedback: one unconditional UpdateItem `SET #feedback = :feedback` on the step (value an N). */
export async function chainlitUpsertFeedback(table: TestTable, feedback: { threadId: string; forId: string; value: 0 | 1; comment?: string | null }) {
  const { threadId, forId, value, comment = null } = feedback;
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { PK: S(`THREAD#${threadId}`), SK: S(`STEP#${forId}`) },
      UpdateExpression: "SET #feedback = :feedback",
      ExpressionAttributeNames: { "#feedback": "feedback" },
      ExpressionAttributeValues: {
        ":feedback": M({ id: S(`THREAD#${threadId}::STEP#${forId}`), forId: S(forId), value: N(value), threadId: S(threadId), comment: comment === null ? NULL : S(comment) }),
      },
    }),
  );
}

/** Chainlit's delete_feedback: `REMOVE #feedback` on the step the id names. */
export async function chainlitDeleteFeedback(table: TestTable, threadId: string, stepId: string) {
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { PK: S(`THREAD#${threadId}`), SK: S(`STEP#${stepId}`) },
      UpdateExpression: "REMOVE #feedback",
      ExpressionAttributeNames: { "#feedback": "feedback" },
    }),
  );
}

/**
 * Chainlit's update_thread(thread_id, name, user_id, metadata, tags): one UpdateItem that always SETs id, createdAt,
 * UserThreadSK (both `at`, its "now") and metadata (`{}` when none is given), and name, userId, userIdentifier, tags,
 * UserThreadPK only when given. A session on the thread calls it at its start and its end.
 */
export async function chainlitUpdateThread(
  table: TestTable,
  threadId: string,
  update: { at: string; name?: string; userId?: string; metadata?: Record<string, AttributeValue>; tags?: string[] },
) {
  const fields: Record<string, AttributeValue> = {
    id: S(threadId),
    createdAt: S(update.at),
    UserThreadSK: S(`TS#${update.at}`),
    ...(update.name !== undefined ? { name: S(update.name) } : {}),
    ...(update.userId !== undefined ? { userId: S(update.userId), userIdentifier: S(update.userId), UserThreadPK: S(`USER#${update.userId}`) } : {}),
    ...(update.tags !== undefined ? { tags: { L: update.tags.map(S) } } : {}),
    metadata: M(update.metadata ?? {}),
  };
  const names = Object.keys(fields);
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { PK: S(`THREAD#${threadId}`), SK: S("THREAD") },
      UpdateExpression: `SET ${names.map((k) => `#${k} = :${k}`).join(", ")}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((k) => [`#${k}`, k])),
      ExpressionAttributeValues: Object.fromEntries(names.map((k) => [`:${k}`, fields[k]!])),
    }),
  );
}

/**
 * Chainlit's create_step: a PutItem of the whole step item, no condition (a step sent again loses whatever else its
 * item held, feedback included). The items of `chainlitThread` / `chainlitTurn` are in this shape.
 */
export async function chainlitCreateStep(table: TestTable, step: Record<string, AttributeValue>) {
  await table.putRaw(step);
}

/** Chainlit's update_step: one UpdateItem SETting every field it was given (it creates the step when it is missing). */
export async function chainlitUpdateStep(table: TestTable, threadId: string, stepId: string, fields: Record<string, AttributeValue>) {
  const names = Object.keys(fields);
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { PK: S(`THREAD#${threadId}`), SK: S(`STEP#${stepId}`) },
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(", ")}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((k, i) => [`#f${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(names.map((k, i) => [`:f${i}`, fields[k]!])),
    }),
  );
}

/** Chainlit's delete_step: one DeleteItem of the step; its children, elements and any item of Threadbook's stay. */
export async function chainlitDeleteStep(table: TestTable, threadId: string, stepId: string) {
  await table.deleteRaw(`THREAD#${threadId}`, `STEP#${stepId}`);
}

/** Chainlit's delete_element: one DeleteItem of the element item; the file stays in storage. */
export async function chainlitDeleteElement(table: TestTable, threadId: string, elementId: string) {
  await table.deleteRaw(`THREAD#${threadId}`, `ELEMENT#${elementId}`);
}

/**
 * Chainlit's delete_thread: get_thread (a Query of the partition), BatchWriteItem deletes of the STEP# and ELEMENT#
 * items that get_thread returned, then DeleteItem of the THREAD item. Anything else in the partition stays.
 */
export async function chainlitDeleteThread(table: TestTable, threadId: string) {
  const out = await table.client.send(
    new QueryCommand({ TableName: table.tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": S(`THREAD#${threadId}`) } }),
  );
  const keys = (out.Items ?? []).map((item) => item.SK?.S ?? "").filter((sk) => sk.startsWith("STEP#") || sk.startsWith("ELEMENT#"));
  for (let i = 0; i < keys.length; i += 25) {
    await table.client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table.tableName]: keys.slice(i, i + 25).map((sk) => ({ DeleteRequest: { Key: { PK: S(`THREAD#${threadId}`), SK: S(sk) } } })) },
      }),
    );
  }
  await table.deleteRaw(`THREAD#${threadId}`, "THREAD");
}

/**
 * Chainlit's `create_user`, run on every Chainlit login: a PutItem of the whole user item (no condition), so it
 * replaces every attribute the item had. createdAt is its local time labelled "Z", metadata a map as TypeSerializer
 * writes a dict.
 */
export async function chainlitCreateUser(table: TestTable, identifier: string, metadata: Record<string, AttributeValue> = {}, createdAt = "2025-05-06T07:08:09.123456Z") {
  await table.putRaw({
    PK: S(`USER#${identifier}`),
    SK: S("USER"),
    id: S(identifier),
    identifier: S(identifier),
    metadata: M(metadata),
    createdAt: S(createdAt),
  });
}

// ---------------------------------------------------------------- create_step / update_step: one on_message turn

/**
 * One turn as a Chainlit app stores it, item for item. The browser sends the user's message with its own
 * `new Date().toISOString()` (milliseconds, the browser's clock) and the server persists it (create_step, a PutItem
 * of Message.to_dict: start = end = createdAt). `@cl.on_message` then opens `Step(name="on_message", type="run",
 * parent_id=message.id)`: created on entry (create_step, input still empty, utc_now() microseconds), updated on
 * exit (update_step SETs the truthy fields: input, end…). The reply `cl.Message(...).send()` runs inside it, so its
 * parentId is the run. Pass `askedAt` ahead of `ranAt` to model a browser clock running fast.
 */
export function chainlitTurn(
  userId: string,
  threadId: string,
  options: { question?: string; answer?: string; askedAt?: string; ranAt?: string; repliedAt?: string; endedAt?: string } = {},
) {
  const question = options.question ?? "hello";
  const answer = options.answer ?? "world";
  const askedAt = options.askedAt ?? "2025-03-04T10:11:12.345Z";
  const ranAt = options.ranAt ?? "2025-03-04T10:11:12.345678Z";
  const repliedAt = options.repliedAt ?? "2025-03-04T10:11:13.000001Z";
  const endedAt = options.endedAt ?? "2025-03-04T10:11:13.000002Z";
  const [messageId, runId, replyId] = [uid("cm-"), uid("cr-"), uid("ca-")];
  const key = (id: string) => ({ PK: S(`THREAD#${threadId}`), SK: S(`STEP#${id}`) });
  // Message.to_dict: a message's start and end are its createdAt.
  const messageItem = (id: string, parentId: AttributeValue, at: string, output: string, name: string, type: string): Record<string, AttributeValue> => ({
    ...key(id),
    id: S(id),
    threadId: S(threadId),
    parentId,
    createdAt: S(at),
    start: S(at),
    end: S(at),
    output: S(output),
    name: S(name),
    type: S(type),
    language: NULL,
    streaming: { BOOL: false },
    isError: { BOOL: false },
    waitForAnswer: NULL,
    metadata: M({}),
    tags: NULL,
  });
  const message = messageItem(messageId, NULL, askedAt, question, userId, "user_message");
  // create_step's PutItem on entry, then update_step's SET of input and end on exit (falsy fields are skipped).
  const run: Record<string, AttributeValue> = {
    ...key(runId),
    name: S("on_message"),
    type: S("run"),
    id: S(runId),
    threadId: S(threadId),
    parentId: S(messageId),
    streaming: { BOOL: false },
    metadata: M({}),
    tags: NULL,
    input: S(question),
    isError: { BOOL: false },
    output: S(""),
    createdAt: S(ranAt),
    start: S(ranAt),
    end: S(endedAt),
    language: NULL,
    defaultOpen: { BOOL: false },
    showInput: S("json"),
    generation: NULL,
  };
  const reply = messageItem(replyId, S(runId), repliedAt, answer, "Assistant", "assistant_message");
  return { messageId, runId, replyId, steps: [message, run, reply] };
}

// ---------------------------------------------------------------- share_thread (PUT /project/thread/share)

/**
 * Chainlit's share route: get_thread, then update_thread with the metadata it read, `is_shared` set and, when
 * sharing, `shared_at = datetime.utcnow().isoformat()` (microseconds, no zone); unsharing pops `shared_at`. So the
 * whole metadata map is written back and UserThreadSK/createdAt move to `at` (update_thread's "now").
 */
export async function chainlitShareThread(table: TestTable, threadId: string, share: { isShared: boolean; at: string; sharedAt?: string }) {
  const metadata = { ...((await table.raw(`THREAD#${threadId}`, "THREAD"))?.metadata?.M ?? {}) };
  metadata.is_shared = { BOOL: share.isShared };
  if (share.isShared) metadata.shared_at = S(share.sharedAt ?? share.at.replace(/Z$/, ""));
  else delete metadata.shared_at;
  await chainlitUpdateThread(table, threadId, { at: share.at, metadata });
}
