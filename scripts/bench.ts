/**
 * `npm run bench`: the data layer against a fresh in-memory dynalite, with the workload of the Python baseline
 * (bench/README.md, "The Python baseline"): 1,000 users, 10,000 threads over 10 users, threads of 2,000 steps.
 * Prints a table beside the baseline's figures and writes bench/results.json. `npm run bench -- --http` adds the
 * HTTP figures (bench-http.ts). `npm run bench -- --ui` measures only long threads opened in Chromium (bench-ui.ts).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDataLayer, ensureTable, getLogger, utcNow, type StepInput } from "../src/data";
import { formatTable, summarize, timeCalls, type PhaseResult } from "./bench-stats";
import { benchCatchUp, formatCatchUp } from "./bench-catch-up";
import { runHttpBench } from "./bench-http";
import { formatUiTable, runUiBench } from "./bench-ui";
import { LOCAL_AWS_CREDENTIALS, startDynalite } from "./local-services";

/** The Python layer's medians on the same machine kind and dynalite (bench/README.md, "The Python baseline"). */
const BASELINE: Record<string, PhaseResult["baseline"]> = {
  createUser: { medianMs: 1.34, p95Ms: 2.64, opsPerSec: 650, requestsPerCall: 1 },
  getUser: { medianMs: 1.14, p95Ms: 1.91, opsPerSec: 794, requestsPerCall: 1 },
  "updateThread (create)": { medianMs: 1.38, p95Ms: 2.22, opsPerSec: 641, requestsPerCall: 1 },
  "listThreads first page": { medianMs: 1.63, p95Ms: 3.47, opsPerSec: 518, requestsPerCall: 1 },
  "listThreads page (traversal)": { medianMs: 1.57, p95Ms: 2.55, opsPerSec: 556, requestsPerCall: 1 },
  "createStep sequential": { medianMs: 1.15, p95Ms: 1.64, opsPerSec: 801, requestsPerCall: 1 },
  "createStep 32 concurrent": { medianMs: 1.22, p95Ms: 1.63, opsPerSec: 760, requestsPerCall: 1 },
  upsertFeedback: { medianMs: 1.35, p95Ms: 2.52, opsPerSec: 720, requestsPerCall: 1 },
  getThreadAuthor: { medianMs: 1.01, p95Ms: 1.44, opsPerSec: 925, requestsPerCall: 1 },
  "getThread (2,000 steps)": { medianMs: 298, p95Ms: 392, opsPerSec: 3.4, requestsPerCall: 2 },
  "deleteThread (2,000 steps)": { medianMs: 551, p95Ms: 944, opsPerSec: 1.8, requestsPerCall: 83 },
};

const LOREM =
  "The quarterly figures show steady growth across regions, with the strongest gains where the team invested in onboarding. ";

function step(threadId: string, i: number): StepInput {
  const types = ["user_message", "run", "llm", "assistant_message"] as const;
  const type = types[i % 4]!;
  const now = utcNow();
  return {
    id: randomUUID(),
    threadId,
    name: type === "user_message" ? "alice" : "Assistant",
    type,
    parentId: null,
    streaming: false,
    metadata: {},
    tags: null,
    input: type === "run" || type === "llm" ? LOREM.slice(0, 55) : "",
    isError: false,
    output: type === "user_message" ? LOREM.slice(0, 55) : LOREM.repeat(4).slice(0, 440),
    createdAt: now,
    start: now,
    end: now,
    language: null,
    defaultOpen: false,
    autoCollapse: false,
    showInput: "json",
    generation: null,
  };
}

