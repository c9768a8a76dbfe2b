import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, DynamoDBDataLayer } from "@/data";
import { createTestServices } from "../../../test/callers";
import { freshBucket, freshTable } from "../../../test/harness";
import { lifecycle, resetLifecycle } from "./lifecycle";
import { createReadinessCheck } from "./readiness";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());
afterEach(() => resetLifecycle());

describe("readiness", () => {
  it("is ready when the table and the bucket answer, with one read of each", async () => {
    services.requests.reset();
    const check = createReadinessCheck(services);
    expect(await check()).toEqual({ ready: true, checks: { dynamodb: "ok", storage: "ok" } });
    expect(services.requests.count).toBe(1);
  });

  it("shares one probe between callers within a second, so a flood of probes costs one read", async () => {
    let now = 1_000_000;
    const check = createReadinessCheck(services, { now: () => now });
    services.requests.reset();
    await Promise.all(Array.from({ length: 20 }, () => check()));
    expect(services.requests.count).toBe(1);
    now += 1_000;
    await check();
    expect(services.requests.count).toBe(2);
  });

  it("reports a missing table and a missing bucket as failed, naming neither", async () => {
    const [{ client }, { client: s3 }] = await Promise.all([freshTable(), freshBucket()]);
    try {
      const missingTable = new DynamoDBDataLayer({ tableName: "threadbook-no-such-table", client });
      const missingBucket = createS3Storage({ bucket: "threadbook-no-such-bucket", client: s3 });
      const result = await createReadinessCheck({ data: missingTable, storage: missingBucket })();
      expect(result).toEqual({ ready: false, checks: { dynamodb: "failed", storage: "failed" } });
      expect(JSON.stringify(result)).not.toMatch(/no-such|127\.0\.0\.1|threadbook/);
    } finally {
      client.destroy();
      s3.destroy();
    }
  });

  it("gives up on a dependency that does not answer within the timeout", async () => {
    const never = new Promise<never>(() => {});
    const stalled = { data: { getUser: () => never }, storage: { exists: () => never } } as unknown as Parameters<typeof createReadinessCheck>[0];
    expect(await createReadinessCheck(stalled, { timeoutMs: 50 })()).toEqual({ ready: false, checks: { dynamodb: "failed", storage: "failed" } });
  });

  it("is never ready while the instance drains for a shutdown", async () => {
    lifecycle().draining = true;
    expect(await createReadinessCheck(services)()).toEqual({ ready: false, checks: { dynamodb: "ok", storage: "ok" }, draining: true });
  });
});
