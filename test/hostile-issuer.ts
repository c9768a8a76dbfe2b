/**
 * A real HTTP server on 127.0.0.1 standing in for a sign-in provider that misbehaves (docs/security.md, "Sign-in"):
 * each path answers as the test sets it, normally, with a body far over any bound, or never. It records how much of a
 * huge body it got to write and whether the client hung up before the end, which is how a test sees that a bounded
 * reader stopped reading rather than buffering the rest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A huge answer returns what became of it; the others return nothing. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<Streamed>;

export interface Streamed {
  /** Bytes written into the connection before it ended or was closed. */
  written: number;
  /** True when the client closed the connection before the whole body was written. */
  cutOff: boolean;
}

export interface HostileIssuer {
  url: string;
  /** What `path` (without its query) answers from now on. */
  on(path: string, handler: Handler): void;
  /** Settles when the latest huge answer has ended, written whole or cut off. */
  lastHuge(): Promise<Streamed>;
  close(): Promise<void>;
}

export const MB = 1024 * 1024;

export async function startHostileIssuer(): Promise<HostileIssuer> {
  const handlers = new Map<string, Handler>();
  let huge: Promise<Streamed> = Promise.reject(new Error("no huge answer was asked for"));
  huge.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const handler = handlers.get(new URL(req.url ?? "/", "http://x").pathname);
    if (!handler) return void res.writeHead(404).end();
    const streamed = handler(req, res);
    if (streamed) huge = streamed;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    on: (path, handler) => void handlers.set(path, handler),
    lastHuge: () => huge,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Writes `total` bytes (a JSON string's opening, then letters) as fast as the client takes them. */
function stream(res: ServerResponse, total: number): Promise<Streamed> {
  return new Promise((resolve) => {
    const state = { written: 0, done: false };
    const finish = (cutOff: boolean) => {
      if (state.done) return;
      state.done = true;
      resolve({ written: state.written, cutOff });
    };
    res.on("close", () => finish(!res.writableFinished));
    res.write('{"a":"');
    const pump = () => {
      while (!state.done && state.written < total) {
        state.written += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once("drain", pump);
      }
      if (!state.done) res.end('"}', () => finish(false));
    };
    pump();
  });
}

const HUGE_TOTAL = 64 * MB;

/** 64 MB of JSON, chunked, without a Content-Length: only counting as it arrives can refuse it. */
export const hugeJson: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  return stream(res, HUGE_TOTAL);
};

/** 64 MB of JSON that says so in its Content-Length: refused before a byte of the body is read. */
export const hugeDeclared: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": String(HUGE_TOTAL + 8) });
  return stream(res, HUGE_TOTAL);
};

/** Takes the request and never answers. */
export const neverAnswers: Handler = () => undefined;

/** Sends the headers and the body's first bytes, then nothing more. */
export const stallsMidBody: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"access_token":"');
};

export const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    void res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

/** The error a request failed with, or a short note that it answered (a huge answer printed whole would sink the run). */
export const failureOf = (pending: Promise<unknown>): Promise<unknown> => pending.then(() => "answered, not refused", (error: unknown) => error);
