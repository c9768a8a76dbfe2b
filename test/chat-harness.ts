/**
 * Test services whose assistant is the fake OpenAI server (it answers "Echo: <question>"), started once for a file,
 * and a turn's events read to the end: what the chat tests that stream replies share.
 */
import { afterAll, beforeAll } from "vitest";
import { createOpenAIAssistant } from "@/server/assistant/openai-assistant";
import type { ChatEvent } from "@/server/chat/continue-thread";
import { createTestServices } from "./callers";
import { startFakeOpenAI, type FakeOpenAI } from "./fake-openai";

export interface ChatHarness {
  fake: FakeOpenAI;
  services: Awaited<ReturnType<typeof createTestServices>>;
}

/** Filled in before the file's tests run (beforeAll), closed after them. */
export function chatHarness(): ChatHarness {
  const harness = {} as ChatHarness;
  beforeAll(async () => {
    harness.fake = await startFakeOpenAI({ tokenDelayMs: 1 });
    harness.services = await createTestServices({ assistant: createOpenAIAssistant({ baseUrl: harness.fake.baseUrl, apiKey: "test-key", model: "fake-model" }) });
  });
  afterAll(async () => {
    await harness.services.close();
    await harness.fake.stop();
  });
  return harness;
}

export async function drain(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
