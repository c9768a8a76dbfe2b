/**
 * `npm run test:e2e`: a production build, then Playwright in Debian's Chromium against it, on a fresh embedded stack.
 * With no spec named, a standalone stage follows: the standalone artifact copied to a clean folder (as the Dockerfile
 * does) runs STANDALONE_SPECS and the deployment tests (test/deploy: two instances behind a proxy, SIGTERM).
 * E2E_STANDALONE=1 runs only against the artifact (the named specs, or the standalone stage).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromiumPath } from "../e2e/chromium";
import { buildProduction } from "./next-build";
import { copyStandalone } from "./standalone";

/**
 * A few tests that touch what the artifact could lose (kept few: the whole suite already ran on the same build):
 * sign-in and its pages, the headers and CSP from the built configuration, a streamed reply, and a Server Action
 * ("Sign out everywhere") with session revocation, an image preview made by sharp (a native module the tracer must
 * carry). Signed storage links are in the deployment tests.
 */
const STANDALONE_SPECS = ["e2e/auth.spec.ts", "e2e/security-headers.spec.ts", "e2e/sessions.spec.ts", "e2e/continue.spec.ts"];
const STANDALONE_TESTS = [
  "alice signs in, sees her identifier, and signs out",
  "a missing thread's page has the headers too",
  "a reply with another origin's image streams",
  "sign out everywhere ends this browser's session and another's",
  "an attached photo shows as its small preview; the full-size dialog opens the original",
];
const grepOf = (titles: string[]) => titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

function playwright(args: string[], env: NodeJS.ProcessEnv): number {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-e2e-"));
  try {
    return run(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...args], { ...env, E2E_DATA_DIR: dataDir });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  chromiumPath();
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
  if (process.env.E2E_SKIP_BUILD !== "1") await buildProduction(env);
  const specs = process.argv.slice(2);
  const standaloneOnly = process.env.E2E_STANDALONE === "1";
  const statuses: number[] = [];
  if (!standaloneOnly) statuses.push(playwright(specs, env));
  if (specs.length === 0 || standaloneOnly) {
    const work = mkdtempSync(path.join(tmpdir(), "threadbook-standalone-"));
    try {
      const app = path.join(work, "app");
      copyStandalone(app);
      const standaloneEnv = { ...env, THREADBOOK_STANDALONE_DIR: app };
      console.log(`\nStandalone stage: the artifact copied to ${app}`);
      statuses.push(playwright(specs.length > 0 ? specs : [...STANDALONE_SPECS, "--grep", grepOf(STANDALONE_TESTS)], standaloneEnv));
      if (specs.length === 0) statuses.push(run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "-c", "vitest.deploy.config.ts"], standaloneEnv));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return statuses.find((s) => s !== 0) ?? 0;
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
