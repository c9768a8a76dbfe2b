/**
 * `npm run test:e2e`: a production build, then Playwright in Debian's Chromium against it, on a fresh embedded stack.
 * The specs run against the standalone artifact copied to a clean folder, as the Dockerfile copies it: what production
 * runs is what the whole suite tests. With no spec named, two short stages follow: a few tests against the sources'
 * server (`npm start`: src/server/http/server.ts through tsx over .next) and, side by side with it, the deployment tests (test/deploy: two
 * instances behind a proxy, SIGTERM). E2E_SOURCES=1 runs the named specs against the sources' server instead.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromiumPath } from "../e2e/chromium";
import { buildProduction } from "./next-build";
import { runCaptured } from "./run-captured";
import { copyStandalone } from "./standalone";

/**
 * What `npm start` runs and the artifact does not: its server loaded from the sources (tsx) over the repository's .next
 * and node_modules. Sign-in and a streamed reply reach every layer of it; the rest of the code is the one the suite ran.
 */
const SOURCES_SPECS = ["e2e/auth.spec.ts", "e2e/security-headers.spec.ts"];
const SOURCES_TESTS = ["alice signs in, sees her identifier, and signs out", "a reply with another origin's image streams"];
const grepOf = (titles: string[]) => titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

const PLAYWRIGHT = "node_modules/@playwright/test/cli.js";

/** Playwright on a data folder of its own, removed after. `captured`: its output held back and printed whole at its end. */
async function playwright(args: string[], env: NodeJS.ProcessEnv, captured?: string): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-e2e-"));
  const runEnv = { ...env, E2E_DATA_DIR: dataDir };
  try {
    if (captured === undefined) return run(process.execPath, [PLAYWRIGHT, "test", ...args], runEnv);
    return await runCaptured({ name: captured, command: process.execPath, args: [PLAYWRIGHT, "test", ...args], env: runEnv });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  chromiumPath();
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
  if (process.env.E2E_SKIP_BUILD !== "1") await buildProduction(env);
  const specs = process.argv.slice(2);
  if (process.env.E2E_SOURCES === "1") return playwright(specs, env);
  const work = mkdtempSync(path.join(tmpdir(), "threadbook-standalone-"));
  try {
    const app = path.join(work, "app");
    copyStandalone(app);
    const standaloneEnv = { ...env, THREADBOOK_STANDALONE_DIR: app };
    console.log(`The standalone artifact, copied to ${app}, serves the specs.`);
    const statuses = [await playwright(specs, standaloneEnv)];
    if (specs.length === 0) {
      // Side by side (about 25 s less than one after the other): the deployment tests start their own stacks and
      // instances on free ports, apart from the sources' server on the suite's ports.
      console.log("\nThe sources stage (the server `npm start` runs: tsx over .next) and the deployment tests, side by side.");
      const deploy = { name: "deployment tests", command: process.execPath, args: ["node_modules/vitest/vitest.mjs", "run", "-c", "vitest.deploy.config.ts"], env: standaloneEnv };
      const [sources, deployed] = await Promise.all([
        playwright([...SOURCES_SPECS, "--grep", grepOf(SOURCES_TESTS)], env, "sources stage"),
        runCaptured(deploy),
      ]);
      statuses.push(sources, deployed);
    }
    return statuses.find((s) => s !== 0) ?? 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
