/**
 * Full-text search, measured (docs/search.md; bench/HISTORY.md, "Full-text search"): one user, 2,000 threads of 20
 * messages (40,000), generated text with a fixed seed, written through the layer as Threadbook writes a turn (the
 * step and its index side by side). Reports the index build (time, DynamoDB requests and posting writes per
 * message) and query latency p50/p95 with requests per query for 1-word, 2-word and prefix queries, first pages
 * (with the catch-up check) and next pages (with a cursor). Its own dynalite, so other phases do not weigh on it.
 * `npm run bench` runs it; `npm run bench:search` runs it alone.
 *
 * The build is the slow part (40,000 messages, ≈ 1.5 million postings), so `SEARCH_BENCH_DATA_DIR` keeps the
 * dataset on disk: the first run builds it there, a later run with the same size finds it and runs the queries only.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDataLayer, ensureTable, getLogger } from "../../src/data";
import { formatTable, summarize, timeCalls, type PhaseResult } from "./stats";
import { startBenchDynamo } from "./dynamo-server";
import { LOCAL_AWS_CREDENTIALS } from "../local-services";

/** The issue's workload; `SEARCH_BENCH_THREADS` scales it down on a machine too busy to write 40,000 messages. */
const THREADS = Number(process.env.SEARCH_BENCH_THREADS ?? 2_000);
const MESSAGES_PER_THREAD = 20;
const USER = "searcher@example.com";
/** Queries timed per kind and page; `SEARCH_BENCH_QUERIES` shortens a run on a busy machine. */
const QUERIES_PER_KIND = Number(process.env.SEARCH_BENCH_QUERIES ?? 200);
const SEED = 20261130;
/** Messages written at once, each to a different thread (a thread's own messages go one after another, as a chat's do). */
const IN_FLIGHT = Number(process.env.SEARCH_BENCH_IN_FLIGHT ?? 32);
/** Where the dataset persists between runs (unset: in memory, built every run). */
const DATA_DIR = process.env.SEARCH_BENCH_DATA_DIR ? resolve(process.env.SEARCH_BENCH_DATA_DIR) : undefined;

/** What a finished build leaves beside its data: the run that reuses it checks the size and reports these. */
interface BuildRecord {
  threads: number;
  messagesPerThread: number;
  seed: number;
  inFlight: number;
  buildSeconds: number;
  requestsPerMessage: number;
  requestsByOperation: Record<string, number>;
  postingWritesPerMessage: number;
  loadAverageAtEnd: string;
  builtAt: string;
}

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
  /** The build was read back from SEARCH_BENCH_DATA_DIR, not made by this run. */
  reused: boolean;
  inFlight: number;
  requestsByOperation: Record<string, number>;
  buildSeconds: number;
  requestsPerMessage: number;
  postingWritesPerMessage: number;
  postingItems: number;
  queries: PhaseResult[];
}

const loadAverage = () => loadavg().map((n) => n.toFixed(2)).join(", ");

/** The dataset's directory and its record when a finished build of this size is there; a half-built one is wiped. */
function persistedBuild(): { dynaliteDir?: string; record?: BuildRecord; recordFile?: string } {
  if (!DATA_DIR) return {};
  const recordFile = join(DATA_DIR, "search-bench.json");
  const dynaliteDir = join(DATA_DIR, "dynalite");
  if (existsSync(recordFile)) {
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as BuildRecord;
    if (record.threads === THREADS && record.messagesPerThread === MESSAGES_PER_THREAD && record.seed === SEED) return { dynaliteDir, record, recordFile };
    throw new Error(`${DATA_DIR} holds a dataset of ${record.threads} threads; set SEARCH_BENCH_THREADS=${record.threads} or use another directory`);
  }
  rmSync(DATA_DIR, { recursive: true, force: true }); // an interrupted build: start over
  mkdirSync(dynaliteDir, { recursive: true });
  return { dynaliteDir, recordFile };
}

