/**
 * `npm run soak` (opt-in, not part of `npm test`): 1,000 chat turns and 10,000 feedback toggles from concurrent signed-in
 * clients against `next start` on the embedded default. Afterwards every write must read back and the counts match,
 * and the server's resident memory must have stayed flat (within 20%) across the soak.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBDataLayer } from "../src/data";
import { hashPassword } from "../src/server/auth/password";
import { createDynamoClient, dynamoSettings } from "../src/data";
import { startAppServer } from "./app-server";
import { signIn, trpcClient } from "./http-session";
import { startStack } from "./stack";

const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 8);
const TURNS = Number(process.env.SOAK_TURNS ?? 1000);
const TOGGLES = Number(process.env.SOAK_TOGGLES ?? 10_000);
const THREADS_PER_CLIENT = 5;
const PASSWORD = "soak-password-1";

type Client = ReturnType<typeof trpcClient>;
interface SoakClient {
  identifier: string;
  api: Client;
  threads: string[];
  turnsPerThread: Map<string, number>;
  runSteps: { threadId: string; stepId: string }[];
  /** The feedback each run step should end with (this client alone toggles its steps, so the last write wins). */
  expected: Map<string, 0 | 1 | null>;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-soak-"));
  const stack = await startStack({ ...process.env, THREADBOOK_DATA_DIR: dataDir, DYNAMODB_TABLE: "", S3_BUCKET: "", OPENAI_BASE_URL: "", LOG_LEVEL: "warn" }, () => {});
  const server = await startAppServer(stack.env, {
    DEMO_ASSISTANT_DELAY_MS: "0",
    OPENAI_BASE_URL: "",
    // The soak's clients send as fast as the server answers: far past a person's message budget.
    CHAT_MESSAGES_PER_MINUTE: "100000",
    // Uncapped, V8 sizes its heap lazily towards ~4 GB on this machine, so RSS would measure the collector's laziness
    // (it grows while nothing is retained). A container-like cap makes RSS follow the live set, and turns a leak into
    // an out-of-memory crash rather than mere growth. SOAK_SERVER_NODE_OPTIONS="" runs uncapped.
    NODE_OPTIONS: process.env.SOAK_SERVER_NODE_OPTIONS ?? "--max-old-space-size=192",
  });
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(server.rssMiB()), 500);
  let failed = false;
  try {
    const client = createDynamoClient(dynamoSettings(stack.env));
    const data = new DynamoDBDataLayer({ tableName: stack.env.DYNAMODB_TABLE!, client });
    const hash = await hashPassword(PASSWORD);
    const clients: SoakClient[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      const identifier = `soak-${c}@example.com`;
      await data.createUser({ identifier });
      await data.setUserPassword(identifier, hash);
      const cookie = await signIn(server.baseUrl, identifier, PASSWORD);
      const api = trpcClient(server.baseUrl, cookie);
      // The server names new threads (threads.create); chat.send only continues existing ones.
      const threads = await Promise.all(Array.from({ length: THREADS_PER_CLIENT }, async () => (await api.threads.create.mutate()).id));
      clients.push({ identifier, api, threads, turnsPerThread: new Map(), runSteps: [], expected: new Map() });
    }

    const turn = async (soaker: SoakClient, i: number) => {
      const threadId = soaker.threads[i % soaker.threads.length]!;
      const stream = await soaker.api.chat.send.mutate({ threadId, messageId: randomUUID(), content: `Soak message ${i} from ${soaker.identifier}` });
      let done = false;
      for await (const event of stream) {
        if (event.type === "start") soaker.runSteps.push({ threadId, stepId: event.runStepId });
        if (event.type === "error") throw new Error(`turn ${i} failed: ${event.message}`);
        if (event.type === "done") done = true;
      }
      if (!done) throw new Error(`turn ${i} ended without a reply`);
      soaker.turnsPerThread.set(threadId, (soaker.turnsPerThread.get(threadId) ?? 0) + 1);
    };

    const started = performance.now();
    console.error(`${TURNS} chat turns from ${CLIENTS} clients…`);
    await pool(clients, CLIENTS, async (soaker, c) => {
      for (let i = c; i < TURNS; i += CLIENTS) await turn(soaker, i);
    });
    const turnsSeconds = (performance.now() - started) / 1000;
    const rssAfterWarmup = rss[Math.min(rss.length - 1, 4)] ?? server.rssMiB();

    console.error(`${TOGGLES} feedback toggles…`);
    const toggleStart = performance.now();
    await pool(clients, CLIENTS, async (soaker, c) => {
      for (let i = c; i < TOGGLES; i += CLIENTS) {
        const { threadId, stepId } = soaker.runSteps[(i * 7919) % soaker.runSteps.length]!;
        const current = soaker.expected.get(stepId) ?? null;
        // Thumbs up, thumbs down, or clicking the active thumb again to clear it.
        const choice = (i * 31) % 3;
        if (current !== null && choice === 2) {
          await soaker.api.feedback.delete.mutate({ threadId, feedbackId: `THREAD#${threadId}::STEP#${stepId}` });
          soaker.expected.set(stepId, null);
        } else {
          const value = (choice === 2 ? 1 - (current ?? 0) : choice) as 0 | 1;
          await soaker.api.feedback.upsert.mutate({ threadId, forId: stepId, value, comment: i % 5 === 0 ? `toggle ${i}` : undefined });
          soaker.expected.set(stepId, value);
        }
      }
    });
    const togglesSeconds = (performance.now() - toggleStart) / 1000;

    console.error("Checking every write…");
    const problems: string[] = [];
    let turnsFound = 0;
    for (const soaker of clients) {
      const withValue = { 0: new Set<string>(), 1: new Set<string>() };
      for (const threadId of soaker.threads) {
        const thread = await soaker.api.threads.get.query({ threadId });
        const users = thread.steps.filter((s) => s.type === "user_message");
        const replies = thread.steps.filter((s) => s.type === "assistant_message" && !s.isError && s.output);
        const expectedTurns = soaker.turnsPerThread.get(threadId) ?? 0;
        turnsFound += users.length;
        if (users.length !== expectedTurns || replies.length !== expectedTurns) problems.push(`${threadId}: ${users.length} messages and ${replies.length} replies, expected ${expectedTurns}`);
        for (const step of thread.steps.filter((s) => s.type === "run")) {
          const want = soaker.expected.get(step.id) ?? null;
          const got = step.feedback?.value ?? null;
          if (want !== got) problems.push(`${threadId}/${step.id}: feedback ${got}, expected ${want}`);
          if (got !== null) withValue[got].add(threadId);
        }
      }
      for (const value of [0, 1] as const) {
        const listed = new Set((await soaker.api.threads.list.query({ first: 100, feedback: value })).data.map((t) => t.id));
        if (listed.size !== withValue[value].size || [...withValue[value]].some((id) => !listed.has(id))) {
          problems.push(`${soaker.identifier}: the ${value ? "👍" : "👎"} filter lists ${listed.size} threads, expected ${withValue[value].size}`);
        }
      }
    }
    clearInterval(sampler);
    const peakLate = Math.max(...rss.slice(Math.floor(rss.length * 0.9)));
    const growth = (peakLate - rssAfterWarmup) / rssAfterWarmup;
    console.log(`Chat turns: ${TURNS} in ${turnsSeconds.toFixed(1)} s (${(TURNS / turnsSeconds).toFixed(0)}/s); stored and read back: ${turnsFound}.`);
    console.log(`Feedback toggles: ${TOGGLES} in ${togglesSeconds.toFixed(1)} s (${(TOGGLES / togglesSeconds).toFixed(0)}/s).`);
    const trace = Array.from({ length: 12 }, (_, k) => rss[Math.floor((k * (rss.length - 1)) / 11)]!.toFixed(0)).join(" → ");
    console.log(`Server RSS over the soak (MiB): ${trace}`);
    console.log(`Server RSS: ${rssAfterWarmup.toFixed(0)} MiB after warm-up, ${peakLate.toFixed(0)} MiB at the end (${(growth * 100).toFixed(1)}%), max ${Math.max(...rss).toFixed(0)} MiB.`);
    if (turnsFound !== TURNS) problems.push(`${turnsFound} turns stored, expected ${TURNS}`);
    if (growth > 0.2) problems.push(`resident memory grew ${(growth * 100).toFixed(1)}% (limit 20%)`);
    if (problems.length > 0) {
      failed = true;
      console.log(`FAILED: ${problems.length} problems\n${problems.slice(0, 20).join("\n")}`);
    } else console.log("OK: every write read back, the counts match, memory stayed flat.");
    await data.close();
    client.destroy();
  } finally {
    clearInterval(sampler);
    await server.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
