/**
 * The direct sender (dynamo/dynamo-direct.ts): against dynalite for what DynamoDB answers, and against a loopback server for
 * the answers DynamoDB never gives on cue (throttling, a refused key, a skewed clock, silence).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AWS_CREDENTIALS } from "../../../scripts/local-services";
import { NodeSha256 } from "../../../scripts/node-sha256";
import { countRequests, dynamoClient, freshTable } from "../../../test/harness";
import { createDocumentClient } from "./document-client";
import { attachDirectSender, directSenderOf } from "./dynamo-direct";
import { DynamoHttpHandler } from "./dynamo-http-handler";
import { DynamoSigner } from "./dynamo-signer";

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

type Seen = { headers: IncomingMessage["headers"]; body: string };

/** A loopback "DynamoDB" answering each request with the next of `answers` (the last one repeats). */
async function fakeDynamo(answers: Array<(res: ServerResponse) => void>): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const listener: RequestListener = (req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      seen.push({ headers: req.headers, body });
      answers[Math.min(seen.length, answers.length) - 1]!(res);
    });
  };
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "req-1", ...headers });
  res.end(JSON.stringify(body));
};
const refuse = (type: string, message: string, headers: Record<string, string> = {}) => json(400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }, headers);

/** Keys distinct from each other, so a test can tell the secret was never sent. */
const CREDENTIALS = { accessKeyId: "AKIDDIRECTTEST", secretAccessKey: "direct-test-secret-never-sent" };

function directClient(endpoint: string, options: { maxAttempts?: number; requestTimeout?: number; credentials?: DynamoDBClient["config"]["credentials"] } = {}) {
  const client = new DynamoDBClient({
    endpoint,
    region: "eu-west-1",
    credentials: options.credentials ?? CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: new DynamoHttpHandler({ connectionTimeout: 1000, requestTimeout: options.requestTimeout ?? 4000 }),
  });
  attachDirectSender(client);
  return { client, doc: createDocumentClient(client) };
}

const get = new GetCommand({ TableName: "t", Key: { PK: "USER#a", SK: "USER" } });

describe("the signature", () => {
  it("is the SDK signer's for the same request, with and without a session token", async () => {
    const body = JSON.stringify({ TableName: "t", Key: { PK: { S: "USER#ä" }, SK: { S: "USER" } } });
    const at = Date.UTC(2026, 10, 30, 12, 34, 56);
    for (const sessionToken of [undefined, "token/with+odd=chars"]) {
      const credentials = { ...LOCAL_AWS_CREDENTIALS, sessionToken };
      const ours = new DynamoSigner("eu-west-1", "dynamodb.eu-west-1.amazonaws.com").sign("GetItem", body, credentials, at);
      const sdk = new SignatureV4({ credentials, region: "eu-west-1", service: "dynamodb", sha256: NodeSha256, applyChecksum: false });
      const { "content-length": _length, authorization: _ours, ...unsigned } = ours;
      const signed = await sdk.sign(
        { method: "POST", protocol: "https:", hostname: "dynamodb.eu-west-1.amazonaws.com", path: "/", headers: unsigned, body, query: {} },
        { signingDate: new Date(at) },
      );
      expect(ours.authorization).toBe(signed.headers.authorization);
    }
  });

  it("keeps the signing key for the day and derives a new one for a new day or a rotated secret", () => {
    const signer = new DynamoSigner("eu-west-1", "h");
    const at = Date.UTC(2026, 10, 30, 23, 59, 0);
    const signature = (ms: number, secret: string = LOCAL_AWS_CREDENTIALS.secretAccessKey) => signer.sign("GetItem", "{}", { ...LOCAL_AWS_CREDENTIALS, secretAccessKey: secret }, ms).authorization;
    expect(signature(at)).toBe(signature(at));
    expect(signature(at + 120_000)).toContain("/20261201/eu-west-1/dynamodb/aws4_request");
    expect(signature(at)).not.toBe(signature(at, "rotated"));
    expect(signature(at)).toBe(new DynamoSigner("eu-west-1", "h").sign("GetItem", "{}", LOCAL_AWS_CREDENTIALS, at).authorization);
  });
});

