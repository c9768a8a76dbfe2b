/** `npm run test:e2e`: a production build, then Playwright in Debian's Chromium against it, on a fresh embedded stack. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromiumPath } from "../e2e/chromium";

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

try {
  chromiumPath();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
if (process.env.E2E_SKIP_BUILD !== "1") {
  const status = run(process.execPath, ["node_modules/next/dist/bin/next", "build"], env);
  if (status !== 0) process.exit(status);
}
const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-e2e-"));
const status = run(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...process.argv.slice(2)], { ...env, E2E_DATA_DIR: dataDir });
rmSync(dataDir, { recursive: true, force: true });
process.exit(status);
