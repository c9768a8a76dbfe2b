/**
 * Production builds: `npm run build` and the e2e run always, `npm start` and the HTTP benchmark only when a source is
 * newer than the build. Each is `next build` plus the standalone artifact (scripts/standalone.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { addCompileHints } from "./compile-hints";
import { assembleStandalone } from "./standalone";

export const NEXT_BIN = path.resolve("node_modules/next/dist/bin/next");

/**
 * Node arguments that run Threadbook's own HTTP server (src/server/http/server.ts: Next behind a socket-aware
 * entry that sets the client address), in place of `next start` / `next dev`.
 */
export const serverArgs = (dev = false): string[] => ["--import", "tsx", path.resolve("src/server/http/server.ts"), ...(dev ? ["--dev"] : [])];

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

/** `next build`, then the standalone artifact completed with Threadbook's own server entry. */
export async function buildProduction(env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env: { ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  // Before the standalone copy takes .next/static: the first-load scripts compiled as they stream in (compile-hints.ts).
  addCompileHints(".next");
  await assembleStandalone();
}

/** Builds when there is no build yet or a source file is newer than it. */
export async function buildIfNeeded(env: NodeJS.ProcessEnv) {
  const buildId = ".next/BUILD_ID";
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceTime(["src", "public"])) return;
  console.log("Building Threadbook (next build)…");
  await buildProduction(env);
}

