/**
 * `npm run checks`: the type check and the lint (ESLint, then the dependency rules) side by side. Each is one
 * single-threaded process, so on a machine of two cores or more the pair takes as long as the slower one, not their sum
 * (about 35 s of each CI run). Each one's output is printed whole when it ends, so the two never interleave; the exit
 * status is the first failure's.
 */
import { spawn } from "node:child_process";

type Check = { name: string; args: string[] };

const CHECKS: Check[] = [
  { name: "typecheck", args: ["run", "typecheck"] },
  { name: "lint", args: ["run", "lint"] },
];

function run({ name, args }: Check): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn("npm", args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("error", (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      resolve(1);
    });
    child.on("close", (code) => {
      const status = code ?? 1;
      process.stdout.write(Buffer.concat(output));
      console.log(`${status === 0 ? "✓" : "✗"} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${status === 0 ? "" : `: exit ${status}`}\n`);
      resolve(status);
    });
  });
}

const statuses = await Promise.all(CHECKS.map(run));
process.exit(statuses.find((status) => status !== 0) ?? 0);