describe("against dynalite", () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable(dynamoClient());
  });
  afterAll(() => table.client.destroy());

  it("writes and reads back what the SDK's document client would, every attribute type included", async () => {
    const { client, tableName: TableName } = table;
    const direct = createDocumentClient(client);
    const viaSdk = createDocumentClient(dynamoClient({ sdkOnly: true }));
    const counter = countRequests(client);
    const Item = {
      PK: "THREAD#types",
      SK: "STEP#1",
      text: "é ✓",
      int: 3,
      float: 1.5,
      big: 2n ** 60n,
      flag: false,
      nothing: null,
      bytes: new Uint8Array([0, 1, 254, 255]),
      words: new Set(["a", "b"]),
      numbers: new Set([1, 2]),
      blobs: new Set([new Uint8Array([1]), new Uint8Array([2])]),
      list: [1, "two", { three: 3 }, undefined],
      map: { nested: { deep: "yes" }, gone: undefined },
      skipped: undefined,
    };
    await direct.send(new PutCommand({ TableName, Item, ConditionExpression: "attribute_not_exists(PK)" }));
    const Key = { PK: Item.PK, SK: Item.SK };
    const read = (await direct.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;
    expect(read).toEqual((await viaSdk.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item);
    expect(read).toMatchObject({ text: "é ✓", int: 3, float: 1.5, big: 2n ** 60n, nothing: null, list: [1, "two", { three: 3 }], map: { nested: { deep: "yes" } } });
    expect(Buffer.from(read!.bytes as Uint8Array)).toEqual(Buffer.from([0, 1, 254, 255]));
    const updated = await direct.send(
      new UpdateCommand({ TableName, Key, UpdateExpression: "SET #t = :t", ExpressionAttributeNames: { "#t": "text" }, ExpressionAttributeValues: { ":t": "new" }, ReturnValues: "UPDATED_NEW" }),
    );
    expect(updated.Attributes).toEqual({ text: "new" });
    const page = await direct.send(new QueryCommand({ TableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": Item.PK }, Limit: 1 }));
    expect(page.Items).toHaveLength(1);
    expect(page.LastEvaluatedKey).toEqual(Key);
    expect(counter.count).toBe(4);
    expect([...counter.byOperation.keys()]).toEqual(["PutItemCommand", "GetItemCommand", "UpdateItemCommand", "QueryCommand"]);
  });

  it("fails a refused condition with the SDK's ConditionalCheckFailedException, once, without retrying", async () => {
    const { client, tableName: TableName } = table;
    const counter = countRequests(client);
    const doc = createDocumentClient(client);
    const Item = { PK: "USER#cond", SK: "USER" };
    await doc.send(new PutCommand({ TableName, Item }));
    const error = await doc.send(new PutCommand({ TableName, Item, ConditionExpression: "attribute_not_exists(PK)" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({ name: "ConditionalCheckFailedException", $fault: "client", $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(counter.count).toBe(2);
  });
});

describe("against a loopback server", () => {
  it.each(["ThrottlingException", "ProvisionedThroughputExceededException"])("retries %s with backoff and returns the answer that follows", async (type) => {
    const fake = await fakeDynamo([refuse(type, "slow down"), json(200, { Item: { PK: { S: "USER#a" }, SK: { S: "USER" }, n: { N: "7" } } })]);
    const { client, doc } = directClient(fake.endpoint);
    const out = await doc.send(get);
    expect(out.Item).toEqual({ PK: "USER#a", SK: "USER", n: 7 });
    expect(out.$metadata).toMatchObject({ attempts: 2, requestId: "req-1" });
    expect(fake.seen).toHaveLength(2);
    // Each attempt is the JSON protocol, signed.
    for (const { headers, body } of fake.seen) {
      expect(headers).toMatchObject({ "x-amz-target": "DynamoDB_20120810.GetItem", "content-type": "application/x-amz-json-1.0" });
      expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
      expect(JSON.parse(body)).toEqual({ TableName: "t", Key: { PK: { S: "USER#a" }, SK: { S: "USER" } } });
    }
    client.destroy();
  });

  it("gives up after maxAttempts with the last throttling error, its attempts counted", async () => {
    const fake = await fakeDynamo([refuse("ThrottlingException", "Rate exceeded")]);
    const { client, doc } = directClient(fake.endpoint, { maxAttempts: 2 });
    const error = await doc.send(get).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ThrottlingException", message: "Rate exceeded", $metadata: { httpStatusCode: 400, attempts: 2 } });
    expect(fake.seen).toHaveLength(2);
    client.destroy();
  });

  it("does not retry a refused access key, and never echoes the secret", async () => {
    const fake = await fakeDynamo([refuse("UnrecognizedClientException", "The security token included in the request is invalid.")]);
    const { client, doc } = directClient(fake.endpoint);
    const error = await doc.send(get).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "UnrecognizedClientException", $fault: "client", $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(fake.seen).toHaveLength(1);
    expect(JSON.stringify(fake.seen[0]!.headers)).not.toContain(CREDENTIALS.secretAccessKey);
    expect(JSON.stringify(error) + String(error)).not.toContain(CREDENTIALS.secretAccessKey);
    client.destroy();
  });

  it("fails without sending when the credentials provider fails, and sends a session token it gives", async () => {
    const fake = await fakeDynamo([json(200, {})]);
    const broken = directClient(fake.endpoint, {
      credentials: () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })),
    });
    await expect(broken.doc.send(get)).rejects.toMatchObject({ name: "CredentialsProviderError" });
    expect(fake.seen).toHaveLength(0);
    broken.client.destroy();
    // Credentials about to expire (a role session) are refreshed through the SDK's memoized provider before a call.
    let session = 0;
    const refreshing = directClient(fake.endpoint, {
      credentials: async () => ({ ...CREDENTIALS, sessionToken: `session-${++session}`, expiration: new Date(Date.now() + 60_000) }),
    });
    await refreshing.doc.send(get);
    await refreshing.doc.send(get);
    const tokens = fake.seen.map((s) => String(s.headers["x-amz-security-token"]));
    expect(tokens[0]).toMatch(/^session-\d+$/);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(fake.seen[0]!.headers.authorization).toContain("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
    refreshing.client.destroy();
  });

  it("takes the server's clock when a signature is refused as skewed, and signs the retry with it", async () => {
    const ahead = new Date(Date.now() + 3_600_000).toUTCString();
    const fake = await fakeDynamo([refuse("InvalidSignatureException", "Signature expired", { date: ahead }), json(200, {})]);
    const { client, doc } = directClient(fake.endpoint);
    await doc.send(get);
    const [first, second] = fake.seen.map((s) => Date.parse(String(s.headers["x-amz-date"]).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z")));
    expect(second! - first!).toBeGreaterThan(3_000_000);
    client.destroy();
  });

  it("times a silent server out, retries, and fails with a TimeoutError", async () => {
    const fake = await fakeDynamo([() => {}]);
    const { client, doc } = directClient(fake.endpoint, { maxAttempts: 2, requestTimeout: 200 });
    const error = await doc.send(get).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TimeoutError" });
    expect(fake.seen).toHaveLength(2);
    client.destroy();
  });

  it("sends other commands, and calls with options, through the SDK client", async () => {
    const fake = await fakeDynamo([json(200, { Items: [], Count: 0, ScannedCount: 0 })]);
    const { client, doc } = directClient(fake.endpoint);
    let intercepted = 0;
    directSenderOf(client)!.intercept((attempt, next) => (intercepted++, next()));
    await doc.send(new QueryCommand({ TableName: "t", KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": "x" } }), { abortSignal: new AbortController().signal });
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]!.headers["user-agent"]).toMatch(/aws-sdk-js/);
    expect(intercepted).toBe(0);
    client.destroy();
  });
});
