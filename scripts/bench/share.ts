/**
 * What one anonymous view of a long public share costs (docs/sharing.md, "Long shares"): a 2,000-step thread shared
 * publicly, its page `/share/{id}` fetched one request at a time by a production server on the embedded stack. Per
 * view: DynamoDB requests (counted at dynalite, the rate counter's UpdateItem included), bytes of HTML (no
 * compression), server time (first byte to last, medians). `npm run bench:share` (BENCH_SHARE_VIEWS, default 15).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDynamoClient, DynamoDBDataLayer, dynamoSettings } from "../../src/data";
import { startAppServer } from "../app-server";
import { seedLongThread } from "../seed-long-thread";
import { startStack } from "../stack";

const VIEWS = Math.max(1, Number(process.env.BENCH_SHARE_VIEWS ?? 15));
const STEPS = Number(process.env.BENCH_SHARE_STEPS ?? 2000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-bench-share-"));
  const stack = await startStack({ ...process.env, THREADBOOK_DATA_DIR: dataDir, DYNAMODB_TABLE: "", S3_BUCKET: "", LOG_LEVEL: "warn" }, () => {});
  const dynamo = stack.services[0]!;
  const client = createDynamoClient(dynamoSettings(stack.env));
  const data = new DynamoDBDataLayer({ tableName: stack.env.DYNAMODB_TABLE!, client });
  // The views below come from one address: the budget is lifted so none is a 429.
  const server = await startAppServer(stack.env, { SHARE_ACCESS: "public,signed-in", SHARE_RATE_PER_MINUTE: "100000" });
  try {
    const user = await data.createUser({ identifier: "bench-share@example.com", metadata: {} });
    const long = await seedLongThread(data, { userId: user.id, steps: STEPS, concurrency: 32 });
    await data.shareThread(long.threadId, user.id, { access: "public", expiresAt: null });
    const url = `${server.baseUrl}/share/${long.threadId}`;
    // Warm-up: the page's modules loaded and compiled, not measured.
    for (let i = 0; i < 3; i++) await (await fetch(url)).arrayBuffer();
    const requests: number[] = [];
    const bytes: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < VIEWS; i++) {
      const before = dynamo.requests!();
      const started = performance.now();
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const body = await response.arrayBuffer();
      times.push(performance.now() - started);
      bytes.push(body.byteLength);
      requests.push(dynamo.requests!() - before);
    }
    console.log(JSON.stringify({ steps: STEPS, views: VIEWS, dynamoRequests: median(requests), htmlBytes: median(bytes), serverMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)) }));
  } finally {
    await server.stop();
    await data.close();
    client.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
