/**
 * /api/trpc bounds what one request can cost: bodies over API_MAX_BODY_KB are refused while they stream (whatever
 * Content-Length says), batches over API_MAX_BATCH before any call runs. Its own file: it measures this worker's memory.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { createTRPCClient, httpBatchStreamLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBDataLayer } from "@/data";
import { generatedStream } from "../../../test/storage-backends";
import { createTestServices, sessionUser } from "../../../test/callers";
import { countRequests, freshTable } from "../../../test/harness";
import { MiB, peakGrowth } from "../../../test/memory";
import { createInnerContext } from "../context";
import { parseServerEnv } from "../env";
import type { AppRouter } from "../root";
import type { Services } from "../services";
import { transformer } from "../transformer";
import { TRPC_CACHE_CONTROL, handleTrpcRequest } from "./trpc-handler";
import { trpcLimitsFrom } from "./trpc-limits";

const ENDPOINT = "/api/trpc";
const LIMITS = trpcLimitsFrom(parseServerEnv({}));
const FIFTY_MB = 50 * 1024 * 1024;
/** "A few MB": the limit itself (1 MB) plus slack for the measurement's own noise. */
const MAX_GROWTH = 4 * 1024 * 1024;

let services: Services & { close(): Promise<void> };
let dynamoRequests: ReturnType<typeof countRequests>;
const alice = sessionUser();

beforeAll(async () => {
  const base = await createTestServices();
  const { client, tableName } = await freshTable();
  dynamoRequests = countRequests(client);
  services = { ...base, data: new DynamoDBDataLayer({ tableName, client, storageProvider: base.storage }) };
});
afterAll(() => services.close());

/** What the route handler does (src/app/api/trpc/[trpc]/route.ts), with the test's services and user. */
const handle = (original: Request): Promise<Response> => handleTrpcRequest(original, LIMITS, () => createInnerContext({ user: alice, services }));

/** 50 MB produced on demand, counting how much of it the server pulled. */
function hugeBody() {
  const source = generatedStream(FIFTY_MB, 64 * 1024);
  const pulled = { bytes: 0 };
  source.on("data", (chunk: Buffer) => (pulled.bytes += chunk.length));
  return { body: Readable.toWeb(source) as ReadableStream<Uint8Array>, pulled };
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(`http://localhost${ENDPOINT}/threads.rename?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);

async function expectTooLarge(response: Response) {
  expect(response.status).toBe(413);
  const body = (await response.json()) as { error: { json: { message: string; data: { code: string; httpStatus: number } } } };
  expect(body.error.json).toMatchObject({ message: "The request body is larger than the 1 MB limit.", data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } });
}

describe("/api/trpc body limit", () => {
  it.each([
    ["streamed without Content-Length", undefined],
    ["with a lying Content-Length", "100"],
  ])("refuses a 50 MB body %s once the limit is crossed, holding no more than a few MB", async (_label, declared) => {
    const { body, pulled } = hugeBody();
    let response: Response | undefined;
    const growth = await peakGrowth(async () => {
      response = await handle(post(body, declared ? { "content-length": declared } : {}));
    });
    await expectTooLarge(response!);
    // Stopped reading just past the limit: the rest of the 50 MB was never pulled.
    expect(pulled.bytes).toBeLessThan(LIMITS.maxBodyBytes + 1024 * 1024);
    expect(growth.live, `heap + Buffer growth ${MiB(growth.live)}`).toBeLessThan(MAX_GROWTH);
    expect(growth.rss, `RSS growth ${MiB(growth.rss)}`).toBeLessThan(MAX_GROWTH * 4);
  });

  it("refuses a declared Content-Length over the limit before reading the body", async () => {
    const { body, pulled } = hugeBody();
    await expectTooLarge(await handle(post(body, { "content-length": String(FIFTY_MB) })));
    expect(pulled.bytes).toBeLessThanOrEqual(256 * 1024); // at most what the stream read ahead
  });

  it("passes a body within the limit to the procedure", async () => {
    const threadId = randomUUID();
    await services.data.updateThread(threadId, { name: "before", userId: alice.id });
    const input = JSON.stringify({ 0: transformer.serialize({ threadId, name: "after" }) });
    const response = await handle(post(input, { "content-length": "1" }));
    expect(response.status).toBe(200);
    expect((await services.data.getThread(threadId))?.name).toBe("after");
  });

  it("reaches the tRPC client as an error with the limit in its message", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchStreamLink({ transformer, url: `http://localhost${ENDPOINT}`, fetch: (url, init) => handle(new Request(url, init as RequestInit)) })],
    });
    const error = await client.threads.rename.mutate({ threadId: randomUUID(), name: "x".repeat(2 * 1024 * 1024) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).toMatchObject({ message: "The request body is larger than the 1 MB limit.", data: { httpStatus: 413 } });
  });
});

