import { randomUUID } from "node:crypto";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getLogger } from "@/data";
import { callerFor, createTestServices, newThread, sessionUser } from "../../../test/callers";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/fake-openai";
import { createOpenAIAssistant } from "../assistant/openai-assistant";
import type { ChatEvent } from "../chat/continue-thread";
import { lifecycle, resetLifecycle } from "../lifecycle/lifecycle";
import type { Services } from "../services";
import { gracefulShutdown, streamingStopAfterMs } from "./graceful-shutdown";

const log = getLogger("HTTP-test", "silent");
afterEach(() => resetLifecycle());

describe("streamingStopAfterMs", () => {
  it("keeps 5 s at the end of the grace period for stopped replies to be written, or half of a short one", () => {
    expect(streamingStopAfterMs(25_000)).toBe(20_000);
    expect(streamingStopAfterMs(4_000)).toBe(2_000);
  });
});

describe("chat.send during a shutdown", () => {
  let fake: FakeOpenAI;
  let services: Services & { close(): Promise<void> };
  beforeAll(async () => {
    fake = await startFakeOpenAI({ tokenDelayMs: 5 });
    services = await createTestServices({ assistant: createOpenAIAssistant({ baseUrl: fake.baseUrl, apiKey: "test-key", model: "fake-model" }) });
  });
  afterAll(async () => {
    await services.close();
    await fake.stop();
  });

  it("ends a streaming reply when the server stops streaming, as a cancel does, and stores what streamed", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    const events: ChatEvent[] = [];
    for await (const event of await callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "[slow] talk a lot" })) {
      events.push(event);
      if (events.filter((e) => e.type === "token").length === 3) lifecycle().stopStreaming.abort();
    }
    const streamed = events.flatMap((e) => (e.type === "token" ? [e.text] : [])).join("");
    expect(streamed).toMatch(/^word0 word1 word2 /);
    // The stream ends by itself (the client gets its "done"), well before the 400 words.
    expect(events.at(-1)).toEqual({ type: "done", output: streamed, cancelled: true });
    const reply = (await services.data.getThread(threadId))?.steps.find((s) => s.type === "assistant_message");
    expect(reply).toMatchObject({ output: streamed, streaming: false, metadata: { cancelled: true } });
  });
});

describe("gracefulShutdown (a plain HTTP server)", () => {
  let server: Server;
  let url: string;
  let ending: ReturnType<typeof gracefulShutdown>;
  const exits: number[] = [];
  /** Ends the /slow request (the test decides when, so a busy machine cannot reorder it). */
  let releaseSlow = () => {};
  /** What each request does, by path: answer when released, wait for the stop-streaming signal, or never end. */
  const start = async (graceMs: number) => {
    server = createServer((req, res) => {
      ending.track(res);
      if (req.url === "/slow") releaseSlow = () => res.end("slow done");
      else if (req.url === "/stream") {
        res.write("streaming…");
        lifecycle().stopStreaming.signal.addEventListener("abort", () => res.end(" stopped"));
      } else if (req.url === "/hang") res.write("hanging");
      else res.end("ok");
    });
    ending = gracefulShutdown(server, { graceMs, log, exit: (code) => exits.push(code) });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const request = (path: string) =>
    new Promise<string>((resolve, reject) => {
      get(`${url}${path}`, { agent: false }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(body));
        res.on("error", reject);
        res.on("aborted", () => resolve(`${body}[cut]`));
      }).on("error", reject);
    });
  /** Resolves once the server has the request (its response is tracked), with the answer still to come. */
  const started = (path: string) =>
    new Promise<{ answer: Promise<string> }>((resolve) => {
      server.once("request", () => setImmediate(() => resolve({ answer })));
      const answer = request(path);
    });
  afterEach(() => {
    exits.length = 0;
    server.closeAllConnections();
  });

  it("lets an open request finish, refuses new connections meanwhile, then exits 0 without waiting for the grace period", async () => {
    await start(60_000);
    const slow = (await started("/slow")).answer;
    const shutdown = ending.shutdown("SIGTERM");
    expect(lifecycle().draining).toBe(true);
    await expect(request("/")).rejects.toThrow(/ECONNREFUSED/);
    expect(exits).toEqual([]);
    releaseSlow();
    expect(await slow).toBe("slow done");
    await shutdown;
    expect(exits).toEqual([0]);
    expect(lifecycle().stopStreaming.signal.aborted).toBe(false);
  });

  it("asks streaming replies to stop near the end of the grace period, and exits once they have ended", async () => {
    await start(400);
    const stream = (await started("/stream")).answer;
    await ending.shutdown("SIGTERM");
    expect(lifecycle().stopStreaming.signal.aborted).toBe(true);
    expect(await stream).toBe("streaming… stopped");
    expect(exits).toEqual([0]);
  });

  it("closes a request that never ends when the grace period is over, runs the closers, and exits", async () => {
    await start(200);
    const closed: string[] = [];
    lifecycle().closers.add(() => void closed.push("clients"));
    const hang = (await started("/hang")).answer;
    await ending.shutdown("SIGTERM");
    expect(await hang).toBe("hanging[cut]");
    expect(closed).toEqual(["clients"]);
    expect(exits).toEqual([0]);
  });
});
