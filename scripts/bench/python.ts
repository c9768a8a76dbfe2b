/**
 * `npm run bench -- --python`: the Python side of the side-by-side run. bench/python/bench_phases.py (boto3, the
 * request pattern of Chainlit's DynamoDB layer re-created: bench/python/chainlit_requests.py) runs as a child process
 * against the bench's own dynalite; bench.ts asks it for each phase right after running its own, so the two layers
 * alternate phase by phase in one session, on one emulator, under the same load.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import { markdownTable, type PhaseResult } from "./stats";

/** The phases the Python side knows (the operations Chainlit's layer has), by the TypeScript bench's names. */
export const PYTHON_PHASES = new Set([
  "createUser",
  "createUser (returning user)",
  "getUser",
  "updateThread (create)",
  "listThreads first page",
  "listThreads traversal (1,000 threads, first=20)",
  "createStep sequential",
  "createStep 32 concurrent",
  "upsertFeedback",
  "updateStep",
  "getThreadAuthor",
  "getThread (2,000 steps)",
  "deleteThread (2,000 steps)",
]);

export interface PythonBench {
  run(phase: string): Promise<PhaseResult>;
  stop(): Promise<void>;
}

const SCRIPT = path.resolve("bench/python/bench_phases.py");

/** Fails early, with what to install, when python3 or boto3 is missing. */
export function checkPython(): void {
  const probe = spawnSync("python3", ["-c", "import boto3; print(boto3.__version__)"], { encoding: "utf8" });
  if (probe.status !== 0) throw new Error("--python needs python3 with boto3 (pip install boto3, or Debian's python3-boto3)");
}

export function startPythonBench(endpoint: string, tableName: string): PythonBench {
  const child: ChildProcessWithoutNullStreams = spawn("python3", [SCRIPT, endpoint, tableName], { cwd: path.dirname(SCRIPT) });
  child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    async run(phase) {
      child.stdin.write(`${JSON.stringify({ phase })}\n`);
      const line = await lines.next();
      if (line.done) throw new Error(`the Python bench exited during ${phase}`);
      return JSON.parse(line.value) as PhaseResult;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");

/**
 * One row per operation both sides ran: p50 and ops/s with TS ÷ Python for each (p50 below 1× and ops/s above 1×
 * mean TypeScript is faster), requests per call and client CPU per request of each side.
 */
export function formatSideBySide(ts: PhaseResult[], py: PhaseResult[]): string {
  const header = ["operation", "p50 ms TS / Py", "p50 TS÷Py", "ops/s TS / Py", "ops/s TS÷Py", "req/op TS / Py", "client CPU ms/req TS / Py"];
  const body = py.map((p) => {
    const t = ts.find((r) => r.phase === p.phase)!;
    return [
      p.phase,
      `${t.p50Ms.toFixed(2)} / ${p.p50Ms.toFixed(2)}`,
      ratio(t.p50Ms, p.p50Ms),
      `${t.opsPerSec} / ${p.opsPerSec}`,
      ratio(t.opsPerSec, p.opsPerSec),
      `${t.requestsPerCall.toFixed(2)} / ${p.requestsPerCall.toFixed(2)}`,
      `${(t.clientCpuMsPerRequest ?? 0).toFixed(3)} / ${(p.clientCpuMsPerRequest ?? 0).toFixed(3)}`,
    ];
  });
  return markdownTable(header, body);
}
