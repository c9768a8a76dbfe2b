/**
 * The embedded stack: dynalite (DynamoDB), s3rver (S3) and azurite (Azure Blob), on 127.0.0.1.
 * The one place that starts them, for `npm start`, vitest and Playwright alike.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

export interface LocalService {
  endpoint: string;
  port: number;
  /** HTTP requests served so far (dynalite only): the benchmarks count DynamoDB round trips of another process with it. */
  requests?: () => number;
  stop(): Promise<void>;
}

/** Well-known emulator credentials: public constants, not secrets. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
export const azuriteConnectionString = (endpoint: string) =>
  `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** dynalite in this process; persisted under `directory` when given, in memory otherwise. */
export async function startDynalite(options: { directory?: string; port?: number } = {}): Promise<LocalService> {
  const dynalite = require("dynalite") as (opts: Record<string, unknown>) => HttpServer;
  if (options.directory) mkdirSync(options.directory, { recursive: true });
  const server = dynalite({
    path: options.directory,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  let requests = 0;
  server.on("request", () => requests++);
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** s3rver in this process, storing objects under `directory`. */
export async function startS3rver(options: { directory: string; port?: number; resetOnClose?: boolean }): Promise<LocalService> {
  const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    resetOnClose: options.resetOnClose ?? false,
    allowMismatchedSignatures: true,
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, port, stop: () => server.close() };
}

/** azurite's blob service as a child process (its package has no programmatic API). */
export async function startAzurite(options: { directory?: string; port?: number } = {}): Promise<LocalService> {
  const port = options.port ?? (await freePort());
  const bin = path.join(path.dirname(require.resolve("azurite/package.json")), "dist/src/blob/main.js");
  const args = [
    bin,
    "--blobHost",
    "127.0.0.1",
    "--blobPort",
    String(port),
    "--skipApiVersionCheck",
    "--disableProductStyleUrl",
    "--disableTelemetry",
    "--silent",
  ];
  if (options.directory) {
    mkdirSync(options.directory, { recursive: true });
    args.push("--location", options.directory);
  } else {
    args.push("--inMemoryPersistence");
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("successfully listen")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`azurite exited with code ${code}: ${output.slice(-500)}`)));
    const timer = setTimeout(() => reject(new Error(`azurite did not start in 30 s: ${output.slice(-500)}`)), 30_000);
    timer.unref();
  });
  child.removeAllListeners("exit");
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}
