/**
 * Threadbook's HTTP server: Next's request handler behind Node's own http server, so the app knows which socket a
 * request came in on (the App Router does not tell). Every request gets CLIENT_ADDRESS_HEADER from the socket or the
 * trusted proxy hops (client-address.ts), and any copy of that header the client sent is dropped first; every page
 * gets its nonce and Content-Security-Policy (page-security.ts), and a path that does not decode a 400
 * (undecodable-path.ts). It also logs one line per request (request-log.ts)
 * and stops gracefully on SIGTERM/SIGINT (graceful-shutdown.ts). Pages are served only through this entry: Next's
 * own `next start` / `next dev` would serve them without their CSP, so next.config.mjs refuses to run under them.
 *
 * Run by scripts/start.ts (`npm start`, `npm run dev`, the e2e web server) and scripts/app-server.ts (bench, soak):
 *   node --import tsx src/server/http/server.ts [--dev]
 * and, bundled by `npm run build` into the standalone output (scripts/standalone-assemble.ts), as the production
 * artifact's entry: `node server.js` in that folder. PORT, HOST and every other setting come from the environment.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLogger, parseLogLevel, setLogFormat, setLogLevel } from "@/data/logger";
import { HTTP_ENTRY_MARKER } from "../../../next.config.mjs";
import { ConfigError, parseServerEnv } from "../env";
import { pagePolicy } from "../security/page-policy";
import { stampClientAddress } from "./client-address";
import { gracefulShutdown } from "./graceful-shutdown";
import { withPageSecurity } from "./page-security";
import { logRequest, routeMatcher } from "./request-log";
import { refusingUndecodablePaths } from "./undecodable-path";

const BUILT_CONFIG = path.join(".next", "required-server-files.json");

/** The app's folder: beside this file when it is the standalone output's bundled entry, the working directory otherwise. */
function appDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return existsSync(path.join(here, BUILT_CONFIG)) ? here : process.cwd();
}

/**
 * A production server runs with the configuration Next saved at build time, as Next's own standalone server.js does:
 * the standalone output has no next.config.mjs (nor the packages it could import), and Next warns that `next start`
 * does not fit `output: "standalone"` unless it is told the configuration this way.
 */
function applyBuiltConfig(dir: string) {
  const file = path.join(dir, BUILT_CONFIG);
  if (!existsSync(file)) return;
  const { config } = JSON.parse(readFileSync(file, "utf8")) as { config: unknown };
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}

async function main() {
  const dev = process.argv.includes("--dev");
  // As `next start` / `next dev` do: React and Next pick their production or development builds by NODE_ENV, which
  // must be set before Next loads (hence the dynamic import).
  // The marker tells next.config.mjs that pages are served through this entry (with their CSP).
  Object.assign(process.env, { NODE_ENV: dev ? "development" : "production", [HTTP_ENTRY_MARKER]: "1" });
  const env = parseServerEnv(process.env);
  setLogFormat(env.LOG_FORMAT);
  setLogLevel(parseLogLevel(env.LOG_LEVEL) ?? "info");
  const log = getLogger("HTTP", parseLogLevel(env.LOG_LEVEL_HTTP ?? env.LOG_LEVEL) ?? "info");
  const dir = appDir();
  process.chdir(dir);
  if (!dev) applyBuiltConfig(dir);
  const { default: next } = await import("next");
  const hostname = env.HOST ?? "127.0.0.1";
  const app = next({ dev, hostname, port: env.PORT, dir });
  await app.prepare();
  const handle = app.getRequestHandler();
  const route = routeMatcher(dir);
  // Read before the first page (the storage origin is signed once); a failure is logged and retried per page.
  await pagePolicy();
  // A page path's 400 carries the page headers too (set first, page-security.ts).
  const serve = withPageSecurity(refusingUndecodablePaths(handle), pagePolicy);
  const server = createServer((req, res) => {
    stopping.track(res);
    logRequest(log, route, req, res);
    stampClientAddress(req, env.TRUSTED_PROXY_HOPS);
    serve(req, res).catch((error: unknown) => {
      log.error("request failed", { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal error");
    });
  });
  const stopping = gracefulShutdown(server, { graceMs: env.SHUTDOWN_GRACE_SECONDS * 1000, log });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, hostname, () => resolve());
  });
  console.log(`▲ Threadbook ${dev ? "(dev) " : ""}listening on http://${hostname}:${env.PORT}`);
  process.once("SIGTERM", () => void stopping.shutdown("SIGTERM"));
  process.once("SIGINT", () => void stopping.shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : `Threadbook could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
