/**
 * DynamoDB for the benchmarks, in a process of its own so its CPU is never counted as the client's and it never
 * queues behind the client's event loop: dynalite in memory (or on disk in `path`, so a costly dataset is built
 * once and queried by later runs), behind a loopback proxy that holds every response for
 * `latencyMs` (0 = passed straight on), about what an in-region round trip to DynamoDB adds.
 *
 * As a child (`startBenchDynamo`): prints `{"port": n}` once listening, exits when its parent's stdin closes.
 */
import { spawn } from "node:child_process";
import { createServer, request, Agent, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface BenchDynamo {
  endpoint: string;
  latencyMs: number;
  stop(): Promise<void>;
}

/** Starts the child and waits for its port. */
export async function startBenchDynamo(latencyMs: number, path?: string): Promise<BenchDynamo> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), String(latencyMs), ...(path ? [path] : [])], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`bench DynamoDB exited early (code ${code})`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    latencyMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** The child: dynalite on a private port, the delaying proxy on the one the parent is told. */
async function serve(latencyMs: number, path: string | undefined) {
  const require = createRequire(import.meta.url);
  const dynalite = require("dynalite") as (opts: Record<string, unknown>) => Server;
  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
  const dbPort = await listen(db);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const proxy = createServer((req, res) => {
    const upstream = request({ host: "127.0.0.1", port: dbPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer: IncomingMessage) => {
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("end", () => {
        const send = () => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(Buffer.concat(chunks));
        };
        if (latencyMs > 0) setTimeout(send, latencyMs);
        else send();
      });
    });
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  proxy.keepAliveTimeout = 60_000;
  const port = await listen(proxy);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  serve(Number(process.argv[2] ?? 0), process.argv[3]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
