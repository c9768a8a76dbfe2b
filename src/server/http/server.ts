/**
 * Threadbook's HTTP server: Next's request handler behind Node's own http server, so the app knows which socket a
 * request came in on (the App Router does not tell). Every request gets CLIENT_ADDRESS_HEADER from the socket or the
 * trusted proxy hops (client-address.ts), and any copy of that header the client sent is dropped first.
 *
 * Run by scripts/start.ts (`npm start`, `npm run dev`, the e2e web server) and scripts/app-server.ts (bench, soak):
 *   node --import tsx src/server/http/server.ts [--dev]
 * with PORT, HOST and the stack's environment.
 */
import { createServer } from "node:http";
import { ConfigError, parseServerEnv } from "../env";
import { stampClientAddress } from "./client-address";

async function main() {
  const dev = process.argv.includes("--dev");
  // As `next start` / `next dev` do: React and Next pick their production or development builds by NODE_ENV, which
  // must be set before Next loads (hence the dynamic import).
  Object.assign(process.env, { NODE_ENV: dev ? "development" : "production" });
  const { default: next } = await import("next");
  const env = parseServerEnv(process.env);
  const hostname = process.env.HOST ?? "127.0.0.1";
  const app = next({ dev, hostname, port: env.PORT, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    stampClientAddress(req, env.TRUSTED_PROXY_HOPS);
    handle(req, res).catch((error: unknown) => {
      console.error(`Request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, hostname, () => resolve());
  });
  console.log(`▲ Threadbook ${dev ? "(dev) " : ""}listening on http://${hostname}:${env.PORT}`);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : `Threadbook could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
