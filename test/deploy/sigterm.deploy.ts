/**
 * Graceful shutdown (docs/deploy.md, "Stopping"): SIGTERM while replies stream. A reply that ends within the grace
 * period is stored whole; one that would not is stopped near its end and stored with what streamed (as a cancel is);
 * the server takes no new connection meanwhile and exits 0 within SHUTDOWN_GRACE_SECONDS. Before that, with
 * LOG_FORMAT=json, every line the server logs is JSON, the routes' too (docs/architecture.md, "One process, several
 * copies of a module").
 */
import { randomUUID } from "node:crypto";
import { get } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../../scripts/app-server";
import { signIn, trpcClient } from "../../scripts/http-session";
import { createServices } from "../../src/server/services";
import { startDeployment, type Deployment } from "./deployment";

/** Replies still streaming 3 s after the signal are stopped (half the period: it is under 10 s). */
const GRACE_SECONDS = 6;
let deployment: Deployment;
let server: AppServer;

beforeAll(async () => {
  // 25 ms a token: a 14-word echo takes under half a second; a "[slow]" reply (100 ms a token, 400 words) 40 s.
  deployment = await startDeployment({ tokenDelayMs: 25 });
  server = await startAppServer(deployment.env, { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS), LOG_LEVEL: "info", LOG_FORMAT: "json" }, { standaloneDir: deployment.standaloneDir, captureOutput: true });
});

afterAll(async () => {
  await server?.stop();
  await deployment?.stop();
});

/** A new TCP connection (no pooled keep-alive socket): refused once the server has stopped listening. */
const connects = (baseUrl: string) =>
  new Promise<boolean>((resolve) => {
    const req = get(`${baseUrl.replace("localhost", "127.0.0.1")}/api/health`, { agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
  });

/** A line in the text format (logger.ts): `{time} {LEVEL} [{logger}] {message}`. */
const TEXT_LOG_LINE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z (DEBUG|INFO|WARN|ERROR) \[/m;

describe("logging", () => {
  it("with LOG_FORMAT=json, a line a route handler logs is JSON too, not only the HTTP entry's and the data layer's", async () => {
    // The format is set in server.js and in the copy of logger.ts that built the services (the startup hook's); the
    // sign-in route logs a refused password through the routes' own copy, whose lines stayed text.
    await expect(signIn(server.baseUrl, "alice@example.com", "not-the-password")).rejects.toThrow(/sign-in .* failed/);
    await expect.poll(() => server.output()).toMatch(/"logger":"Auth","msg":"CredentialsSignin/);
    expect(server.output()).not.toMatch(TEXT_LOG_LINE);
  });
});

describe("SIGTERM while replies stream", () => {
  it("finishes the reply that fits in the grace period, stores what streamed of the other, and exits 0 in time", async () => {
    const api = trpcClient(server.baseUrl, await signIn(server.baseUrl, "alice@example.com", deployment.env.DEMO_PASSWORD!));
    const medium = `Finish ${Array.from({ length: 12 }, (_, i) => `w${i}`).join(" ")}`;
    const turns = await Promise.all(
      [medium, "Stop me [slow]"].map(async (content) => {
        const threadId = (await api.threads.create.mutate()).id;
        const stream = await api.chat.send.mutate({ threadId, messageId: randomUUID(), content });
        let firstToken!: () => void;
        const streaming = new Promise<void>((resolve) => (firstToken = resolve));
        const result = (async () => {
          let streamed = "";
          let done: { output: string; cancelled: boolean } | null = null;
          for await (const event of stream) {
            if (event.type === "token") {
              streamed += event.text;
              firstToken();
            }
            if (event.type === "done") done = event;
          }
          return { threadId, streamed, done };
        })();
        await streaming;
        return { result };
      }),
    );

    const signalled = Date.now();
    process.kill(server.pid, "SIGTERM");
    const results = await Promise.all(turns.map((t) => t.result));
    const finished = results[0]!;
    const stopped = results[1]!;
    expect(await connects(server.baseUrl)).toBe(false);
    expect(await server.exited).toBe(0);
    // Within the grace period, with a margin for this process's own delays on a busy machine.
    expect(Date.now() - signalled).toBeLessThan((GRACE_SECONDS + 2) * 1000);

    expect(finished.done).toMatchObject({ output: `Echo: ${medium}`, cancelled: false });
    expect(stopped.done?.cancelled).toBe(true);
    expect(stopped.streamed.length).toBeGreaterThan(0);
    expect(stopped.done?.output).toBe(stopped.streamed);

    const services = createServices(deployment.env);
    try {
      const reply = async (threadId: string) => (await services.data.getThread(threadId))?.steps.find((s) => s.type === "assistant_message");
      expect(await reply(finished.threadId)).toMatchObject({ output: `Echo: ${medium}`, streaming: false });
      const partial = await reply(stopped.threadId);
      expect(partial).toMatchObject({ output: stopped.streamed, streaming: false, metadata: { cancelled: true } });
      expect(partial?.end).toBeTruthy();
    } finally {
      await services.data.close();
    }
    expect(server.output()).toContain("grace period nearly over: stopping streaming replies");
  });
});