async function main() {
  if (process.argv.includes("--ui")) return uiOnly();
  getLogger("DynamoDB").level = "warn";
  const dynamo = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS });
  let requests = 0;
  client.middlewareStack.add((next) => async (args) => (requests++, next(args)), { step: "deserialize", name: "benchCounter" });
  const tableName = "threadbook-bench";
  await ensureTable(client, tableName);
  const layer = new DynamoDBDataLayer({ tableName, client });
  const results: PhaseResult[] = [];
  const phase = async (name: string, count: number, concurrency: number, fn: (i: number) => Promise<unknown>) => {
    const before = requests;
    const { latencies, wallMs } = await timeCalls(count, concurrency, fn);
    const result = { ...summarize(name, latencies, wallMs, requests - before), baseline: BASELINE[name] };
    results.push(result);
    console.error(`  ${name}: p50 ${result.p50Ms} ms, ${result.opsPerSec} ops/s, ${result.requestsPerCall} req/op`);
    return result;
  };

  console.error("Warming up…");
  await timeCalls(50, 1, async (i) => {
    await layer.createUser({ identifier: `warm-${i}@example.com` });
    await layer.updateThread(`warm-${i}`, { name: "warm", userId: "warm" });
    await layer.createStep(step(`warm-${i}`, i));
    await layer.listThreads({ first: 20 }, { userId: "warm" });
  });

  console.error("Users, threads…");
  await phase("createUser", 1000, 1, (i) => layer.createUser({ identifier: `user-${i}@example.com`, metadata: { team: "bench", plan: "pro" } }));
  await phase("getUser", 1000, 1, (i) => layer.getUser(`user-${i}@example.com`));
  const threadsOf0: string[] = [];
  await phase("updateThread (create)", 10_000, 1, (i) => {
    const id = randomUUID();
    if (i % 10 === 0) threadsOf0.push(id);
    return layer.updateThread(id, { name: `Thread ${i}: ${LOREM.slice(0, 38)}`, userId: `user-${i % 10}@example.com` });
  });
  const user0 = { userId: "user-0@example.com" };
  await phase("listThreads first page", 1000, 1, () => layer.listThreads({ first: 20 }, user0));
  let pages = 0;
  const traversal = await timeCalls(10, 1, async () => {
    let cursor: string | null | undefined;
    do {
      const page = await layer.listThreads({ first: 20, cursor }, user0);
      pages++;
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor);
  });
  results.push({ ...summarize("listThreads traversal (1,000 threads, first=20)", traversal.latencies, traversal.wallMs, 0), requestsPerCall: pages / 10 });
  await phase("listThreads search (1,000 threads)", 200, 1, (i) => layer.listThreads({ first: 20 }, { ...user0, search: `THREAD ${i % 9}` }));

  // Feedback on 200 of user 0's threads: one step each, alternating 👍/👎.
  const feedbackSteps = await Promise.all(
    threadsOf0.slice(0, 200).map(async (threadId) => {
      const s = step(threadId, 1);
      await layer.createStep(s);
      return { threadId, stepId: s.id };
    }),
  );
  await phase("upsertFeedback (new, thread owner known)", feedbackSteps.length, 1, (i) =>
    layer.upsertFeedback({ threadId: feedbackSteps[i]!.threadId, forId: feedbackSteps[i]!.stepId, value: (i % 2) as 0 | 1 }, { threadUserId: user0.userId }),
  );
  await phase("listThreads feedback filter", 200, 1, (i) => layer.listThreads({ first: 20 }, { ...user0, feedback: (i % 2) as 0 | 1 }));
  const catchUp = await benchCatchUp(layer, client, tableName, () => requests);

  console.error("Steps…");
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  for (const id of [a, b, c]) await layer.updateThread(id, { name: "Long thread", userId: "steps@example.com" });
  const stepsA = Array.from({ length: 2000 }, (_, i) => step(a, i));
  await phase("createStep sequential", 2000, 1, (i) => layer.createStep(stepsA[i]!));
  await phase("createStep 32 concurrent", 2000, 32, (i) => layer.createStep(step(b, i)));
  await phase("upsertFeedback", 1000, 1, (i) =>
    layer.upsertFeedback({ threadId: a, forId: stepsA[i]!.id!, value: (i % 2) as 0 | 1, comment: i % 3 === 0 ? "noted" : null }, { threadUserId: "steps@example.com" }),
  );
  await phase("updateStep", 1000, 1, (i) => layer.updateStep({ id: stepsA[i]!.id!, threadId: a, end: utcNow() }));
  await phase("getThreadAuthor", 1000, 1, () => layer.getThreadAuthor(a));
  await phase("getThread (2,000 steps)", 30, 1, () => layer.getThread(a));
  for (let i = 0; i < 2000; i++) await layer.createStep(step(c, i));
  const toDelete = [a, b, c];
  await phase("deleteThread (2,000 steps)", toDelete.length, 1, (i) => layer.deleteThread(toDelete[i]!));

  console.log(formatTable(results));
  console.log(`\n${formatCatchUp(catchUp)}`);
  let http: Awaited<ReturnType<typeof runHttpBench>> | undefined;
  if (process.argv.includes("--http")) {
    http = await runHttpBench();
    console.log(`\nHTTP against next start, ${http.users} concurrent signed-in users, ${http.durationSeconds} s each:`);
    console.log(formatTable(http.results));
    console.log(`DynamoDB requests per /threads/[id] page view (the HTML with the thread, then the sidebar's threads.list): ${http.dynamoRequestsPerPageView}`);
    console.log(`Next server RSS: ${http.serverRssMiB.before} MiB before the load, ${http.serverRssMiB.after} MiB after.`);
  }
  const { file, previous, machine } = resultsFile();
  writeFileSync(file, JSON.stringify({ ...previous, dataLayer: { at: new Date().toISOString(), machine, dynalite: "4.0.0 in memory", results, feedbackCatchUp: catchUp }, ...(http ? { http: { at: new Date().toISOString(), machine, ...http } } : {}) }, null, 2) + "\n");
  console.log(`\nWrote ${file}.`);
  await layer.close();
  client.destroy();
  await dynamo.stop();
}

function resultsFile() {
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
  mkdirSync("bench", { recursive: true });
  const file = "bench/results.json";
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  return { file, previous, machine };
}

/** Long threads in the browser (bench-ui.ts): the data-layer phases are not run. */
async function uiOnly() {
  const results = await runUiBench();
  console.log(`\nLong threads in Chromium, median of ${process.env.BENCH_UI_RUNS ?? 5} views each:`);
  console.log(formatUiTable(results));
  const { file, previous, machine } = resultsFile();
  writeFileSync(file, JSON.stringify({ ...previous, ui: { at: new Date().toISOString(), machine, results } }, null, 2) + "\n");
  console.log(`\nWrote ${file}.`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
