/**
 * `npm run test:e2e`: a production build, then Playwright in Debian's Chromium against it, on a fresh embedded stack.
 * The specs run against the standalone artifact copied to a clean folder, as the Dockerfile copies it: what production
 * runs is what the whole suite tests. With no spec named, two short stages run beside the suite: a few tests against
 * the sources' server (`npm start`: src/server/http/server.ts through tsx over .next), and the deployment tests
 * (test/deploy: two instances behind a proxy, SIGTERM). E2E_SOURCES=1 runs the named specs against the sources'
 * server instead.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromiumPath } from "../e2e/chromium";
import { buildProduction } from "./next-build";
import { runCaptured } from "./run-captured";
import { E2E_DYNAMODB_PORT, E2E_S3_PORT } from "../e2e/e2e-table";
import { FAKE_OPENAI_PORT } from "../e2e/fake-openai-port";
import { OIDC_PORT } from "../e2e/oidc-provider";
import { copyStandalone } from "./standalone";

/**
 * What `npm start` runs and the artifact does not: its server loaded from the sources (tsx) over the repository's .next
 * and node_modules. Sign-in and a streamed reply reach every layer of it; the rest of the code is the one the suite ran.
 */
const SOURCES_SPECS = ["e2e/auth.spec.ts", "e2e/security-headers.spec.ts"];
const SOURCES_TESTS = ["alice signs in, sees her identifier, and signs out", "a reply with another origin's image streams"];
const grepOf = (titles: string[]) => titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");

/** A child on this terminal; its exit status. Not spawnSync: the captured runs beside it must keep being read. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    child.on("error", () => resolve(1));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/**
 * The sources stage runs beside the suite, so on ports of its own: its app's 50 above the suite's, its fake model's,
 * OpenID Provider's, dynalite's and s3rver's 10 below the suite's (by default 3150 and 3186 to 3189), and folders
 * of its own for its results.
 */
function besideSuite(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    E2E_PORT: String(Number(env.E2E_PORT ?? 3100) + 50),
    E2E_OPENAI_PORT: String(FAKE_OPENAI_PORT - 10),
    E2E_OIDC_PORT: String(OIDC_PORT - 10),
    E2E_DYNAMODB_PORT: String(E2E_DYNAMODB_PORT - 10),
    E2E_S3_PORT: String(E2E_S3_PORT - 10),
    E2E_OUTPUT_DIR: "test-results/sources-stage",
    E2E_REPORT_DIR: "playwright-report/sources-stage",
  };
}

const PLAYWRIGHT = "node_modules/@playwright/test/cli.js";

/** Playwright on a data folder of its own, removed after. `captured`: its output held back and printed whole at its end. */
async function playwright(args: string[], env: NodeJS.ProcessEnv, captured?: { name: string; printAfter?: Promise<unknown> }): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-e2e-"));
  const runEnv = { ...env, E2E_DATA_DIR: dataDir };
  try {
    if (captured === undefined) return await run(process.execPath, [PLAYWRIGHT, "test", ...args], runEnv);
    return await runCaptured({ ...captured, command: process.execPath, args: [PLAYWRIGHT, "test", ...args], env: runEnv });
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
    if (specs.length > 0) return await playwright(specs, standaloneEnv);
    // The suite leaves about half a core idle (it waits on the browser and the server): the sources stage and the
    // deployment tests run beside it, on ports of their own (the deployment tests' are free ones), their output
    // printed after the suite's. Run after it, they added 45 s to each CI run.
    let suiteEnded!: () => void;
    const suiteDone = new Promise<void>((resolve) => (suiteEnded = resolve));
    console.log("The sources stage (the server `npm start` runs: tsx over .next) and the deployment tests run beside the suite; their output follows it.");
    // A copy of their own: the suite's server runs from the first one meanwhile.
    const deployApp = path.join(work, "deploy-app");
    copyStandalone(deployApp);
    const deployEnv = { ...env, THREADBOOK_STANDALONE_DIR: deployApp };
    const deploy = { name: "deployment tests", command: process.execPath, args: ["node_modules/vitest/vitest.mjs", "run", "-c", "vitest.deploy.config.ts"], env: deployEnv, printAfter: suiteDone };
    const beside = Promise.all([playwright([...SOURCES_SPECS, "--grep", grepOf(SOURCES_TESTS)], besideSuite(env), { name: "sources stage", printAfter: suiteDone }), runCaptured(deploy)]);
    const suite = await playwright(specs, standaloneEnv).finally(suiteEnded);
    const statuses = [suite, ...(await beside)];
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
