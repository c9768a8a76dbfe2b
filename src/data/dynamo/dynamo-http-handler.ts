/**
 * The DynamoDB client's HTTP handler: the SDK's `HttpHandler` interface on node:http(s) with keep-alive, doing per
 * request only what a request needs. The SDK's NodeHttpHandler arms five timers per request (socket warning,
 * connection, request, socket idle, keep-alive), hands the body back as a stream for a second collector to gather,
 * and copies the headers; on this machine that was about half of the client's CPU per DynamoDB call (bench/HISTORY.md,
 * "Per-request cost"). Here one timer bounds the whole request, a second only while a new socket connects, and the
 * body comes back as one Buffer, which the SDK's deserializer takes as is.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from "@smithy/types";

export interface DynamoHttpHandlerOptions {
  /** Milliseconds a new connection may take to open (0: no limit). */
  connectionTimeout?: number;
  /** Milliseconds a whole request may take, connection and answer included (0: no limit). */
  requestTimeout?: number;
  /** Connections kept per host (the SDK's default is 50). */
  maxSockets?: number;
  /** The largest answer read; DynamoDB's largest (BatchGetItem) are 16 MB. Past it the request fails. */
  maxResponseBytes?: number;
}

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** What the SDK's retry strategy treats as transient (it retries a `TimeoutError`). */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: "TimeoutError" });
}

function abortError(): Error {
  return Object.assign(new Error("Request aborted"), { name: "AbortError" });
}

/** Node gives repeated headers as arrays; the SDK expects one string per header (as its own handler joins them). */
function responseHeaders(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in message.headers) {
    const value = message.headers[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(",") : value;
  }
  return out;
}

function requestPath(request: HttpRequest): string {
  let path = request.path || "/";
  if (request.query) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query)) {
      if (value === null) search.append(key, "");
      else for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
    }
    const query = search.toString();
    if (query) path += `?${query}`;
  }
  return path;
}

export class DynamoHttpHandler implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  readonly metadata = { handlerProtocol: "http/1.1" };
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly connectionTimeout: number;
  private readonly requestTimeout: number;
  private readonly maxResponseBytes: number;

  constructor(options: DynamoHttpHandlerOptions = {}) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 50 };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
    this.connectionTimeout = options.connectionTimeout ?? 0;
    this.requestTimeout = options.requestTimeout ?? 0;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** The SDK may hand its handler settings (e.g. a logger); this handler's are fixed at construction. */
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal as AbortSignal | undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    const isHttps = request.protocol === "https:";
    const timeoutMs = options.requestTimeout ?? this.requestTimeout;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error: Error | null, response?: HttpResponse) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener?.("abort", onAbort);
        if (error) {
          req.destroy();
          reject(error);
        } else resolve({ response: response! });
      };
      const onAbort = () => finish(abortError());
      const req: ClientRequest = (isHttps ? httpsRequest : httpRequest)(
        {
          host: request.hostname.startsWith("[") ? request.hostname.slice(1, -1) : request.hostname,
          port: request.port,
          method: request.method,
          path: requestPath(request),
          headers: request.headers as OutgoingHttpHeaders,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > this.maxResponseBytes) finish(new Error(`DynamoDB answer larger than ${this.maxResponseBytes} bytes`));
            else chunks.push(chunk);
          });
          res.on("end", () =>
            finish(null, {
              statusCode: res.statusCode ?? -1,
              reason: res.statusMessage,
              headers: responseHeaders(res),
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes),
            }),
          );
          res.on("error", (error) => finish(error));
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        finish(error.code === "ETIMEDOUT" || error.code === "ECONNRESET" ? Object.assign(error, { name: "TimeoutError" }) : error),
      );
      if (this.connectionTimeout > 0) req.once("socket", (socket: Socket) => this.boundConnect(socket, finish));
      if (timeoutMs > 0) timer = setTimeout(() => finish(timeoutError(`DynamoDB request took longer than ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener?.("abort", onAbort, { once: true });
      const body = request.body as string | Uint8Array | NodeJS.ReadableStream | undefined;
      if (body && typeof (body as NodeJS.ReadableStream).pipe === "function") (body as NodeJS.ReadableStream).pipe(req);
      else req.end(body as string | Uint8Array | undefined);
    });
  }

  /** Only a socket still connecting is timed: a kept-alive one is already open. */
  private boundConnect(socket: Socket, finish: (error: Error) => void): void {
    if (!socket.connecting) return;
    const timer = setTimeout(() => finish(timeoutError(`DynamoDB connection took longer than ${this.connectionTimeout} ms`)), this.connectionTimeout);
    socket.once("connect", () => clearTimeout(timer));
    socket.once("close", () => clearTimeout(timer));
  }
}
