import type { ServerEnv } from "../env";
import type { Assistant } from "./assistant";
import { createDemoAssistant } from "./demo-assistant";
import { createOpenAIAssistant } from "./openai-assistant";

/** OPENAI_BASE_URL set → that server; otherwise the offline demo assistant of the embedded default. */
export function selectAssistant(
  env: Pick<ServerEnv, "OPENAI_BASE_URL" | "OPENAI_API_KEY" | "OPENAI_MODEL"> & Partial<Pick<ServerEnv, "OPENAI_CONNECT_TIMEOUT_MS" | "OPENAI_IDLE_TIMEOUT_MS">>,
  raw: Record<string, string | undefined> = {}): Assistant {
  if (!env.OPENAI_BASE_URL) {
    const delay = Number(raw.DEMO_ASSISTANT_DELAY_MS);
    return createDemoAssistant(Number.isFinite(delay) && delay >= 0 ? { delayMs: delay } : {});
  }
  return createOpenAIAssistant({
    baseUrl: env.OPENAI_BASE_URL,
    apiKey: env.OPENAI_API_KEY,
    model: env.OPENAI_MODEL ?? "gpt-4o-mini",
    azureApiVersion: raw.OPENAI_API_VERSION,
    connectTimeoutMs: env.OPENAI_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: env.OPENAI_IDLE_TIMEOUT_MS,
  });
}
