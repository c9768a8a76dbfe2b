/**
 * An OpenAI-compatible Chat Completions client with streaming (OpenAI, Azure OpenAI, Ollama, vLLM), over fetch:
 * no SDK, so the same code speaks to every server that implements `/chat/completions` with `stream: true`.
 */
import { redact } from "../redact";
import { AssistantError, type Assistant, type ChatMessage } from "./assistant";
import { fitHistory } from "./history-budget";

export interface OpenAIAssistantOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Azure OpenAI wants `api-key` and an api-version query parameter. */
  azureApiVersion?: string;
  /** How long to wait for the response to start (connect, send, headers). */
  connectTimeoutMs?: number;
  /** How long the stream may stay silent between chunks before the reply is given up as stalled. */
  idleTimeoutMs?: number;
  /** How long one reply may stream in all, keep-alives or not (REPLY_TIMEOUT_MS). */
  replyTimeoutMs?: number;
  /** The most characters of the thread sent with a turn; older messages beyond it are left out (history-budget.ts). */
  historyMaxChars?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * The longest one reply may stream. The idle timeout hears every chunk, SSE comments included, as it must (servers
 * send `: keep-alive` while a model thinks), so a server or proxy that sends only those held the reply, its request
 * and its stream open for as long as it went on. No real reply streams for half an hour.
 */
export const REPLY_TIMEOUT_MS = 30 * 60_000;
/**
 * The longest SSE line read: a real one is a chunk of JSON with a few tokens. A body without line breaks (a proxy's
 * page, a broken server) was kept whole in memory while it lasted.
 */
export const SSE_LINE_MAX = 1024 * 1024;
/** About 50,000 tokens: room for a long conversation in any current model's context, with space left for the reply. */
export const DEFAULT_HISTORY_MAX_CHARS = 200_000;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 6_000) / 10} min` : seconds(ms));

type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function toWireMessage(message: ChatMessage) {
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) return { role: message.role, content: message.content };
  const parts: ContentPart[] = [{ type: "text", text: message.content }];
  for (const a of attachments) {
    if (a.imageDataUrl) parts.push({ type: "image_url", image_url: { url: a.imageDataUrl } });
    else if (a.text !== undefined) parts.push({ type: "text", text: `Attached file ${a.name}:\n\n${a.text}` });
    else parts.push({ type: "text", text: `(Attached file ${a.name}, ${a.mime}, not readable as text.)` });
  }
  return { role: message.role, content: parts };
}

/** Yields the `data:` payloads of a server-sent-events body; `onChunk` hears of every chunk, keep-alives included. */
async function* sseData(body: ReadableStream<Uint8Array>, onChunk: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    onChunk();
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("data:")) yield line.slice(5).trim();
    }
    if (buffer.length > SSE_LINE_MAX) throw new AssistantError("The assistant's answer is not a reply stream (a line of more than 1 MB).");
  }
}

/** What is read of a refusal's body for its message: its start says why; the rest (a page, an endless stream) is not read. */
const ERROR_BODY_MAX = 4096;

async function headOf(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = total < maxBytes ? await reader.read() : { done: true, value: undefined }) {
    chunks.push(read.value);
    total += read.value.byteLength;
  }
  void reader.cancel().catch(() => undefined);
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

/**
 * A refusal's reason as a person reads it: OpenAI, Azure OpenAI and vLLM send `{"error":{"message":…}}`, Ollama
 * `{"error":"…"}`; the message was shown in the thread wrapped in its JSON. Any other body is kept as it came.
 */
export function refusalDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    const error = parsed?.error;
    if (typeof error === "string" && error.trim()) return error.trim();
    const message = (error as { message?: unknown } | null | undefined)?.message;
    if (typeof message === "string" && message.trim()) return message.trim();
  } catch {
    // not JSON: a proxy's page, plain text
  }
  return body.trim();
}

export function createOpenAIAssistant(options: OpenAIAssistantOptions): Assistant {
  const base = options.baseUrl.replace(/\/+$/, "");
  const url = `${base}/chat/completions${options.azureApiVersion ? `?api-version=${encodeURIComponent(options.azureApiVersion)}` : ""}`;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream" };
  if (options.apiKey) headers[options.azureApiVersion ? "api-key" : "authorization"] = options.azureApiVersion ? options.apiKey : `Bearer ${options.apiKey}`;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const replyTimeoutMs = options.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
  const historyMaxChars = options.historyMaxChars ?? DEFAULT_HISTORY_MAX_CHARS;

  return {
    name: options.model,
    isDemo: false,
    historyMaxChars,
    async *stream(messages, { signal }) {
      // One controller for the caller's cancel and our timeouts; `timedOut` says which of ours fired.
      const controller = new AbortController();
      const cancel = () => controller.abort();
      signal.addEventListener("abort", cancel, { once: true });
      let timedOut: "connect" | "idle" | "reply" | null = null;
      let timer: NodeJS.Timeout | undefined;
      const replyTimer = setTimeout(() => {
        timedOut = "reply";
        controller.abort();
      }, replyTimeoutMs);
      const arm = (kind: "connect" | "idle", ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = kind;
          controller.abort();
        }, ms);
      };
      try {
        let response: Response;
        arm("connect", connectTimeoutMs);
        try {
          response = await fetch(url, {
            method: "POST",
            headers,
            signal: controller.signal,
            body: JSON.stringify({ model: options.model, stream: true, messages: fitHistory(messages, historyMaxChars).map(toWireMessage) }),
          });
        } catch (error) {
          if (signal.aborted) return;
          if (timedOut) throw new AssistantError(`The assistant did not answer within ${seconds(connectTimeoutMs)}.`);
          throw new AssistantError(`The assistant could not be reached (${redact((error as Error).message, [options.apiKey])}).`);
        }
        if (!response.ok || !response.body) {
          // Some servers quote the key they refused; the message is stored in the thread and logged, so it is taken out,
          // before the cut: a key straddling the 300th character was cut first and its start was shown, unredacted.
          const detail = redact(refusalDetail(await headOf(response.body, ERROR_BODY_MAX).catch(() => "")), [options.apiKey]).slice(0, 300);
          throw new AssistantError(`The assistant answered ${response.status}${detail ? `: ${detail}` : ""}`);
        }
        arm("idle", idleTimeoutMs);
        try {
          for await (const data of sseData(response.body, () => arm("idle", idleTimeoutMs))) {
            if (data === "[DONE]") return;
            let parsed: { choices?: { delta?: { content?: string | null } }[]; error?: { message?: string } };
            try {
              parsed = JSON.parse(data);
            } catch {
              continue; // keep-alive comments and partial vendor extensions
            }
            if (parsed.error) throw new AssistantError(`The assistant failed: ${redact(parsed.error.message ?? "unknown error", [options.apiKey])}`);
            const token = parsed.choices?.[0]?.delta?.content;
            if (token) yield token;
          }
        } catch (error) {
          // A stalled stream ends like a failed one: continueThread keeps what arrived and records the error.
          if (timedOut === "idle" && !signal.aborted) throw new AssistantError(`The assistant stopped sending for ${seconds(idleTimeoutMs)}; the reply is incomplete.`);
          if (timedOut === "reply" && !signal.aborted) throw new AssistantError(`The reply went on for more than ${minutes(replyTimeoutMs)} and was cut there.`);
          throw error;
        }
      } finally {
        clearTimeout(timer);
        clearTimeout(replyTimer);
        signal.removeEventListener("abort", cancel);
      }
    },
  };
}
