/**
 * `npm start` / `npm run dev`: the stack (embedded by default), a production build when the sources changed, then Next.
 * Ctrl-C stops Next and every local server.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../src/server/env";
import { loadDotEnv, startStack } from "./stack";

const dev = process.argv.includes("--dev");
const NEXT_BIN = path.resolve("node_modules/next/dist/bin/next");

function newestSourceTime(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  dirs.forEach(walk);
  for (const file of ["next.config.mjs", "package.json", "tsconfig.json"]) if (existsSync(file)) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

/** Builds when there is no build yet or a source file is newer than it. */
function buildIfNeeded(env: NodeJS.ProcessEnv) {
  const buildId = ".next/BUILD_ID";
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceTime(["src", "public"])) return;
  console.log("Building Threadbook (next build)…");
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}

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
    if (next && next.exitCode === null) {
      const exited = new Promise((resolve) => next!.once("exit", resolve));
      next.kill("SIGTERM");
      const timer = setTimeout(() => next?.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await stack.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  try {
    if (!dev && process.env.THREADBOOK_SKIP_BUILD !== "1") buildIfNeeded(env);
  } catch (error) {
    console.error(String((error as Error).message));
    await shutdown(1);
  }
  // Bound to 127.0.0.1 but browsed as localhost: next-auth sets its cookie for localhost (toolchain probe, gotcha 1).
  next = spawn(process.execPath, [NEXT_BIN, dev ? "dev" : "start", "-H", process.env.HOST ?? "127.0.0.1", "-p", port], { stdio: ["ignore", "inherit", "inherit"], env });
  next.once("exit", (code) => void shutdown(code ?? 0));
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
