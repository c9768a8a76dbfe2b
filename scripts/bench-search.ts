/**
 * Full-text search, measured (docs/search.md; bench/README.md, "Full-text search"): one user, 2,000 threads of 20
 * messages (40,000), generated text with a fixed seed, written through the layer as Threadbook writes a turn (the
 * step and its index side by side). Reports the index build (time, DynamoDB requests and posting writes per
 * message) and query latency p50/p95 with requests per query for 1-word, 2-word and prefix queries, first pages
 * (with the catch-up check) and next pages (with a cursor). Its own in-memory dynalite, so other phases do not
 * weigh on it. `npm run bench` runs it; `npm run bench:search` runs it alone.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDataLayer, ensureTable, getLogger } from "../src/data";
import { formatTable, summarize, timeCalls, type PhaseResult } from "./bench-stats";
import { startBenchDynamo } from "./bench-dynamo-server";
import { LOCAL_AWS_CREDENTIALS } from "./local-services";

/** The workload; `SEARCH_BENCH_THREADS` scales it down on a machine too busy to write 40,000 messages. */
const THREADS = Number(process.env.SEARCH_BENCH_THREADS ?? 2_000);
const MESSAGES_PER_THREAD = 20;
const USER = "searcher@example.com";
const QUERIES_PER_KIND = 200;

/** mulberry32: a small seeded PRNG, so every run writes the same text. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = `the of and to a in is it you that for was on are with as i his they be at one have this from or had by not word but what
some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would
like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call
first who may down side been now find any new work part take get place made live where after back little only round man year came show every
good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy
old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such`.split(/\s+/);
const TECH = `database query index table partition cluster deploy container kubernetes ingress certificate renewal token session cookie
cache latency throughput request response endpoint gateway lambda function handler retry backoff timeout error exception stack trace log
metric dashboard alert budget invoice revenue forecast quarter region report spreadsheet csv json yaml schema migration rollback release
branch merge commit review test flaky playwright browser render component hook state reducer effect memo router link prefetch bundle
python typescript rust lifetime borrow compiler generic trait async await promise stream buffer encoding unicode segmenter tokenizer search
snippet highlight presigned upload download bucket object blob storage azure s3 dynamodb postgres replica shard vacuum analyze explain plan`.split(/\s+/);
const SYLLABLES = "ka lo mi zu re ta vin dor pel sa qui nox bra fen tul ori ast mel gor hap".split(" ");

/** ~1,500 invented names (projects, people, places): the long tail of words that occur in few threads. */
function rareWords(random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < 1_500) words.add(Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(""));
  return [...words];
}

/** Zipf-like pick: index ~ n·u², so the first words of a list are far more frequent than the last. */
const zipf = (random: () => number, list: readonly string[]) => list[Math.floor(list.length * random() ** 2)]!;

function generator(seed: number) {
  const random = prng(seed);
  const rare = rareWords(random);
  const word = () => {
    const r = random();
    return r < 0.62 ? zipf(random, COMMON) : r < 0.93 ? zipf(random, TECH) : zipf(random, rare);
  };
  const sentence = () => {
    const words = Array.from({ length: 6 + Math.floor(random() * 14) }, word);
    words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
    return `${words.join(" ")}.`;
  };
  const message = (assistant: boolean) => {
    const sentences = Array.from({ length: assistant ? 3 + Math.floor(random() * 6) : 1 + Math.floor(random() * 2) }, sentence);
    if (assistant && random() < 0.2) sentences.push(`\n\`\`\`ts\nconst ${word()}Result = await ${word()}_${word()}(${word()});\n\`\`\``);
    return sentences.join(" ");
  };
  return { message, word: () => zipf(random, TECH), rare: () => zipf(random, rare), random };
}

export interface SearchBenchResult {
  threads: number;
  messages: number;
  buildSeconds: number;
  requestsPerMessage: number;
  postingWritesPerMessage: number;
  postingItems: number;
  queries: PhaseResult[];
}

