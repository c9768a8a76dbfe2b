/**
 * The DynamoDB client, from the settings in an environment record: the server's parsed configuration, or the
 * object a script built (the embedded stack's endpoint, a test's). The variables are parsed here, beside the client they
 * configure, so scripts and the server build the same client without importing src/server.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { attachDirectSender } from "./dynamo-direct";
import { DynamoHttpHandler } from "./dynamo-http-handler";
import { optional, parseOrThrow, wholeNumber, type Env } from "../env-parse";

/** The DynamoDB variables; the server's env schema includes them, so a bad value also fails at startup. */
export const DynamoEnvShape = {
  // An endpoint may carry userinfo, so the message does not echo it.
  DYNAMODB_ENDPOINT: optional(z.url({ message: "expected a URL" })),
  AWS_REGION: optional(z.string()),
  AWS_ACCESS_KEY_ID: optional(z.string()),
  AWS_SECRET_ACCESS_KEY: optional(z.string()),
  AWS_SESSION_TOKEN: optional(z.string()),
  DYNAMODB_CONNECT_TIMEOUT_MS: wholeNumber(1, 600_000, 2_000),
  DYNAMODB_REQUEST_TIMEOUT_MS: wholeNumber(1, 600_000, 4_000),
  DYNAMODB_MAX_ATTEMPTS: wholeNumber(1, 10, 2),
};
const DynamoEnvSchema = z.object(DynamoEnvShape);
export type DynamoSettings = z.output<typeof DynamoEnvSchema>;

/** The DynamoDB settings in an environment record; a bad value throws one line naming the variable. */
export const dynamoSettings = (env: Env): DynamoSettings => parseOrThrow(DynamoEnvSchema, env, "DynamoDB config");

/**
 * The DynamoDB client for these settings: their endpoint and keys when given. Without timeouts a stalled DynamoDB
 * holds every request open forever; with them a call gives up after about attempts × request timeout (default
 * 2 × 4 s) and the API answers 503. The handler is the project's own, lighter than the SDK's
 * (dynamo/dynamo-http-handler.ts); both timeouts bound every attempt. The client carries the direct sender
 * (dynamo/dynamo-direct.ts), which the data layer's document client uses for its common commands; the SDK client itself,
 * and every command the sender does not cover, work as usual.
 */
export function createDynamoClient(env: DynamoSettings): DynamoDBClient {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  const client = new DynamoDBClient({
    region: env.AWS_REGION || "us-east-1",
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } } : {}),
    maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
    requestHandler: new DynamoHttpHandler({ connectionTimeout: env.DYNAMODB_CONNECT_TIMEOUT_MS, requestTimeout: env.DYNAMODB_REQUEST_TIMEOUT_MS }),
  });
  attachDirectSender(client);
  return client;
}
