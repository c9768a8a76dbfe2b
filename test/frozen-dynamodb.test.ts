/**
 * A DynamoDB that stops answering (its process frozen, a network black hole) must not hold API requests open: with
 * the default timeouts of createDynamoClient, threads.list answers a clear 503 within 10 s, and works again once
 * DynamoDB answers again.
 */
import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DynamoDBDataLayer, ensureTable, getLogger } from "@/data";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { createDynamoClient, dynamoSettings } from "@/data";
import { LOCAL_AWS_CREDENTIALS } from "../scripts/local-services";
import { createTestServices, sessionUser } from "./callers";
import { startFreezableProxy } from "./freezable-proxy";

getLogger("API").level = "silent";
getLogger("DynamoDB").level = "silent";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("DynamoDB frozen", () => {
  it("threads.list answers 503 with a clear message within 10 s, and recovers when DynamoDB answers again", async () => {
    const proxy = await startFreezableProxy(inject("dynamoEndpoint"));
    cleanups.push(() => proxy.stop());
    const client = createDynamoClient(dynamoSettings({
      DYNAMODB_ENDPOINT: proxy.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
    }));
    cleanups.push(async () => client.destroy());
    const tableName = `t-${randomUUID()}`;
    await ensureTable(client, tableName);
    const base = await createTestServices();
    cleanups.push(() => base.close());
    const services = { ...base, data: new DynamoDBDataLayer({ tableName, client, storageProvider: base.storage }) };
    const alice = sessionUser();
    await services.data.updateThread(randomUUID(), { name: "kept through the freeze", userId: alice.id });

    const list = () =>
      fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(`http://localhost/api/trpc/threads.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`),
        router: appRouter,
        createContext: () => createInnerContext({ user: alice, services }),
      });

    proxy.freeze();
    const startedAt = Date.now();
    const frozen = await list();
    const elapsed = Date.now() - startedAt;
    expect(frozen.status).toBe(503);
    const body = await frozen.text();
    expect(body).toContain("The history store is unavailable right now; please try again.");
    expect(body).not.toMatch(/TimeoutError|ETIMEDOUT|node-http-handler|stack/);
    expect(elapsed, `answered after ${elapsed} ms`).toBeLessThan(10_000);

    proxy.thaw();
    const thawed = await list();
    expect(thawed.status).toBe(200);
    expect(await thawed.text()).toContain("kept through the freeze");
  });
});
