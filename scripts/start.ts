/**
 * `npm start` / `npm run dev`: the stack (embedded by default), a production build when the sources changed, then Next.
 * Ctrl-C stops Next and every local server. With THREADBOOK_STANDALONE_DIR (a copy of the standalone artifact, as the
 * e2e run makes) it runs that artifact's `node server.js` instead of the sources.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ConfigError, parseServerEnv } from "../src/server/env";
import { buildIfNeeded, serverArgs } from "./next-build";
import { loadDotEnv, startStack } from "./stack";

const dev = process.argv.includes("--dev");

/**
 * Whether the server child has not ended. `exitCode` alone stays null for a child killed by a signal: shutdown then
 * waited for an exit already past and `npm start` lived on with no server and its stack still up (seen when a
 * server was killed under an e2e run: every later test met a refused connection instead of a failed start).
 */
const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const standaloneDir = process.env.THREADBOOK_STANDALONE_DIR;

async function main() {
  loadDotEnv();
  const stack = await startStack(process.env);
  const port = process.env.PORT ?? "3000";
  const env: NodeJS.ProcessEnv = { ...process.env, ...stack.env, PORT: port, NEXT_TELEMETRY_DISABLED: "1", NODE_NO_WARNINGS: "1" };
  let next: ChildProcess | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (next && isRunning(next)) {
      const exited = new Promise((resolve) => next!.once("exit", resolve));
      next.kill("SIGTERM");
      // The server's own graceful shutdown ends within its grace period; this only catches one that hangs.
      const timer = setTimeout(() => next?.kill("SIGKILL"), (parseServerEnv(env).SHUTDOWN_GRACE_SECONDS + 5) * 1000);
      await exited;
      clearTimeout(timer);
    }
    await stack.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  try {
    if (!dev && !standaloneDir && process.env.THREADBOOK_SKIP_BUILD !== "1") await buildIfNeeded(env);
  } catch (error) {
    console.error(String((error as Error).message));
    await shutdown(1);
  }
  // Bound to 127.0.0.1 (HOST) but browsed as localhost: next-auth sets its cookie for localhost; measured on this toolchain.
  next = standaloneDir
    ? spawn(process.execPath, ["server.js"], { cwd: standaloneDir, stdio: ["ignore", "inherit", "inherit"], env })
    : spawn(process.execPath, serverArgs(dev), { stdio: ["ignore", "inherit", "inherit"], env });
  next.once("exit", (code, signal) => {
    // A server that died on a signal (the kernel's OOM killer's SIGKILL, a crash) is a failure, whatever stops it.
    if (!stopping && signal) console.error(`Threadbook's server ended on ${signal}; stopping.`);
    void shutdown(code ?? (signal ? 1 : 0));
  });
  console.log(`\nThreadbook is starting on http://localhost:${port}`);
  if (stack.embedded.dynamodb) {
    console.log(`Embedded data in ${path.resolve(process.env.THREADBOOK_DATA_DIR ?? ".data")} (DynamoDB via dynalite, ${stack.embedded.storage ? "storage emulated locally" : "your storage"}).`);
    console.log(`Demo sign-in: alice@example.com or bob@example.com, password ${env.DEMO_PASSWORD}\n`);
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  else console.error(`Threadbook could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
