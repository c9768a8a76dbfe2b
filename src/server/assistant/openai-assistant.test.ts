/**
 * The assistant endpoint cannot hold a reply open forever: no response within the connect timeout, or a stream silent
 * for the idle timeout, ends the reply with a clear error, and what arrived before a stall is kept on the thread.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/fake-openai";
import type { ChatEvent } from "../chat/continue-thread";
import type { Services } from "../services";
import { AssistantError } from "./assistant";
import { createOpenAIAssistant, refusalDetail } from "./openai-assistant";

let fake: FakeOpenAI;
let services: Services & { close(): Promise<void> };
const assistantWith = (timeouts: { connectTimeoutMs?: number; idleTimeoutMs?: number; replyTimeoutMs?: number }) =>
  createOpenAIAssistant({ baseUrl: fake.baseUrl, model: "fake-model", ...timeouts });

beforeAll(async () => {
  fake = await startFakeOpenAI({ tokenDelayMs: 1 });
  // 3 s of silence: a test file running beside others on a loaded machine can stall its own loop for a second.
  services = await createTestServices({ assistant: assistantWith({ connectTimeoutMs: 5_000, idleTimeoutMs: 3_000 }) });
});
afterAll(async () => {
  await services.close();
  await fake.stop();
});

async function drain(stream: AsyncIterable<string>): Promise<{ tokens: string[]; error: unknown }> {
  const tokens: string[] = [];
  try {
    for await (const token of stream) tokens.push(token);
    return { tokens, error: null };
  } catch (error) {
    return { tokens, error };
  }
}

const say = (content: string) => [{ role: "user" as const, content }];

/** One user message sent to an assistant with these options, its stream read to the end. */
const replyTo = (options: Parameters<typeof assistantWith>[0], content: string) => drain(assistantWith(options).stream(say(content), { signal: new AbortController().signal }));

/** The stream ended in an AssistantError saying exactly (or matching) `message`. */
function expectAssistantError(error: unknown, message: string | RegExp) {
  expect(error).toBeInstanceOf(AssistantError);
  if (typeof message === "string") expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe("assistant timeouts", () => {
  it("gives up on an endpoint that never answers, after the connect timeout", async () => {
    const { tokens, error } = await replyTo({ connectTimeoutMs: 300 }, "hello [no-headers]");
    expect(tokens).toEqual([]);
    expectAssistantError(error, "The assistant did not answer within 0.3 s.");
  });

  it("ends a stream that stalls between chunks, after the idle timeout, keeping the tokens that arrived", async () => {
    const { tokens, error } = await replyTo({ idleTimeoutMs: 1_000 }, "one two three [stall]");
    expect(tokens.join("")).toBe("Echo: one ");
    expectAssistantError(error, "The assistant stopped sending for 1 s; the reply is incomplete.");
  });

  it("ends a reply that streams only keep-alives after the reply timeout, however often they come (hostile: an endless stream of comments)", async () => {
    const { tokens, error } = await replyTo({ idleTimeoutMs: 3_000, replyTimeoutMs: 1_000 }, "[keep-alive]");
    expect(tokens).toEqual(["thinking"]);
    expectAssistantError(error, "The reply went on for more than 1 s and was cut there.");
  }, 15_000);

  it("refuses a body that is no reply stream (a line of 8 MB) before holding it whole", async () => {
    const { tokens, error } = await replyTo({ idleTimeoutMs: 3_000 }, "[one-line]");
    expect(tokens).toEqual([]);
    expectAssistantError(error, "The assistant's answer is not a reply stream (a line of more than 1 MB).");
  });

  it("says a refusal's reason as its JSON error message gives it, not wrapped in its JSON", async () => {
    const { error } = await replyTo({ connectTimeoutMs: 5_000 }, "[fail]");
    expectAssistantError(error, "The assistant answered 500: the model is overloaded");
  });

  it("reads the reason from each server's error shape, and keeps any other body as it came", () => {
    expect(refusalDetail(JSON.stringify({ error: { message: "Rate limit reached", type: "requests" } }))).toBe("Rate limit reached");
    expect(refusalDetail(JSON.stringify({ error: "model 'llama9' not found" }))).toBe("model 'llama9' not found");
    expect(refusalDetail(JSON.stringify({ detail: "Not Found" }))).toBe('{"detail":"Not Found"}');
    expect(refusalDetail("<html>502 Bad Gateway</html>\n")).toBe("<html>502 Bad Gateway</html>");
    expect(refusalDetail("")).toBe("");
  });

  it("never shows any part of the key a refusal quotes, even where the message is cut (hostile: the key straddles the cut)", async () => {
    const apiKey = "sk-proj-SECRETKEYSECRETKEYSECRETKEY0123456789";
    const { error } = await drain(createOpenAIAssistant({ baseUrl: fake.baseUrl, model: "fake-model", apiKey }).stream(say("[fail-quoting-key]"), { signal: new AbortController().signal }));
    expect(error).toBeInstanceOf(AssistantError);
    expect((error as Error).message).toMatch(/^The assistant answered 401: x{280} refused key \[redac/);
    expect((error as Error).message).not.toContain("sk-proj");
  });

  it("reads the start of a refusal's body for its message, never the rest (hostile: a 500 whose body never ends)", async () => {
    const { error } = await replyTo({ connectTimeoutMs: 5_000 }, "[fail-endless]");
    expectAssistantError(error, /^The assistant answered 500: the model is overloaded\nx+$/);
  });

  it("through chat.send: the stalled reply keeps what arrived and the turn records the error", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    await services.data.updateThread(threadId, { userId: alice.id, name: "stalls" });
    const events: ChatEvent[] = [];
    for await (const event of await callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "one two three [stall]" })) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: "error", message: "The assistant stopped sending for 3 s; the reply is incomplete." });
    const steps = (await services.data.getThread(threadId))!.steps;
    expect(steps.find((s) => s.type === "assistant_message" && !s.isError)).toMatchObject({ output: "Echo: one ", streaming: false });
    expect(steps.find((s) => s.isError && s.type === "assistant_message")).toMatchObject({ name: "Error", output: "The assistant stopped sending for 3 s; the reply is incomplete." });
  });
});

describe("what a turn sends", () => {
  it("sends only the newest messages that fit in historyMaxChars, the new question always among them", async () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 === 0 ? ("user" as const) : ("assistant" as const), content: `message ${i} `.padEnd(50, ".") }));
    const messages = [...history, { role: "user" as const, content: "the newest question" }];
    const { error } = await drain(createOpenAIAssistant({ baseUrl: fake.baseUrl, model: "fake-model", historyMaxChars: 250 }).stream(messages, { signal: new AbortController().signal }));
    expect(error).toBeNull();
    const sent = fake.requests.at(-1)!.messages.map((m) => String(m.content));
    expect(sent.at(-1)).toBe("the newest question");
    expect(sent.length).toBe(5);
    expect(sent[0]).toMatch(/^message 36 /);
    expect(sent.join("").length).toBeLessThanOrEqual(250);
  });
});
