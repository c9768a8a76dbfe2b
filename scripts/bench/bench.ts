/**
 * `npm run bench`: the data layer against a fresh in-memory dynalite in its own process, with the workload of the
 * Python baseline (bench/README.md, "The Python baseline"): 1,000 users, 10,000 threads over 10 users, threads of
 * 2,000 steps. Prints a table beside the baseline's stored figures and writes bench/results.json.
 * `-- --latency MS` holds every DynamoDB response MS ms (an in-region round trip is about 4); `-- --http` adds the
 * HTTP figures (scripts/bench/http.ts); `-- --import` measures only the import of a 10,000-conversation export
 * (scripts/bench/import.ts); `-- --search` adds the full-text search workload (scripts/bench/search.ts). The paths people feel
 * are counted in round trips (scripts/bench/paths.ts; `-- --paths-only` runs them alone, printed, not saved). `-- --ui` measures only long threads opened in Chromium
 * (scripts/bench/ui.ts). `-- --sdk-handler` runs the data layer on the SDK's default HTTP handler instead of the app's.
 * `-- --python` alternates every phase with a boto3 re-creation of Chainlit's requests on the same dynalite
 * (scripts/bench/python.ts) and prints the two side by side.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDataLayer, ensureTable, getLogger, utcNow, type StepInput } from "../../src/data";
import { formatTable, summarize, timeCalls, type PhaseResult } from "./stats";
import { benchCatchUp, formatCatchUp } from "./catch-up";
import { formatHttpTable, formatPageTimes, runHttpBench } from "./http";
import { formatImportBench, runImportBench, saveImportBench } from "./import";
import { LOCAL_AWS_CREDENTIALS } from "../local-services";
import { createDynamoClient, dynamoSettings } from "../../src/data";
import { countBenchRequests } from "./counter";
import { startBenchDynamo } from "./dynamo-server";
import { benchPaths, formatPaths } from "./paths";
import { formatSearchBench, runSearchBench } from "./search";
import { formatUiTable, runUiBench } from "./ui";
import { checkPython, formatSideBySide, PYTHON_PHASES, startPythonBench } from "./python";

/**
 * The Python layer's medians, stored from an earlier day on the same machine kind and dynalite, without added latency
 * (bench/README.md, "The Python baseline"). Printed beside ours for reference, never divided into a ratio.
 */
const BASELINE: Record<string, PhaseResult["baseline"]> = {
  createUser: { medianMs: 1.34, p95Ms: 2.64, opsPerSec: 650, requestsPerCall: 1 },
  getUser: { medianMs: 1.14, p95Ms: 1.91, opsPerSec: 794, requestsPerCall: 1 },
  "updateThread (create)": { medianMs: 1.38, p95Ms: 2.22, opsPerSec: 641, requestsPerCall: 1 },
  "listThreads first page": { medianMs: 1.63, p95Ms: 3.47, opsPerSec: 518, requestsPerCall: 1 },
  "listThreads traversal (1,000 threads, first=20)": { medianMs: 183, p95Ms: 191, opsPerSec: 5.5, requestsPerCall: 101 },
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

/** `--latency 4` or `--latency=4`: ms added to every DynamoDB response. */
function latencyArg(): number {
  const at = process.argv.findIndex((a) => a === "--latency" || a.startsWith("--latency="));
  if (at < 0) return 0;
  const raw = process.argv[at]!.includes("=") ? process.argv[at]!.split("=")[1] : process.argv[at + 1];
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0 || ms > 1000) throw new Error("--latency takes a number of milliseconds between 0 and 1000");
  return ms;
}

/** `--conversations N`: the size of the generated export (10,000 by default, as issue 15 asks). */
function conversationsArg(): number | undefined {
  const at = process.argv.findIndex((a) => a === "--conversations" || a.startsWith("--conversations="));
  if (at < 0) return undefined;
  const raw = process.argv[at]!.includes("=") ? process.argv[at]!.split("=")[1] : process.argv[at + 1];
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new Error("--conversations takes a whole number between 1 and 1,000,000");
  return count;
}