describe("/api/trpc batch limit", () => {
  const batchOf = (calls: number) => {
    const input = JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, transformer.serialize({})])));
    const paths = Array.from({ length: calls }, () => "threads.list").join(",");
    return new Request(`http://localhost${ENDPOINT}/${paths}?batch=1&input=${encodeURIComponent(input)}`);
  };

  it("refuses a 1,000-call batch with a clear 400 before any call runs", async () => {
    dynamoRequests.reset();
    const response = await handle(batchOf(1000));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { message: string } } };
    expect(body.error.json.message).toBe("A request may batch at most 20 calls; this one has 1000.");
    expect(dynamoRequests.count).toBe(0);
  });

  it("runs a batch at the limit", async () => {
    dynamoRequests.reset();
    const response = await handle(batchOf(LIMITS.maxBatchCalls));
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[]).length).toBe(LIMITS.maxBatchCalls);
    expect(dynamoRequests.count).toBeGreaterThanOrEqual(LIMITS.maxBatchCalls);
  });
});

describe("/api/trpc from another site", () => {
  const rename = async (headers: Record<string, string>) => {
    const threadId = randomUUID();
    await services.data.updateThread(threadId, { name: "before", userId: alice.id });
    dynamoRequests.reset();
    const response = await handle(post(JSON.stringify({ 0: transformer.serialize({ threadId, name: "after" }) }), headers));
    return { response, requests: dynamoRequests.count, name: (await services.data.getThread(threadId))?.name };
  };

  it.each<[string, Record<string, string>]>([
    ["a cross-site page's fetch", { "sec-fetch-site": "cross-site", origin: "https://evil.example", host: "localhost" }],
    ["a sibling subdomain (SameSite=Lax still sends the cookie)", { "sec-fetch-site": "same-site", origin: "http://evil.localhost", host: "localhost" }],
    ["an older browser's cross-origin POST (Origin only)", { origin: "https://evil.example", host: "localhost" }],
  ])("refuses a mutation from %s with 403 before any procedure runs", async (_label, headers) => {
    const { response, requests, name } = await rename(headers);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json).toMatchObject({ message: "Changes are accepted only from Threadbook's own pages.", data: { code: "FORBIDDEN" } });
    expect(requests).toBe(0);
    expect(name).toBe("before");
  });

  it("runs a mutation from the app's own pages, and one from a client that is no browser", async () => {
    const fromApp: Record<string, string> = { "sec-fetch-site": "same-origin", origin: "http://localhost", host: "localhost" };
    for (const headers of [fromApp, {}]) {
      const { response, name } = await rename(headers);
      expect(response.status).toBe(200);
      expect(name).toBe("after");
    }
  });
});

describe("/api/trpc answers are stored by no cache", () => {
  // The same URL answers every user with their own data: a shared cache that kept one answer would hand it on.
  it.each<[string, Record<string, string>]>([
    ["a query", {}],
    ["a streamed batch, as the browser's client asks", { "trpc-accept": "application/jsonl" }],
  ])("hostile: marks %s private and no-store", async (_label, headers) => {
    const input = encodeURIComponent(JSON.stringify({ 0: transformer.serialize({ first: 5 }) }));
    const response = await handle(new Request(`http://localhost${ENDPOINT}/threads.list?batch=1&input=${input}`, { headers }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe(TRPC_CACHE_CONTROL);
    expect(TRPC_CACHE_CONTROL.split(", ").sort()).toEqual(["no-store", "private"]);
    await response.text();
  });
});
