/**
 * A child process run to its end with its output held back and printed whole when it ends, so that processes run side
 * by side (the checks; the e2e's last two stages) never interleave their lines. Resolves to the exit status.
 */
import { spawn } from "node:child_process";

export interface CapturedRun {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Its output is held until this has settled too (a run whose own output is on the terminal meanwhile). */
  printAfter?: Promise<unknown>;
}

export async function runCaptured({ printAfter, ...run }: CapturedRun): Promise<number> {
  const [{ status, output }] = await Promise.all([capture(run), printAfter?.catch(() => undefined)]);
  process.stdout.write(output);
  return status;
}

function capture({ name, command, args, env = process.env }: CapturedRun): Promise<{ status: number; output: Buffer }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("error", (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      resolve({ status: 1, output: Buffer.concat(output) });
    });
    child.on("close", (code) => {
      const status = code ?? 1;
      output.push(Buffer.from(`${status === 0 ? "✓" : "✗"} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${status === 0 ? "" : `: exit ${status}`}\n\n`));
      resolve({ status, output: Buffer.concat(output) });
    });
  });
}

/** Runs them side by side; the status is the first failure's, or 0. */
export async function runAllCaptured(runs: CapturedRun[]): Promise<number> {
  const statuses = await Promise.all(runs.map(runCaptured));
  return statuses.find((status) => status !== 0) ?? 0;
}