/** `buildOnly`: stop once the dataset is built (to build it ahead of the runs that query it). */
export async function runSearchBench(log: (line: string) => void = console.error, { buildOnly = false } = {}): Promise<SearchBenchResult> {
  getLogger("DynamoDB").level = "warn";
  const persisted = persistedBuild();
  const dynamo = await startBenchDynamo(0, persisted.dynaliteDir);
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
  const text = generator(SEED);
  const owner = { owner: USER };

  // The text is drawn even when the build is reused: the query words come from the same seeded stream after it.
  const threadIds = Array.from({ length: THREADS }, () => randomUUID());
  const texts = threadIds.map(() => Array.from({ length: MESSAGES_PER_THREAD }, (_, i) => text.message(i % 2 === 1)));
  const messages = THREADS * MESSAGES_PER_THREAD;
  let build: BuildRecord;
  if (persisted.record) {
    build = persisted.record;
    log(`Search: reusing the dataset in ${DATA_DIR} (built ${build.builtAt} in ${build.buildSeconds} s)`);
  } else {
    log(`Search: writing ${THREADS} threads × ${MESSAGES_PER_THREAD} messages, ${IN_FLIGHT} in flight${DATA_DIR ? ` into ${DATA_DIR}` : ""}…`);
    const started = performance.now();
    for (const threadId of threadIds) await layer.createThread(threadId, USER);
    const before = requests;
    ops.clear();
    postingWrites = 0;
    let done = 0;
    // Each worker writes whole threads, message after message, as one chat does; IN_FLIGHT chats at once.
    let nextThread = 0;
    await timeCalls(IN_FLIGHT, IN_FLIGHT, async () => {
      while (nextThread < THREADS) {
        const t = nextThread++;
        for (const [i, output] of texts[t]!.entries()) {
          await layer.createStep({ id: randomUUID(), threadId: threadIds[t]!, type: i % 2 === 1 ? "assistant_message" : "user_message", output }, owner);
          if (++done % 2_000 === 0) log(`  ${done} messages indexed, ${((performance.now() - started) / 1000).toFixed(0)} s, load ${loadAverage()}`);
        }
      }
    });
    build = {
      threads: THREADS,
      messagesPerThread: MESSAGES_PER_THREAD,
      seed: SEED,
      inFlight: IN_FLIGHT,
      buildSeconds: Math.round((performance.now() - started) / 100) / 10,
      requestsPerMessage: Math.round(((requests - before) / messages) * 1000) / 1000,
      requestsByOperation: Object.fromEntries([...ops].map(([name, n]) => [name.replace(/Command$/, ""), n])),
      postingWritesPerMessage: Math.round((postingWrites / messages) * 10) / 10,
      loadAverageAtEnd: loadAverage(),
      builtAt: new Date().toISOString(),
    };
    if (persisted.recordFile) writeFileSync(persisted.recordFile, `${JSON.stringify(build, null, 2)}\n`);
  }
  log(`  build: ${build.buildSeconds} s, ${build.requestsPerMessage} requests (${JSON.stringify(build.requestsByOperation)}) and ${build.postingWritesPerMessage} posting writes per message`);

  const queries: PhaseResult[] = [];
  if (!buildOnly) await runQueries();
  await layer.close();
  client.destroy();
  await dynamo.stop();
  return {
    threads: THREADS,
    messages,
    reused: Boolean(persisted.record),
    inFlight: build.inFlight,
    requestsByOperation: build.requestsByOperation,
    buildSeconds: build.buildSeconds,
    requestsPerMessage: build.requestsPerMessage,
    postingWritesPerMessage: build.postingWritesPerMessage,
    postingItems: Math.round(build.postingWritesPerMessage * messages),
    queries,
  };

  function adjacentPair(): string {
    const words = text.message(true).replace(/[^a-z ]/gi, " ").split(/\s+/).filter((w) => w.length > 2);
    const at = Math.floor(text.random() * Math.max(1, words.length - 1));
    return `${words[at] ?? "cache"} ${words[at + 1] ?? "latency"}`;
  }
  function swapped(word: string): string {
    const at = Math.max(1, Math.floor(word.length / 2) - 1);
    return word.length < 4 ? word : word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  }

  async function runQueries() {
    // Queries: words that exist, drawn with the same seed.
    const common = () => text.word();
    const kinds: Array<[string, () => string]> = [
      ["1 word (frequent)", common],
      ["1 word (rare)", () => text.rare()],
      ["2 words", () => `${common()} ${common()}`],
      ["prefix (3 letters)", () => common().slice(0, 3)],
      // Two words that are adjacent in a generated message, quoted (docs/search.md, "Phrases").
      ["phrase (2 adjacent words, quoted)", () => `"${adjacentPair()}"`],
      // A rare word with two middle letters swapped: no hit, a correction read from the user's words ("A typo").
      ["typo (rare word, 2 letters swapped)", () => swapped(text.rare())],
    ];
    await layer.searchThreads({ userId: USER, query: "warm", first: 20 }); // builds the catch-up watermark
    const pageKinds = [
      { page: "first page", paged: false, cold: false },
      { page: "next page", paged: true, cold: false },
      // A process that has no window for the user (docs/search.md, "Opening the search"): the page reads the index.
      { page: "first page, no window", paged: false, cold: true },
    ];
    for (const [name, make] of kinds) {
      const inputs = Array.from({ length: QUERIES_PER_KIND }, make);
      for (const { page, paged, cold } of pageKinds) {
        if (cold && !name.startsWith("2 words")) continue;
        // As the UI does: the search box's focus prepares the search (not timed), then the pages are typed.
        await layer.prepareSearch(USER);
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
        let suggested = 0;
        const { latencies, wallMs } = await timeCalls(runs.length, 1, async (i) => {
          if (cold) layer.context.searchWindows.forgetUser(USER);
          const answer = await layer.searchThreads({ userId: USER, query: runs[i]!.query, first: 20, cursor: runs[i]!.cursor });
          hits += answer.data.length;
          if (answer.suggestion) suggested++;
        });
        const counted = runs.length;
        const result = summarize(`search ${name}, ${page}`, latencies, wallMs, 0);
        queries.push({ ...result, requestsPerCall: Math.round(((requests - start) / Math.max(1, counted)) * 100) / 100 });
        log(`  ${result.phase}: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${(requests - start) / Math.max(1, counted)} req/query, ${(hits / Math.max(1, counted)).toFixed(1)} hits/page, ${suggested} suggestions, load ${loadAverage()}`);
      }
    }
  }
}

export function formatSearchBench(result: SearchBenchResult): string {
  return [
    `Full-text search: ${result.threads} threads, ${result.messages} messages of one user.`,
    `Index build${result.reused ? " (reused from SEARCH_BENCH_DATA_DIR)" : ""}: ${result.buildSeconds} s (${result.inFlight} threads written at once), ${result.requestsPerMessage} requests (${JSON.stringify(result.requestsByOperation)}) and ${result.postingWritesPerMessage} posting writes per message (about ${result.postingItems} postings).`,
    formatTable(result.queries),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runSearchBench(console.error, { buildOnly: process.argv.includes("--build-only") })
    .then((result) => console.log(formatSearchBench(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
