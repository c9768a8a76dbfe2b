import type { ServerEnv } from "../env";
import type { Assistant } from "./assistant";
import { createDemoAssistant } from "./demo-assistant";
import { createOpenAIAssistant } from "./openai-assistant";

/** OPENAI_BASE_URL set → that server; otherwise the offline demo assistant of the embedded default. */
export function selectAssistant(
  env: Pick<ServerEnv, "OPENAI_BASE_URL" | "OPENAI_API_KEY" | "OPENAI_MODEL"> &
    Partial<Pick<ServerEnv, "OPENAI_CONNECT_TIMEOUT_MS" | "OPENAI_IDLE_TIMEOUT_MS" | "OPENAI_HISTORY_MAX_CHARS" | "OPENAI_API_VERSION" | "DEMO_ASSISTANT_DELAY_MS">>,
): Assistant {
  if (!env.OPENAI_BASE_URL) return createDemoAssistant({ delayMs: env.DEMO_ASSISTANT_DELAY_MS });
  return createOpenAIAssistant({
    baseUrl: env.OPENAI_BASE_URL,
    apiKey: env.OPENAI_API_KEY,
    model: env.OPENAI_MODEL ?? "gpt-4o-mini",
    azureApiVersion: env.OPENAI_API_VERSION,
    connectTimeoutMs: env.OPENAI_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: env.OPENAI_IDLE_TIMEOUT_MS,
    historyMaxChars: env.OPENAI_HISTORY_MAX_CHARS,
  });
}
