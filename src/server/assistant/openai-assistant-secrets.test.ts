/** An upstream that quotes the refused key back: the key must not reach the error (stored in the thread, logged). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIAssistant } from "./openai-assistant";

const API_KEY = "sk-test-7c0ffee5ecret";
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (req.url?.includes("stream-error")) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`data: ${JSON.stringify({ error: { message: `key ${key} is over its quota` } })}\n\n`);
      return;
    }
    res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function failureOf(path: string): Promise<string> {
  const assistant = createOpenAIAssistant({ baseUrl: `${baseUrl}/${path}`, apiKey: API_KEY, model: "m" });
  try {
    for await (const _ of assistant.stream([{ role: "user", content: "hi" }], { signal: new AbortController().signal })) void _;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the assistant to fail");
}

describe("OpenAI-compatible assistant errors", () => {
  it("keep the upstream's reason but not the API key it quoted", async () => {
    const refused = await failureOf("v1");
    expect(refused).toContain("401");
    expect(refused).toContain("Incorrect API key provided: [redacted]");
    expect(refused).not.toContain(API_KEY);
    const streamed = await failureOf("stream-error");
    expect(streamed).toContain("over its quota");
    expect(streamed).not.toContain(API_KEY);
  });
});