async function main() {
  if (process.argv.includes("--import")) {
    const figure = await runImportBench(conversationsArg());
    console.log(formatImportBench(figure));
    saveImportBench(figure);
    return;
  }
  if (process.argv.includes("--ui")) return uiOnly();
  if (process.argv.includes("--http-only")) return httpOnly();
  getLogger("DynamoDB").level = "warn";
  const latencyMs = latencyArg();
  const dynamo = await startBenchDynamo(latencyMs);
  // The app's client (its HTTP handler and timeouts); `--sdk-handler` measures the SDK's own handler for comparison.
  const client = process.argv.includes("--sdk-handler")
    ? new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS })
    : createDynamoClient(
        dynamoSettings({
          DYNAMODB_ENDPOINT: dynamo.endpoint,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
          // The app's 4 s would fail a throughput bench on a saturated machine (32 writers queue for seconds); it
          // measures cost, not how soon a stalled DynamoDB is given up on.
          DYNAMODB_REQUEST_TIMEOUT_MS: "60000",
        }),
      );
  const counter = countBenchRequests(client);
  const tableName = "threadbook-bench";
  await ensureTable(client, tableName);
  if (process.argv.includes("--paths-only")) {
    console.log(formatPaths(await benchPaths({ client, tableName, counter, latencyMs })));
    client.destroy();
    return dynamo.stop();
  }
  const layer = new DynamoDBDataLayer({ tableName, client });
  const results: PhaseResult[] = [];
  if (process.argv.includes("--python")) checkPython();
  const python = process.argv.includes("--python") ? startPythonBench(dynamo.endpoint, tableName) : undefined;
  const pythonResults: PhaseResult[] = [];
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const phase = async (name: string, count: number, concurrency: number, fn: (i: number) => Promise<unknown>) => {
    const before = counter.requests;
    const cpuBefore = cpuMs();
    const { latencies, wallMs } = await timeCalls(count, concurrency, fn);
    const requests = counter.requests - before;
    const clientCpuMsPerRequest = Math.round(((cpuMs() - cpuBefore) / Math.max(1, requests)) * 1000) / 1000;
    const result = { ...summarize(name, latencies, wallMs, requests), clientCpuMsPerRequest, baseline: latencyMs === 0 ? BASELINE[name] : undefined };
    results.push(result);
    console.error(`  ${name}: p50 ${result.p50Ms} ms, ${result.opsPerSec} ops/s, ${result.requestsPerCall} req/op, ${clientCpuMsPerRequest} ms CPU/req`);
    if (python && PYTHON_PHASES.has(name)) {
      const py = await python.run(name);
      pythonResults.push(py);
      console.error(`  ${name} (Python): p50 ${py.p50Ms} ms, ${py.opsPerSec} ops/s, ${py.requestsPerCall} req/op, ${py.clientCpuMsPerRequest} ms CPU/req`);
    }
    return result;
  };

  // Every operation runs warm, the first phase as much as the last: 200 calls of each on data of its own first.
  console.error(`Warming up${latencyMs ? ` (${latencyMs} ms added to every DynamoDB response)` : ""}…`);
  const warmThread = randomUUID();
  await layer.updateThread(warmThread, { name: "warm", userId: "warm" });
  const warmSteps = Array.from({ length: 200 }, (_, i) => step(warmThread, i));
  await timeCalls(200, 1, async (i) => {
    await layer.createUser({ identifier: `warm-${i}@example.com` });
    await layer.getUser(`warm-${i}@example.com`);
    await layer.updateThread(`warm-${i}`, { name: "warm", userId: "warm" });
    await layer.createStep(warmSteps[i]!);
    await layer.updateStep({ id: warmSteps[i]!.id!, threadId: warmThread, end: utcNow() });
    await layer.upsertFeedback({ threadId: warmThread, forId: warmSteps[i]!.id!, value: (i % 2) as 0 | 1 }, { threadUserId: "warm" });
    await layer.getThreadAuthor(warmThread);
    await layer.listThreads({ first: 20 }, { userId: "warm", ...(i % 3 === 1 ? { search: "warm" } : i % 3 === 2 ? { feedback: 1 as const } : {}) });
    if (i % 20 === 0) await layer.getThread(warmThread);
  });
  await layer.deleteThread(warmThread);
  if (python) await python.run("warm");

  console.error("Users, threads…");
  await phase("createUser", 1000, 1, (i) => layer.createUser({ identifier: `user-${i}@example.com`, metadata: { team: "bench", plan: "pro" } }));
  // A returning user's login (Chainlit calls create_user at every one): the row that matters for sign-in latency.
  await phase("createUser (returning user)", 1000, 1, (i) => layer.createUser({ identifier: `user-${i}@example.com`, metadata: { team: "bench", plan: "pro" } }));
  await phase("getUser", 1000, 1, (i) => layer.getUser(`user-${i}@example.com`));
  const threadsOf0: string[] = [];
  await phase("updateThread (create)", 10_000, 1, (i) => {
    const id = randomUUID();
    if (i % 10 === 0) threadsOf0.push(id);
    return layer.updateThread(id, { name: `Thread ${i}: ${LOREM.slice(0, 38)}`, userId: `user-${i % 10}@example.com` });
  });
  const user0 = { userId: "user-0@example.com" };
  await phase("listThreads first page", 1000, 1, () => layer.listThreads({ first: 20 }, user0));
  await phase("listThreads traversal (1,000 threads, first=20)", 10, 1, async () => {
    let cursor: string | null | undefined;
    do {
      const page = await layer.listThreads({ first: 20, cursor }, user0);
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor);
  });
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
  // User 0's 1,000 threads were written through Chainlit's update_thread path (no owner, so no index state): to the
  // filter they are Chainlit's threads, which its first listings catch up, 25 rebuilds each. That one-time cost is
  // its own figure (and the catch-up rows below); the row after it is what a page costs once caught up.
  const catchUpStart = counter.requests;
  let listings = 0;
  for (let last = Infinity; listings < 100; listings++) {
    const before = counter.requests;
    await layer.listThreads({ first: 20 }, { ...user0, feedback: 1 });
    const cost = counter.requests - before;
    if (cost >= last && cost <= 6) break;
    last = cost;
  }
  console.error(`  catch-up of user 0's 1,000 threads before the feedback filter row: ${listings + 1} listings, ${counter.requests - catchUpStart} requests`);
  await phase("listThreads feedback filter", 200, 1, (i) => layer.listThreads({ first: 20 }, { ...user0, feedback: (i % 2) as 0 | 1 }));
  const catchUp = await benchCatchUp(layer, client, tableName, () => counter.requests);

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

  const paths = await benchPaths({ client, tableName, counter, latencyMs });
  // The full-text workload (2,000 threads, 40,000 messages) takes minutes to index: only with `-- --search`.
  const search = process.argv.includes("--search") ? await runSearchBench() : undefined;
  console.log(`DynamoDB: dynalite 4 in memory, in its own process${latencyMs ? `, every response held ${latencyMs} ms` : ""}.`);
  console.log(formatTable(results));
  if (python) {
    await python.stop();
    console.log(`\nSide by side, phase by phase in this session: Threadbook (TS) and a boto3 re-creation of Chainlit's requests (Py):`);
    console.log(formatSideBySide(results, pythonResults));
  }
  console.log(`\n${formatCatchUp(catchUp)}`);
  console.log(`\n${formatPaths(paths)}`);
  if (search) console.log(`\n${formatSearchBench(search)}`);
  const http = process.argv.includes("--http") ? await httpBench() : undefined;
  const { file, previous, machine } = resultsFile();
  const key = latencyMs ? `dataLayerLatency${latencyMs}ms` : "dataLayer";
  writeFileSync(file, JSON.stringify({ ...previous, [key]: { at: new Date().toISOString(), machine, dynalite: "4.0.0 in memory, own process", latencyMs, results, ...(python ? { python: pythonResults } : {}), feedbackCatchUp: catchUp, paths, search }, ...(http ? { http: { at: new Date().toISOString(), machine, ...http } } : {}) }, null, 2) + "\n");
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