export async function runSearchBench(log: (line: string) => void = console.error): Promise<SearchBenchResult> {
  getLogger("DynamoDB").level = "warn";
  const dynamo = await startBenchDynamo(0);
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS });
  const ops = new Map<string, number>();
  let requests = 0;
  let postingWrites = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests++;
      const name = String(context.commandName);
      ops.set(name, (ops.get(name) ?? 0) + 1);
      if (name === "BatchWriteItemCommand") {
        const items = Object.values((args.input as { RequestItems: Record<string, unknown[]> }).RequestItems)[0] ?? [];
        postingWrites += items.length;
      }
      return next(args);
    },
    { step: "initialize", name: "searchBenchCounter" },
  );
  const tableName = "threadbook-search-bench";
  await ensureTable(client, tableName);
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const layer = new DynamoDBDataLayer({ tableName, client, clock: () => new Date((clock += 7)) });
  const text = generator(20261130);
  const owner = { owner: USER };

  log(`Search: writing ${THREADS} threads × ${MESSAGES_PER_THREAD} messages…`);
  const threadIds = Array.from({ length: THREADS }, () => randomUUID());
  const plan = threadIds.flatMap((threadId) => Array.from({ length: MESSAGES_PER_THREAD }, (_, i) => ({ threadId, i, output: text.message(i % 2 === 1) })));
  const started = performance.now();
  for (const threadId of threadIds) await layer.createThread(threadId, USER);
  const before = requests;
  postingWrites = 0;
  let done = 0;
  await timeCalls(plan.length, 16, async (n) => {
    const { threadId, i, output } = plan[n]!;
    await layer.createStep({ id: randomUUID(), threadId, type: i % 2 === 1 ? "assistant_message" : "user_message", output }, owner);
    if (++done % 5_000 === 0) log(`  ${done} messages indexed…`);
  });
  const buildSeconds = (performance.now() - started) / 1000;
  const requestsPerMessage = (requests - before) / plan.length;
  const postingWritesPerMessage = postingWrites / plan.length;
  log(`  built in ${buildSeconds.toFixed(1)} s: ${requestsPerMessage.toFixed(2)} requests and ${postingWritesPerMessage.toFixed(1)} posting writes per message`);

  // Queries: words that exist, drawn with the same seed.
  const common = () => text.word();
  const kinds: Array<[string, () => string]> = [
    ["1 word (frequent)", common],
    ["1 word (rare)", () => text.rare()],
    ["2 words", () => `${common()} ${common()}`],
    ["prefix (3 letters)", () => common().slice(0, 3)],
  ];
  const queries: PhaseResult[] = [];
  await layer.searchThreads({ userId: USER, query: "warm", first: 20 }); // builds the catch-up watermark
  for (const [name, make] of kinds) {
    const inputs = Array.from({ length: QUERIES_PER_KIND }, make);
    for (const paged of [false, true]) {
      // Next pages: the queries that have one, resumed from their first page's cursor.
      const runs: Array<{ query: string; cursor?: string }> = [];
      for (const query of inputs) {
        if (!paged) runs.push({ query });
        else {
          const cursor = (await layer.searchThreads({ userId: USER, query, first: 20 })).pageInfo.endCursor;
          if (cursor) runs.push({ query, cursor });
        }
      }
      const start = requests;
      let hits = 0;
      const { latencies, wallMs } = await timeCalls(runs.length, 1, async (i) => {
        hits += (await layer.searchThreads({ userId: USER, query: runs[i]!.query, first: 20, cursor: runs[i]!.cursor })).data.length;
      });
      const counted = runs.length;
      const result = summarize(`search ${name}, ${paged ? "next page" : "first page"}`, latencies, wallMs, 0);
      queries.push({ ...result, requestsPerCall: Math.round(((requests - start) / Math.max(1, counted)) * 100) / 100 });
      log(`  ${result.phase}: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${(requests - start) / Math.max(1, counted)} req/query, ${(hits / Math.max(1, counted)).toFixed(1)} hits/page`);
    }
  }
  const postingItems = Math.round(postingWritesPerMessage * plan.length);
  await layer.close();
  client.destroy();
  await dynamo.stop();
  return { threads: THREADS, messages: plan.length, buildSeconds: Math.round(buildSeconds * 10) / 10, requestsPerMessage: Math.round(requestsPerMessage * 100) / 100, postingWritesPerMessage: Math.round(postingWritesPerMessage * 10) / 10, postingItems, queries };
}

export function formatSearchBench(result: SearchBenchResult): string {
  return [
    `Full-text search: ${result.threads} threads, ${result.messages} messages of one user.`,
    `Index build: ${result.buildSeconds} s (16 writes in flight), ${result.requestsPerMessage} requests and ${result.postingWritesPerMessage} posting writes per message (about ${result.postingItems} postings).`,
    formatTable(result.queries),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runSearchBench()
    .then((result) => console.log(formatSearchBench(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
