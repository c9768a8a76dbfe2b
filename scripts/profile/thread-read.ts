/**
 * `npx tsx scripts/profile/thread-read.ts [steps]`: where the server's time goes when a long thread opens, without a
 * browser or Next (bench/HISTORY.md, "Long threads: attributed"). Starts the embedded stack, seeds one thread of
 * `steps` steps (10,000 by default; scripts/seed-long-thread.ts), then, in a child process of its own (so dynalite's
 * work is not counted), reads it as the thread page does five times: `getThreadOutline` (the partition's Queries and
 * their decoding) and `latestWindow` (turns cut, the window's steps decoded, cursors sealed), printing the CPU and wall
 * time of each part and the DynamoDB requests. `PROFILE_CPU=dir` also writes the child's V8 CPU profile there.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createDynamoClient, dynamoSettings, DynamoDBDataLayer } from "../../src/data";
import { latestWindow } from "../../src/server/thread/thread-window";
import { countBenchRequests } from "../bench/counter";
import { seedLongThread } from "../seed-long-thread";
import { startStack } from "../stack";

const CHILD = "PROFILE_THREAD_READ_CHILD";

async function parent() {
  const steps = Number(process.argv[2] ?? 10_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-profile-read-"));
  const stack = await startStack({ ...process.env, THREADBOOK_DATA_DIR: dataDir, DYNAMODB_TABLE: "", S3_BUCKET: "", LOG_LEVEL: "warn" }, () => {});
  try {
    const client = createDynamoClient(dynamoSettings(stack.env));
    const data = new DynamoDBDataLayer({ tableName: stack.env.DYNAMODB_TABLE!, client });
    const userId = "profile-read@example.com";
    console.error(`Seeding a thread of ${steps.toLocaleString("en-US")} steps…`);
    const { threadId } = await seedLongThread(data, { userId, steps, concurrency: 32 });
    await data.close();
    client.destroy();
    const cpuProf = process.env.PROFILE_CPU ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROFILE_CPU}`] : [];
    const child = spawn(process.execPath, [...cpuProf, "--import", "tsx", fileURLToPath(import.meta.url)], { stdio: "inherit", env: { ...process.env, ...stack.env, [CHILD]: JSON.stringify({ threadId, userId }) } });
    await new Promise((resolve) => child.once("exit", resolve));
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function reader({ threadId, userId }: { threadId: string; userId: string }) {
  const client = createDynamoClient(dynamoSettings(process.env));
  const counter = countBenchRequests(client);
  const data = new DynamoDBDataLayer({ tableName: process.env.DYNAMODB_TABLE!, client });
  const timed = async <T>(work: () => Promise<T> | T) => {
    const [cpu, wall] = [process.cpuUsage(), performance.now()];
    const value = await work();
    const used = process.cpuUsage(cpu);
    return { value, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall };
  };
  for (let run = 0; run < 6; run++) {
    const before = counter.requests;
    // When the first page showed the THREAD item (a partition of more than one page): the thread page starts then.
    let firstPageMs: number | null = null;
    const started = performance.now();
    const outline = await timed(() => data.getThreadOutline(threadId, { onThreadBeforeRest: () => (firstPageMs = performance.now() - started) }));
    const readRequests = counter.requests - before;
    const window = await timed(() => latestWindow(data, userId, outline.value!));
    // The first read warms the process (module loading, JIT): not reported.
    if (run > 0)
      console.log(
        `read ${run}: getThreadOutline ${outline.cpuMs.toFixed(0)} ms CPU / ${outline.wallMs.toFixed(0)} ms wall (first page ${firstPageMs === null ? "-" : (firstPageMs as number).toFixed(0)} ms), ${readRequests} requests; ` +
          `latestWindow ${window.cpuMs.toFixed(0)} ms CPU / ${window.wallMs.toFixed(0)} ms wall, ${counter.requests - before - readRequests} requests; ` +
          `${outline.value!.steps.length} steps, ${window.value.steps.length} in the window`,
      );
  }
  await data.close();
  client.destroy();
}

const childArgs = process.env[CHILD];
(childArgs ? reader(JSON.parse(childArgs) as { threadId: string; userId: string }) : parent()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
