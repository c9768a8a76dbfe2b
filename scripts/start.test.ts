/**
 * `npm start`'s supervisor (scripts/start.ts): when its server dies, it stops too, and says so with a failure. It runs
 * here over the test run's dynalite and s3rver (configured, so it starts nothing of its own) with a stand-in artifact:
 * a `server.js` that only waits, so the test can kill it as the kernel's OOM killer would.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freshBucket, freshTable, localEnv } from "../test/harness";
import { freePort } from "./local-services";

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  const [{ client, tableName }, { client: s3, bucket }] = await Promise.all([freshTable(), freshBucket()]);
  client.destroy();
  s3.destroy();
  dir = mkdtempSync(path.join(tmpdir(), "threadbook-start-"));
  writeFileSync(path.join(dir, "server.js"), `require("node:fs").writeFileSync("pid", String(process.pid)); setInterval(() => {}, 1 << 30);`);
  env = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    NODE_NO_WARNINGS: "1",
    THREADBOOK_STANDALONE_DIR: dir,
    PORT: String(await freePort()),
    AUTH_SECRET: "a-secret-only-this-test-uses-0123456789",
    ...localEnv(tableName, bucket),
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stand-in's pid once it runs; null if start.ts ended first (its output says why). */
const serverPid = async (ended: Promise<unknown>): Promise<number | null> => {
  let over = false;
  void ended.then(() => (over = true));
  while (!over) {
    try {
      return Number(readFileSync(path.join(dir, "pid"), "utf8"));
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return null;
};

it("ends with a failure, naming the signal, when its server is killed", async () => {
  const start = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let output = "";
  start.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  start.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<number | null>((resolve) => start.once("exit", (code) => resolve(code)));
  try {
    const pid = await serverPid(ended);
    expect(pid, `start.ts ended before its server ran:\n${output}${stderr}`).not.toBeNull();
    process.kill(pid!, "SIGKILL");
    // Before the fix it never ended: the test's own timeout fails it.
    expect(await ended).toBe(1);
    expect(stderr).toContain("ended on SIGKILL");
  } finally {
    start.kill("SIGKILL");
  }
}, 30_000);
