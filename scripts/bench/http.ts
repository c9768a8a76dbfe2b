/**
 * HTTP figures against Threadbook's server (Next behind src/server/http/server.ts) on the embedded default: p50/p95/p99 and requests per second of
 * `threads.list`, `threads.get` and the `/threads/[id]` page under 32 concurrent signed-in users, and the DynamoDB
 * requests one page view costs (counted at dynalite, which serves the Next process). Then, one request at a time, the
 * page's server time and the server's CPU per page beside the data layer's own `getThread` of the same thread, for a
 * small thread and a 2,000-step one (the goal: the page at most 1.5× getThread). Called by bench.ts with --http.
 */
import type { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { DynamoDBDataLayer, utcNow } from "../../src/data";
import { hashPassword } from "../../src/server/auth/password";
import { createDynamoClient, dynamoSettings } from "../../src/data";
import { markdownTable, percentile, type PhaseResult } from "./stats";
import { startAppServer, type AppServer } from "../app-server";
import { signIn } from "../http-session";
import { replyOf, seedLongThread, type SeededLongThread } from "../seed-long-thread";
import { startStack } from "../stack";

const USERS = 32;
const THREADS_PER_USER = 40;
const PASSWORD = "bench-password-1";
const DURATION_S = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
/**
 * `BENCH_HTTP_WARM_SECONDS=n` (default 10; 0 for none): each selected load runs this long, untimed, on every server
 * before the first measured round. A server that has served only the 20 requests of the round-trip count is still
 * compiling: its first measured page load ran 15-27% below its second and third on the same code (bench/README.md,
 * "Method"), so without this the first row measured V8's warm-up, not the page.
 */
const WARM_S = Math.max(0, Number(process.env.BENCH_HTTP_WARM_SECONDS ?? 10));
/** `BENCH_HTTP_CPU_PROF=dir`: the server writes a V8 CPU profile of the whole run there when it stops (node --cpu-prof). */
const CPU_PROF_DIR = process.env.BENCH_HTTP_CPU_PROF;
/** `BENCH_HTTP_VIEWS=n`: page views per row of the one-request-at-a-time part (default 15); more views, steadier CPU per page. */
const PAGE_VIEWS = Math.max(1, Number(process.env.BENCH_HTTP_VIEWS ?? 15));
/**
 * `BENCH_HTTP_ROWS=page` (or `list,get,page`, the default): which loads to run, e.g. only the page's for a profile;
 * `none` for the one-request-at-a-time part alone (CPU per page without 32 users' contention).
 */
const ROWS = new Set((process.env.BENCH_HTTP_ROWS ?? "list,get,page").split(","));
/**
 * `BENCH_HTTP_ROUNDS=n`: run the selected loads n times over, the server's RSS noted after each round: memory that
 * keeps growing round after round is a leak, memory that stops growing is caches and the heap settling.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_HTTP_ROUNDS ?? 1));
/** `BENCH_HTTP_NODE_ARGS="--max-old-space-size=256 …"`: V8/Node options for the server alone (e.g. to tell a leak from a lazy heap). */
const SERVER_NODE_ARGS = (process.env.BENCH_HTTP_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
/**
 * `BENCH_HTTP_COMPARE_NODE_ARGS="--max-semi-space-size=32"`: a second server over the same seeded stack with these
 * options in place of BENCH_HTTP_NODE_ARGS, and each round's loads run on both, one after the other: options compared
 * back to back under the same neighbours, without seeding twice. Its rows are marked "(B: …)".
 */
const COMPARE_NODE_ARGS = process.env.BENCH_HTTP_COMPARE_NODE_ARGS?.split(/\s+/).filter(Boolean);
/**
 * `BENCH_HTTP_SERVERS=2`: the loads spread over that many server processes on the same stack (each user sticks to
 * one), as several instances (or cluster workers) on one machine would share it; rows sum their requests and CPU.
 */
const SERVERS = Math.max(1, Number(process.env.BENCH_HTTP_SERVERS ?? 1));

/**
 * `BENCH_HTTP_ACCEPT_ENCODING=gzip` (or `br`, `gzip, deflate, br`…): sent with every request of the loads, as browsers
 * do. Unset (the default), no Accept-Encoding, as autocannon sends by default: Next then compresses nothing.
 */
const ACCEPT_ENCODING = process.env.BENCH_HTTP_ACCEPT_ENCODING;

interface BenchUser {
  identifier: string;
  cookie: string;
  threadIds: string[];
}

async function seedUsers(env: Record<string, string>): Promise<Omit<BenchUser, "cookie">[]> {
  const client = createDynamoClient(dynamoSettings(env));
  const data = new DynamoDBDataLayer({ tableName: env.DYNAMODB_TABLE!, client });
  const hash = await hashPassword(PASSWORD);
  const users = await Promise.all(
    Array.from({ length: USERS }, async (_, u) => {
      const identifier = `bench-${u}@example.com`;
      await data.createUser({ identifier });
      await data.setUserPassword(identifier, hash);
      const threadIds: string[] = [];
      for (let t = 0; t < THREADS_PER_USER; t++) {
        const threadId = randomUUID();
        threadIds.push(threadId);
        await data.updateThread(threadId, { userId: identifier, name: `Benchmark thread ${t}` }, { touch: true });
        const [message, run] = [randomUUID(), randomUUID()];
        await Promise.all([
          data.createStep({ id: message, threadId, type: "user_message", output: "How do I page through a DynamoDB query?", createdAt: utcNow() }),
          data.createStep({ id: run, threadId, parentId: message, type: "run", name: "on_message", createdAt: utcNow() }),
          data.createStep({ id: randomUUID(), threadId, parentId: run, type: "assistant_message", output: "Use `ExclusiveStartKey` with the last key you saw.\n\n```ts\nconst page = await query({ ExclusiveStartKey })\n```", createdAt: utcNow() }),
        ]);
      }
      return { identifier, threadIds };
    }),
  );
  await data.close();
  client.destroy();
  return users;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** CPU seconds the process has used (user + system), from /proc: Linux only, as the rest of the bench. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export interface PageVsGetThread {
  /** Steps of the thread; null for the floor row (a page that reads nothing: Next's 404 page, signed in). */
  steps: number | null;
  /** "first view": the newest turns' text changed before every view, so nothing drawn is in the per-user render cache. */
  view?: "first view";
  pageMs: number;
  getThreadMs: number;
  ratio: number;
  serverCpuMsPerPage: number;
}

/**
 * One signed-in user, one request at a time: the median time of the whole page (to its last byte) and of the data
 * layer's own getThread, alternating, after a warm-up of each; and the server's CPU per page over the same views.
 */
async function pageVsGetThread(
  baseUrl: string,
  serverPid: number,
  cookie: string,
  data: DynamoDBDataLayer,
  threadId: string,
  steps: number,
  options: { views?: number; beforeView?: (view: number) => Promise<void> } = {},
): Promise<PageVsGetThread> {
  const views = options.views ?? PAGE_VIEWS;
  const page = async () => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/threads/${threadId}`, { headers: { cookie } });
    if (!response.ok) throw new Error(`/threads/${threadId} answered ${response.status}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  const getThread = async () => {
    const started = performance.now();
    await data.getThread(threadId);
    return performance.now() - started;
  };
  await page();
  await getThread();
  const pages: number[] = [];
  const reads: number[] = [];
  let cpu = 0;
  for (let i = 0; i < views; i++) {
    await options.beforeView?.(i);
    const before = cpuMs(serverPid);
    pages.push(await page());
    cpu += cpuMs(serverPid) - before;
    reads.push(await getThread());
  }
  const pageMs = median(pages);
  const getThreadMs = median(reads);
  return { steps, ...(options.beforeView ? { view: "first view" as const } : {}), pageMs: round1(pageMs), getThreadMs: round1(getThreadMs), ratio: Math.round((pageMs / getThreadMs) * 100) / 100, serverCpuMsPerPage: round1(cpu / views) };
}

/**
 * The framework's floor, in the same conditions: a signed-in request for a path no route serves, answered by the
 * app's 404 page (src/app/not-found.tsx: a heading and a link) inside the root layout. It reads no session and no table
 * and renders no thread, so it costs what any page of this server costs before it does anything of its own: a small
 * thread's page cannot go below it.
 */
async function frameworkFloor(baseUrl: string, serverPid: number, cookie: string): Promise<PageVsGetThread> {
  const view = async () => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/bench-no-such-page`, { headers: { cookie } });
    if (response.status !== 404) throw new Error(`/bench-no-such-page answered ${response.status}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  await view();
  const times: number[] = [];
  let cpu = 0;
  for (let i = 0; i < PAGE_VIEWS; i++) {
    const before = cpuMs(serverPid);
    times.push(await view());
    cpu += cpuMs(serverPid) - before;
  }
  return { steps: null, pageMs: round1(median(times)), getThreadMs: 0, ratio: 0, serverCpuMsPerPage: round1(cpu / PAGE_VIEWS) };
}

/**
 * New text for the last FIRST_VIEW_TURNS turns' tool output and reply (what the page draws on the server), so the next
 * view renders them as a first view does; outside the timed and CPU-counted part.
 */
const FIRST_VIEW_TURNS = 3;
async function changeNewestTurns(data: DynamoDBDataLayer, thread: SeededLongThread, view: number) {
  const turns = thread.turns.slice(-FIRST_VIEW_TURNS);
  await Promise.all(
    turns.flatMap((turn, k) => {
      const i = thread.turns.length - turns.length + k;
      return [
        data.updateStep({ id: turn.toolId, threadId: thread.threadId, output: JSON.stringify({ orders: 100 + (i % 50), revenue: 1000 + i * 7, view }) }),
        data.updateStep({ id: turn.replyId, threadId: thread.threadId, output: `${replyOf(i)}\n\nView ${view + 1}.` }),
      ];
    }),
  );
}

const trpcGet = (procedure: string, input: unknown) => `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

export type HttpRow = PhaseResult & { errors: number; non2xx: number; serverCpuMsPerRequest: number; loadAverage: number };

/**
 * 32 signed-in users for DURATION_S against `servers`: each server gets its share of the users (one connection each),
 * all at once; the row sums their requests and CPU (one server unless BENCH_HTTP_SERVERS is set).
 */
async function load(
  servers: readonly AppServer[],
  users: BenchUser[],
  name: string,
  pathFor: (user: BenchUser, i: number) => string,
  seconds = DURATION_S,
): Promise<HttpRow> {
  const latencies: number[] = [];
  const cpuBefore = servers.map((server) => cpuMs(server.pid));
  const runs = servers.map((server, s) => {
    const share = users.filter((_, u) => u % servers.length === s);
    let next = 0;
    // autocannon's tracker is both an event emitter and a thenable (its types only say Promise).
    const instance = autocannon({
      url: server.baseUrl,
      connections: share.length,
      duration: seconds,
      requests: [
        {
          setupRequest: (request, rawContext) => {
            // Each connection is one signed-in user, walking through their own threads.
            const context = rawContext as { user?: BenchUser; i?: number };
            context.user ??= share[next++ % share.length]!;
            context.i = (context.i ?? -1) + 1;
            return { ...request, method: "GET", path: pathFor(context.user, context.i), headers: { cookie: context.user.cookie, ...(ACCEPT_ENCODING ? { "accept-encoding": ACCEPT_ENCODING } : {}) } };
          },
        },
      ],
    }) as unknown as EventEmitter & PromiseLike<autocannon.Result>;
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
    return instance;
  });
  const results = await Promise.all(runs);
  const serverCpu = servers.reduce((sum, server, s) => sum + cpuMs(server.pid) - cpuBefore[s]!, 0);
  const total = (pick: (result: autocannon.Result) => number) => results.reduce((sum, result) => sum + pick(result), 0);
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    phase: name,
    calls: total((r) => r.requests.total),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    opsPerSec: Math.round(total((r) => r.requests.average)),
    requestsPerCall: 0,
    errors: total((r) => r.errors),
    non2xx: total((r) => r.non2xx),
    serverCpuMsPerRequest: round(serverCpu / Math.max(1, total((r) => r.requests.total))),
    loadAverage: round(os.loadavg()[0]!),
  };
}

export function formatHttpTable(rows: HttpRow[]): string {
  const header = ["request", "requests", "p50 ms", "p95 ms", "p99 ms", "requests/s", "DynamoDB req/call", "server CPU ms/req", "errors / non-2xx", "load avg (1 min)"];
  const body = rows.map((r) => [r.phase, String(r.calls), r.p50Ms.toFixed(1), r.p95Ms.toFixed(1), r.p99Ms.toFixed(1), String(r.opsPerSec), r.requestsPerCall.toFixed(2), r.serverCpuMsPerRequest.toFixed(2), `${r.errors} / ${r.non2xx}`, r.loadAverage.toFixed(1)]);
  return markdownTable(header, body);
}

export function formatPageTimes(rows: PageVsGetThread[]): string {
  const header = ["thread", "page median ms", "getThread median ms", "page ÷ getThread", "server CPU ms/page"];
  return markdownTable(
    header,
    rows.map((r) =>
      r.steps === null
        ? ["no thread: Next's 404 page (the floor)", r.pageMs.toFixed(1), "–", "–", r.serverCpuMsPerPage.toFixed(1)]
        : [`${r.steps} steps${r.view ? `, ${r.view}` : ""}`, r.pageMs.toFixed(1), r.getThreadMs.toFixed(1), `${r.ratio.toFixed(2)}×`, r.serverCpuMsPerPage.toFixed(1)],
    ),
  );
}

export async function runHttpBench(log: (line: string) => void = console.error) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-bench-http-"));
  const stack = await startStack({ ...process.env, THREADBOOK_DATA_DIR: dataDir, DYNAMODB_TABLE: "", S3_BUCKET: "", LOG_LEVEL: "warn" }, () => {});
  const dynamo = stack.services[0]!;
  log(`Seeding ${USERS} users × ${THREADS_PER_USER} threads…`);
  const seeded = await seedUsers(stack.env);
  const server = await startAppServer(stack.env, {}, { nodeArgs: [...SERVER_NODE_ARGS, ...(CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [])] });
  const other = COMPARE_NODE_ARGS ? await startAppServer(stack.env, {}, { nodeArgs: COMPARE_NODE_ARGS }) : undefined;
  const more: AppServer[] = [];
  for (let i = 1; i < SERVERS; i++) more.push(await startAppServer(stack.env, {}, { nodeArgs: SERVER_NODE_ARGS }));
  const baseUrl = server.baseUrl;
  try {
    const users: BenchUser[] = [];
    for (const user of seeded) users.push({ ...user, cookie: await signIn(baseUrl, user.identifier, PASSWORD) });
    // Both servers share AUTH_SECRET (the stack's), so the same session cookies sign in on either.
    const targets = [{ servers: [server, ...more], label: SERVERS > 1 ? ` (${SERVERS} servers)` : "" }, ...(other ? [{ servers: [other], label: ` (B: ${COMPARE_NODE_ARGS!.join(" ")})` }] : [])];

    // Round trips per call, measured one request at a time at dynalite.
    const perView = async (pathFor: (user: BenchUser, i: number) => string, views = 20) => {
      const before = dynamo.requests!();
      for (let i = 0; i < views; i++) {
        const user = users[i % users.length]!;
        const response = await fetch(`${baseUrl}${pathFor(user, i)}`, { headers: { cookie: user.cookie } });
        if (!response.ok) throw new Error(`${pathFor(user, i)} answered ${response.status}`);
        await response.arrayBuffer();
      }
      return (dynamo.requests!() - before) / views;
    };
    const list = () => trpcGet("threads.list", { first: 30 });
    const get = (user: BenchUser, i: number) => trpcGet("threads.get", { threadId: user.threadIds[i % user.threadIds.length] });
    const page = (user: BenchUser, i: number) => `/threads/${user.threadIds[i % user.threadIds.length]}`;
    const pinned = () => trpcGet("threads.pinned", undefined);
    const dynamoPerCall = { "threads.list": await perView(list), "threads.pinned": await perView(pinned), "threads.get": await perView(get), "/threads/[id] HTML": await perView(page) };
    // The HTML carries the thread (rendered on the server, handed to the client as initial data), so a view costs the
    // HTML's requests plus the sidebar's first threads.list page and its Pinned section (one HTTP batch);
    // threads.get runs again only when the thread goes stale.
    const pageView = dynamoPerCall["threads.list"] + dynamoPerCall["threads.pinned"] + dynamoPerCall["/threads/[id] HTML"];

    // The other servers warm up as the first did while its requests were counted above (modules loaded, code compiled).
    for (const warming of [...more, ...(other ? [other] : [])]) {
      for (let i = 0; i < 60; i++) {
        const user = users[i % users.length]!;
        await (await fetch(`${warming.baseUrl}${[list(), get(user, i), page(user, i)][i % 3]}`, { headers: { cookie: user.cookie } })).arrayBuffer();
      }
    }
    const rssBefore = server.rssMiB();
    const rows = [["list", "threads.list", list], ["get", "threads.get", get], ["page", "/threads/[id] page", page]] as const;
    if (WARM_S > 0) {
      for (const [, name, pathFor] of rows.filter(([key]) => ROWS.has(key))) {
        for (const target of targets) {
          log(`Warming ${name}${target.label} up with ${USERS} users for ${WARM_S} s (not measured)…`);
          await load(target.servers, users, name, pathFor, WARM_S);
        }
      }
    }
    const results = [];
    const rssAfterRounds: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [, name, pathFor] of rows.filter(([key]) => ROWS.has(key))) {
        for (const target of targets) {
          const label = `${name}${target.label}${ROUNDS > 1 ? ` (round ${round})` : ""}`;
          log(`Loading ${label} with ${USERS} users for ${DURATION_S} s…`);
          const result = await load(target.servers, users, label, pathFor);
          result.requestsPerCall = name === "threads.list" ? dynamoPerCall["threads.list"] : name === "threads.get" ? dynamoPerCall["threads.get"] : dynamoPerCall["/threads/[id] HTML"];
          results.push(result);
        }
      }
      rssAfterRounds.push(Math.round(server.rssMiB()));
      if (ROUNDS > 1) log(`  Next server RSS after round ${round}: ${rssAfterRounds.at(-1)} MiB`);
    }
    log("Page server time against getThread, one request at a time…");
    const client = createDynamoClient(dynamoSettings(stack.env));
    const data = new DynamoDBDataLayer({ tableName: stack.env.DYNAMODB_TABLE!, client });
    const pageTimes: PageVsGetThread[] = [];
    try {
      const [user] = users as [BenchUser];
      const long = await seedLongThread(data, { userId: user.identifier, steps: 2000, concurrency: 32 });
      pageTimes.push(await frameworkFloor(baseUrl, server.pid, user.cookie));
      pageTimes.push(await pageVsGetThread(baseUrl, server.pid, user.cookie, data, user.threadIds[0]!, 3));
      pageTimes.push(await pageVsGetThread(baseUrl, server.pid, user.cookie, data, long.threadId, 2000));
      // A reader's first view of the thread: the drawn (newest) turns' Markdown and JSON not yet rendered in this process.
      pageTimes.push(await pageVsGetThread(baseUrl, server.pid, user.cookie, data, long.threadId, 2000, { beforeView: (view) => changeNewestTurns(data, long, view) }));
    } finally {
      await data.close();
      client.destroy();
    }
    for (const row of pageTimes) log(`  ${row.steps === null ? "floor" : `${row.steps} steps`}: ${JSON.stringify(row)}`);
    return { users: USERS, durationSeconds: DURATION_S, warmSeconds: WARM_S, results, pageTimes, dynamoRequestsPerPageView: pageView, dynamoPerCall, serverRssMiB: { before: Math.round(rssBefore), after: Math.round(server.rssMiB()), afterRounds: rssAfterRounds } };
  } finally {
    await other?.stop();
    await Promise.all(more.map((extra) => extra.stop()));
    await server.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
