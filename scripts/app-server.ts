/**
 * A production Threadbook server on a free port, over a stack's environment: for the benchmark, the soak and the
 * deployment tests. From the sources (built when needed) or, with `standaloneDir`, from a copy of the standalone artifact.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "./local-services";
import { buildIfNeeded, serverArgs } from "./next-build";

export interface AppServer {
  baseUrl: string;
  pid: number;
  /** Resident memory of the server process (Threadbook's entry with Next in it), in MiB. */
  rssMiB(): number;
  /** What the server printed so far (captured only with `captureOutput`). */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  standaloneDir?: string;
  captureOutput?: boolean;
  /** Extra Node options for the server process, before its script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export async function startAppServer(stackEnv: Record<string, string>, extraEnv: Record<string, string> = {}, options: AppServerOptions = {}): Promise<AppServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...stackEnv, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1", NODE_NO_WARNINGS: "1", LOG_LEVEL: "warn", ...extraEnv };
  if (!options.standaloneDir) await buildIfNeeded(env);
  const stdio = options.captureOutput ? "pipe" : "ignore";
  const server = options.standaloneDir
    ? spawn(process.execPath, [path.join(options.standaloneDir, "server.js")], { cwd: options.standaloneDir, env: { ...env, HOST: "127.0.0.1" }, stdio: ["ignore", stdio, stdio] })
    : spawn(process.execPath, [...(options.nodeArgs ?? []), ...serverArgs()], { env: { ...env, HOST: "127.0.0.1" }, stdio: ["ignore", stdio, stdio] });
  let output = "";
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
  for (let i = 0; ; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) break;
    if (i > 150 || server.exitCode !== null) throw new Error(`the app server did not become healthy${output ? `: ${output.slice(-1000)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    // localhost, as a browser would: next-auth's cookies are set for it.
    baseUrl: `http://localhost:${port}`,
    pid: server.pid!,
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
    output: () => output,
    exited,
    stop: async () => {
      if (server.exitCode === null) server.kill("SIGTERM");
      await exited;
    },
  };
}
