/**
 * An OpenAI-compatible Chat Completions client with streaming (OpenAI, Azure OpenAI, Ollama, vLLM), over fetch:
 * no SDK, so the same code speaks to every server that implements `/chat/completions` with `stream: true`.
 */
import { redact } from "../redact";
import { AssistantError, type Assistant, type ChatMessage } from "./assistant";

export interface OpenAIAssistantOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Azure OpenAI wants `api-key` and an api-version query parameter. */
  azureApiVersion?: string;
}

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

/** Yields the `data:` payloads of a server-sent-events body. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("data:")) yield line.slice(5).trim();
    }
  }
}

export function createOpenAIAssistant(options: OpenAIAssistantOptions): Assistant {
  const base = options.baseUrl.replace(/\/+$/, "");
  const url = `${base}/chat/completions${options.azureApiVersion ? `?api-version=${encodeURIComponent(options.azureApiVersion)}` : ""}`;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream" };
  if (options.apiKey) headers[options.azureApiVersion ? "api-key" : "authorization"] = options.azureApiVersion ? options.apiKey : `Bearer ${options.apiKey}`;

  return {
    name: options.model,
    isDemo: false,
    async *stream(messages, { signal }) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers,
          signal,
          body: JSON.stringify({ model: options.model, stream: true, messages: messages.map(toWireMessage) }),
        });
      } catch (error) {
        if (signal.aborted) return;
        throw new AssistantError(`The assistant could not be reached (${redact((error as Error).message, [options.apiKey])}).`);
      }
      if (!response.ok || !response.body) {
        // Some servers quote the key they refused; the message is stored in the thread and logged, so it is taken out.
        const detail = redact((await response.text().catch(() => "")).slice(0, 300), [options.apiKey]);
        throw new AssistantError(`The assistant answered ${response.status}${detail ? `: ${detail}` : ""}`);
      }
      for await (const data of sseData(response.body)) {
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
    },
  };
}