async function httpBench() {
  const http = await runHttpBench();
  console.log(`\nHTTP against Threadbook's server, ${http.users} concurrent signed-in users, ${http.durationSeconds} s each${http.warmSeconds > 0 ? ` (each load warmed up for ${http.warmSeconds} s first, not measured)` : ""}:`);
  console.log(formatHttpTable(http.results));
  console.log(`DynamoDB requests per /threads/[id] page view (the HTML with the thread, then the sidebar's threads.list and threads.pinned): ${http.dynamoRequestsPerPageView}`);
  console.log(`Next server RSS: ${http.serverRssMiB.before} MiB before the load, ${http.serverRssMiB.after} MiB after${http.serverRssMiB.afterRounds.length > 1 ? ` (after each round: ${http.serverRssMiB.afterRounds.join(", ")} MiB)` : ""}.`);
  console.log(`\nOne signed-in user, one request at a time: the page's server time against the data layer's getThread of the same thread:`);
  console.log(formatPageTimes(http.pageTimes));
  return http;
}

/** `-- --http-only`: the HTTP figures alone (scripts/bench/http.ts), without the data-layer phases. */
async function httpOnly() {
  const http = await httpBench();
  const { file, previous, machine } = resultsFile();
  writeFileSync(file, JSON.stringify({ ...previous, http: { at: new Date().toISOString(), machine, ...http } }, null, 2) + "\n");
  console.log(`\nWrote ${file}.`);
}

/** Long threads in the browser (scripts/bench/ui.ts): the data-layer phases are not run. */
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
