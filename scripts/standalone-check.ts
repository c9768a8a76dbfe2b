/**
 * `npm run standalone:check`: the Dockerfile's steps without Docker. Copies the standalone artifact to a clean folder
 * (as `COPY --from=build /app/.next/standalone ./`), checks that no package of the embedded stack or dev dependency is
 * in it, starts its `node server.js` against an embedded stack started here, and checks liveness, readiness, a
 * signed-in page and a graceful stop. `--build` builds first (npm run build); otherwise the last build is used.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAppServer } from "./app-server";
import { signIn } from "./http-session";
import { buildProduction } from "./next-build";
import { startStack } from "./stack";
import { copyStandalone, unwantedPackages } from "./standalone";

function check(condition: unknown, what: string) {
  if (!condition) throw new Error(`standalone check failed: ${what}`);
  console.log(`  ✓ ${what}`);
}

async function main() {
  if (process.argv.includes("--build")) await buildProduction();
  const work = mkdtempSync(path.join(tmpdir(), "threadbook-standalone-"));
  const app = path.join(work, "app");
  const stack = await startStack({ PATH: process.env.PATH, THREADBOOK_DATA_DIR: path.join(work, "data") }, () => {});
  try {
    copyStandalone(app);
    console.log(`Standalone artifact copied to ${app}`);
    check(unwantedPackages(app).length === 0, "no emulator, tsx or dev dependency in the artifact's node_modules");
    // Only the stack's variables: nothing from this shell (no NODE_PATH, no repository) reaches the server.
    const server = await startAppServer(stack.env, { LOG_LEVEL: "info", LOG_FORMAT: "json", SHUTDOWN_GRACE_SECONDS: "5" }, { standaloneDir: app, captureOutput: true });
    try {
      const health = await fetch(`${server.baseUrl}/api/health`);
      check(health.status === 200, "GET /api/health answers 200");
      const ready = await fetch(`${server.baseUrl}/api/health/ready`);
      const readyBody = await ready.text();
      check(ready.status === 200, `GET /api/health/ready answers 200 (${readyBody})`);
      check(!readyBody.includes(stack.env.DYNAMODB_TABLE!) && !readyBody.includes("127.0.0.1"), "readiness names no table, bucket or endpoint");
      const cookie = await signIn(server.baseUrl, "alice@example.com", stack.env.DEMO_PASSWORD!);
      const page = await fetch(`${server.baseUrl}/threads`, { headers: { cookie }, redirect: "manual" });
      const html = await page.text();
      check(page.status === 200 && html.includes("alice@example.com"), "a signed-in page renders (/threads for alice)");
      const csp = page.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      check(nonce && /img-src 'self' data: blob: https?:\/\//.test(csp) && html.includes(`nonce="${nonce}"`), "the page carries its CSP with a nonce on its scripts and the storage origin (set by server.js)");
      const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
      check(asset && (await fetch(`${server.baseUrl}${asset}`)).status === 200, "browser assets are served from the artifact");
      check(server.output().includes('"route":"/threads"'), "requests are logged as JSON lines with their route");
    } finally {
      await server.stop();
    }
    check((await server.exited) === 0, "SIGTERM stops the server cleanly (exit 0)");
    console.log("Standalone check passed.");
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
