/**
 * The paths people feel, through the tRPC procedures the pages call (no HTTP, so what is left is the server's own
 * work and its DynamoDB round trips): the sidebar's first page, opening a thread, a 👍/👎 click with and without the
 * page's thread pass, and sending a message up to its first token with a model that answers at once. Round trips
 * are the waits (requests sent side by side count once, scripts/bench/counter.ts); with `--latency 4` each costs about 4 ms.
 * Sending a message has a second row, up to the moment the model's request starts: the DynamoDB requests answered
 * and round trips over by then are what the model waited for (the goal: at most 1), where the first-token row also
 * counts the turn's writes and their search indexing, which go out beside the model request.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createS3Storage, DynamoDBDataLayer, utcNow } from "../../src/data";
import type { Assistant } from "../../src/server/assistant/assistant";
import { createSessionVersions } from "../../src/server/auth/session-versions";
import type { SessionUser } from "../../src/server/auth/session-user";
import { createInnerContext } from "../../src/server/context";
import { parseServerEnv } from "../../src/server/env";
import { createCaller } from "../../src/server/root";
import type { Services } from "../../src/server/services";
import { createThreadPasses } from "../../src/server/thread/thread-access";
import type { BenchCounter } from "./counter";
import { markdownTable, percentile } from "./stats";

export interface PathFigure {
  path: string;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  requestsPerCall: number;
  roundTripsPerCall: number;
}

const CALLS = 100;

/** Answers "Hello there." at once: Enter-to-first-token is then the server's part alone. */
function instantModel(onRequest: () => void): Assistant {
  return {
    name: "Bench",
    isDemo: true,
    async *stream() {
      // Where a real model's HTTP request would be sent (the generator's body runs on its first next()).
      onRequest();
      yield "Hello";
      yield " there.";
    },
  };
}

/** The clock and the counter when the model's request started, in the call being measured. */
interface Mark {
  at: number;
  answered: number;
  roundTripsOver: number;
}

