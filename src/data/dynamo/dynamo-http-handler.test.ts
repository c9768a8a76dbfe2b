import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { LOCAL_AWS_CREDENTIALS } from "../../../scripts/local-services";
import { DynamoHttpHandler } from "./dynamo-http-handler";
import { isConditionalCheckFailed } from "../errors";
import { ensureTable } from "../table";

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

/** A loopback HTTP server behaving as told: the handler's failure paths need answers DynamoDB never gives on cue. */
async function serve(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const post = (port: number) => ({ protocol: "http:", hostname: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0" }, body: "{}", query: {} });

describe("DynamoHttpHandler", () => {
  it("carries the SDK's requests to DynamoDB and its answers back, errors included", async () => {
    const handler = new DynamoHttpHandler({ connectionTimeout: 1000, requestTimeout: 4000 });
    const client = new DynamoDBClient({ endpoint: inject("dynamoEndpoint"), region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS, requestHandler: handler });
    try {
      const TableName = `t-${crypto.randomUUID()}`;
      await ensureTable(client, TableName);
      const Item = { PK: { S: "USER#a" }, SK: { S: "USER" }, text: { S: "é ✓ ".repeat(50_000) } };
      await client.send(new PutItemCommand({ TableName, Item }));
      expect((await client.send(new GetItemCommand({ TableName, Key: { PK: Item.PK, SK: Item.SK }, ConsistentRead: true }))).Item).toEqual(Item);
      const refused = await client.send(new PutItemCommand({ TableName, Item, ConditionExpression: "attribute_not_exists(PK)" })).catch((error: unknown) => error);
      expect(isConditionalCheckFailed(refused)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it("gives up on a server that never answers with a TimeoutError (which the SDK retries), not a hang", async () => {
    const port = await serve(() => undefined);
    const handler = new DynamoHttpHandler({ requestTimeout: 150 });
    await expect(handler.handle(post(port))).rejects.toMatchObject({ name: "TimeoutError" });
    handler.destroy();
  });

  it("refuses an answer larger than its bound instead of buffering it", async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(Buffer.alloc(64 * 1024, 97));
    });
    const handler = new DynamoHttpHandler({ requestTimeout: 4000, maxResponseBytes: 1024 });
    await expect(handler.handle(post(port))).rejects.toThrow("DynamoDB answer larger than 1024 bytes");
    handler.destroy();
  });

  it("stops when the SDK aborts, and hands back repeated headers as one string", async () => {
    const slow = await serve(() => undefined);
    const handler = new DynamoHttpHandler({ requestTimeout: 4000 });
    const controller = new AbortController();
    const pending = handler.handle(post(slow), { abortSignal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });

    const port = await serve((_req, res) => {
      res.setHeader("x-amz-crc32", "1");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end("{}");
    });
    const { response } = await handler.handle(post(port));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ "x-amz-crc32": "1", "set-cookie": "a=1,b=2" });
    expect(Buffer.from(response.body as Uint8Array).toString()).toBe("{}");
    handler.destroy();
  });
});
