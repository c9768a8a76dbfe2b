/**
 * A fake OpenAI-compatible Chat Completions server on loopback, streaming SSE like the real one. Deterministic:
 * it answers "Echo: <last user message>" token by token; a message containing "[fail]" gets a 500, "[slow]" a long,
 * slow reply (for cancelling), "[attachments]" lists the content parts it received, "[stall]" sends two tokens and then
 * nothing more, "[no-headers]" never answers at all (both hold the connection open until the client gives up),
 * "[keep-alive]" sends a token and then only SSE comments, every 50 ms, for as long as the client reads;
 * "[one-line]" sends 8 MB without a line break, "[fail-endless]" a 500 whose body never ends, "[fail-quoting-key]" a
 * 401 whose message quotes the bearer key it was sent, and "[fail-twice]" a 500 the first two times a message with that
 * exact text is asked, then the usual echo (a flaky model, for Retry).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface WireMessage {
  role: string;
  content: string | { type: string; text?: string; image_url?: { url: string } }[];
}

export interface FakeOpenAI {
  baseUrl: string;
  requests: { model: string; messages: WireMessage[]; authorization?: string }[];
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });

function textOf(message: WireMessage | undefined): string {
  if (!message) return "";
  return typeof message.content === "string" ? message.content : message.content.filter((p) => p.type === "text").map((p) => p.text).join(" ");
}

export async function startFakeOpenAI(options: { port?: number; tokenDelayMs?: number } = {}): Promise<FakeOpenAI> {
  const requests: FakeOpenAI["requests"] = [];
  const delay = options.tokenDelayMs ?? 15;
  const failedTimes = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readBody(req)) as { model: string; messages: WireMessage[] };
    requests.push({ ...body, authorization: req.headers.authorization });
    const last = [...body.messages].reverse().find((m) => m.role === "user");
    const text = textOf(last);
    const flaky = text.includes("[fail-twice]") && (failedTimes.get(text) ?? 0) < 2;
    if (flaky) failedTimes.set(text, (failedTimes.get(text) ?? 0) + 1);
    if (text.includes("[fail]") || flaky) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "the model is overloaded" } }));
      return;
    }
    if (text.includes("[fail-quoting-key]")) {
      // A proxy that quotes the key it refused, the key starting just before the 300th character of its message.
      const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `${"x".repeat(280)} refused key ${key}` } }));
      return;
    }
    if (text.includes("[fail-endless]")) {
      res.writeHead(500, { "content-type": "text/plain" });
      let gone = false;
      res.on("close", () => (gone = true));
      res.write("the model is overloaded\n");
      while (!gone) await new Promise<void>((r) => (res.write("x".repeat(64 * 1024)) ? setImmediate(r) : res.once("drain", r)));
      return;
    }
    if (text.includes("[no-headers]")) return;
    let reply = `Echo: ${text}`;
    if (text.includes("[slow]")) reply = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
    if (text.includes("[attachments]") && last && typeof last.content !== "string") {
      reply = `Parts: ${last.content.map((p) => (p.type === "image_url" ? `image(${p.image_url!.url.slice(0, 22)})` : `text(${(p.text ?? "").length})`)).join(", ")}`;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const tokens = reply.match(/\S+\s*/g) ?? [];
    let closed = false;
    req.on("close", () => (closed = true));
    res.on("close", () => (closed = true));
    if (text.includes("[keep-alive]")) {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "thinking" } }] })}\n\n`);
      while (!closed) {
        res.write(": keep-alive\n\n");
        await new Promise((r) => setTimeout(r, 50));
      }
      return;
    }
    if (text.includes("[one-line]")) {
      for (let sent = 0; sent < 8 * 1024 * 1024 && !closed; sent += 64 * 1024) res.write(sent === 0 ? `data: ${"x".repeat(64 * 1024 - 6)}` : "x".repeat(64 * 1024));
      res.end();
      return;
    }
    for (const [index, token] of tokens.entries()) {
      if (closed) return;
      if (text.includes("[stall]") && index === 2) return;
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: token } }] })}\n\n`);
      await new Promise((r) => setTimeout(r, text.includes("[slow]") ? delay * 4 : delay));
    }
    res.write("data: [DONE]\n\n");
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