export async function benchPaths(opts: { client: DynamoDBClient; tableName: string; counter: BenchCounter; latencyMs: number }): Promise<PathFigure[]> {
  const { counter } = opts;
  let modelRequest: Mark | null = null;
  const onModelRequest = () => (modelRequest = { at: performance.now(), answered: counter.answered, roundTripsOver: counter.roundTripsOver });
  const data = new DynamoDBDataLayer({ tableName: opts.tableName, client: opts.client, cursorSecret: randomUUID() });
  // No element is read or stored here; signing a link would need no request either.
  const storage = createS3Storage({ bucket: "bench", endpoint: "http://127.0.0.1:9", forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const services: Services = {
    // The paths are measured back to back for one user: far past a person's message budget.
    env: parseServerEnv({ DYNAMODB_TABLE: opts.tableName, CHAT_MESSAGES_PER_MINUTE: "100000" }),
    data,
    storage,
    storageUrlExpiresSeconds: 300,
    assistant: instantModel(onModelRequest),
    sessions: createSessionVersions((identifier) => data.getSessionVersion(identifier), { ttlMs: 30_000 }),
    threadPasses: createThreadPasses(randomUUID()),
  };
  const user: SessionUser = { id: `paths-${randomUUID()}@example.com`, identifier: "", name: null };
  user.identifier = user.id;
  const caller = createCaller(createInnerContext({ user, services }));

  console.error("Paths people feel…");
  // A user with 200 threads; one of them holds 10 turns (40 steps), as a thread someone comes back to.
  const threadIds: string[] = [];
  for (let i = 0; i < 200; i++) threadIds.push((await caller.threads.create()).id);
  const threadId = threadIds[0]!;
  for (let turn = 0; turn < 10; turn++) {
    for await (const _event of await caller.chat.send({ threadId, messageId: randomUUID(), content: `Question ${turn}: how did the regions do this quarter?` }));
  }
  const thread = await caller.threads.get({ threadId });
  const runs = thread.steps.filter((s) => s.type === "run");

  const figures: PathFigure[] = [];
  const round = (n: number) => Math.round(n * 100) / 100;
  const figure = (path: string, latencies: number[], requests: number, roundTrips: number): PathFigure => {
    latencies.sort((a, b) => a - b);
    return { path, calls: CALLS, p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), requestsPerCall: round(requests / CALLS), roundTripsPerCall: round(roundTrips / CALLS) };
  };
  /**
   * `fn` may return what is left to do after the moment measured; it runs untimed and uncounted. With `toModel`, a
   * second row from the same calls: up to the model request's start, with the requests answered and round trips over.
   */
  const measure = async (path: string, fn: (i: number) => Promise<unknown>, toModel?: string) => {
    const rest = async (result: unknown) => {
      if (typeof result === "function") await (result as () => Promise<void>)();
    };
    for (let i = 0; i < 20; i++) await rest(await fn(i)); // warm
    const latencies: number[] = [];
    const toModelLatencies: number[] = [];
    let [requests, roundTrips, answeredToModel, roundTripsToModel] = [0, 0, 0, 0];
    for (let i = 0; i < CALLS; i++) {
      const [r0, t0, a0, o0] = [counter.requests, counter.roundTrips, counter.answered, counter.roundTripsOver];
      modelRequest = null;
      const started = performance.now();
      const result = await fn(i);
      latencies.push(performance.now() - started);
      requests += counter.requests - r0;
      roundTrips += counter.roundTrips - t0;
      const mark = modelRequest as Mark | null;
      if (toModel && !mark) throw new Error(`${toModel}: the model was not asked`);
      if (mark) {
        toModelLatencies.push(mark.at - started);
        answeredToModel += mark.answered - a0;
        roundTripsToModel += mark.roundTripsOver - o0;
      }
      await rest(result);
    }
    if (toModel) figures.push(figure(toModel, toModelLatencies, answeredToModel, roundTripsToModel));
    figures.push(figure(path, latencies, requests, roundTrips));
  };

  await measure("sidebar, first page (threads.list, 200 threads)", () => caller.threads.list({ first: 20 }));
  // The sidebar's Pinned section comes in the same HTTP batch as its first page: its requests run beside the Query.
  await measure("sidebar, Pinned section (threads.pinned, no pins)", () => caller.threads.pinned());
  for (const pinned of threadIds.slice(1, 4)) await caller.threads.pin({ threadId: pinned });
  await measure("sidebar, Pinned section (threads.pinned, 3 pins)", () => caller.threads.pinned());
  await measure("open a thread (threads.get, 40 steps)", () => caller.threads.get({ threadId }));
  await measure("👍/👎 click with the page's pass (feedback.upsert)", (i) =>
    caller.feedback.upsert({ threadId, pass: thread.pass, forId: runs[i % runs.length]!.id, value: (i % 2) as 0 | 1 }),
  );
  await measure("👍/👎 click without a pass (feedback.upsert)", (i) => caller.feedback.upsert({ threadId, forId: runs[i % runs.length]!.id, value: (i % 2) as 0 | 1 }));
  // Enter to first token, each in another of the user's threads (a fresh turn, as a reader sending the next message).
  await measure(
    "send a message: Enter to first token (chat.send, instant model; incl. the writes beside the model request)",
    async (i) => {
      const stream = await caller.chat.send({ threadId: threadIds[1 + (i % 199)]!, messageId: randomUUID(), content: `Next message ${i} at ${utcNow()}` });
      const iterator = stream[Symbol.asyncIterator]();
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) if (next.value.type === "token") break;
      // The rest of the turn (the reply's last writes) comes after the first token.
      return async () => {
        for (let next = await iterator.next(); !next.done; next = await iterator.next());
      };
    },
    "send a message: Enter to the model request (what it waited for; goal: 1 round trip)",
  );
  await data.close();
  return figures;
}

export function formatPaths(figures: PathFigure[]): string {
  return [
    "Paths people feel (tRPC procedures in-process, one signed-in user, sequential):",
    markdownTable(
      ["path", "calls", "p50 ms", "p95 ms", "DynamoDB requests", "round trips"],
      figures.map((f) => [f.path, String(f.calls), f.p50Ms.toFixed(2), f.p95Ms.toFixed(2), f.requestsPerCall.toFixed(2), f.roundTripsPerCall.toFixed(2)]),
    ),
  ].join("\n");
}
