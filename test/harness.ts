/** Clients for the servers global-setup started: real dynalite, s3rver and azurite, never mocks. */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { inject } from "vitest";
import { attachDirectSender, directSenderOf } from "../src/data/dynamo/dynamo-direct";
import { DynamoHttpHandler } from "../src/data/dynamo/dynamo-http-handler";
import { ensureTable } from "../src/data/table";
import { LOCAL_AWS_CREDENTIALS } from "../scripts/local-services";

export const REGION = "us-east-1";

/**
 * The app's HTTP handler and direct sender (createDynamoClient), so every test goes through them. `sdkOnly` leaves
 * the direct sender off, for tests that fault requests through SDK middleware (which the direct path skips).
 */
export function dynamoClient(options: { sdkOnly?: boolean } = {}): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint: inject("dynamoEndpoint"), region: REGION, credentials: LOCAL_AWS_CREDENTIALS, requestHandler: new DynamoHttpHandler() });
  if (!options.sdkOnly) attachDirectSender(client);
  return client;
}

export function s3Client(): S3Client {
  return new S3Client({
    endpoint: inject("s3Endpoint"),
    region: REGION,
    forcePathStyle: true,
    credentials: LOCAL_AWS_CREDENTIALS,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** A fresh table per test file: isolation by data, so files run in parallel. */
export async function freshTable(client = dynamoClient()): Promise<{ client: DynamoDBClient; tableName: string }> {
  const tableName = `t-${randomUUID()}`;
  await ensureTable(client, tableName);
  return { client, tableName };
}

export async function freshBucket(client = s3Client()): Promise<{ client: S3Client; bucket: string }> {
  const bucket = `b-${randomUUID().slice(0, 18)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { client, bucket };
}

/** The environment that points the app's configuration (server/env.ts) at this run's dynalite and s3rver. */
export function localEnv(tableName: string, bucket: string): Record<string, string> {
  return {
    DYNAMODB_TABLE: tableName,
    DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
    S3_BUCKET: bucket,
    S3_ENDPOINT: inject("s3Endpoint"),
    S3_FORCE_PATH_STYLE: "true",
  };
}

/** Counts DynamoDB HTTP requests (each attempt, retries included): through an SDK middleware and the direct sender's interceptor. */
export function countRequests(client: DynamoDBClient): {
  readonly count: number;
  readonly settled: number;
  reset(): number;
  byOperation: Map<string, number>;
  /** Starts counting the bytes of the answers (as JSON) of the direct sender's requests; stop() ends it and says how many. */
  measureAnswerBytes(): { stop(): number };
} {
  const state = { count: 0, settled: 0, byOperation: new Map<string, number>() };
  const counted = async <T>(op: string, next: () => Promise<T>): Promise<T> => {
    state.count++;
    state.byOperation.set(op, (state.byOperation.get(op) ?? 0) + 1);
    try {
      return await next();
    } finally {
      state.settled++;
    }
  };
  client.middlewareStack.add((next, context) => (args) => counted(String(context.commandName ?? "unknown"), () => next(args)), {
    step: "deserialize",
    name: "threadbookRequestCounter",
    override: true,
  });
  directSenderOf(client)?.intercept(({ operation }, next) => counted(`${operation}Command`, next));
  return {
    get count() {
      return state.count;
    },
    /** Requests answered so far: what a caller has waited on, where `count` also holds the ones still in flight. */
    get settled() {
      return state.settled;
    },
    byOperation: state.byOperation,
    measureAnswerBytes() {
      let bytes = 0;
      const remove = directSenderOf(client)?.intercept(async (_attempt, next) => {
        const output = await next();
        bytes += Buffer.byteLength(JSON.stringify(output));
        return output;
      });
      return {
        stop() {
          remove?.();
          return bytes;
        },
      };
    },
    reset() {
      const n = state.count;
      state.count = 0;
      state.settled = 0;
      state.byOperation.clear();
      return n;
    },
  };
}
