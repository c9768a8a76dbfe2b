/** A production Next server of Threadbook on a free port, over a stack's environment: for the benchmark and the soak. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { freePort } from "./local-services";
import { buildIfNeeded, serverArgs } from "./next-build";

export interface AppServer {
  baseUrl: string;
  pid: number;
  /** Resident memory of the server process (Threadbook's entry with Next in it), in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

export async function startAppServer(stackEnv: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<AppServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...stackEnv, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1", NODE_NO_WARNINGS: "1", LOG_LEVEL: "warn", ...extraEnv };
  buildIfNeeded(env);
  const server = spawn(process.execPath, serverArgs(), { env: { ...env, HOST: "127.0.0.1" }, stdio: "ignore" });
  const exited = new Promise((resolve) => server.once("exit", resolve));
  for (let i = 0; ; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) break;
    if (i > 150 || server.exitCode !== null) throw new Error("the app server did not become healthy");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    // localhost, as a browser would: next-auth's cookies are set for it.
    baseUrl: `http://localhost:${port}`,
    pid: server.pid!,
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
    stop: async () => {
      server.kill("SIGTERM");
      await exited;
    },
  };
}
