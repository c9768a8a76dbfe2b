import { randomUUID } from "node:crypto";
import { PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { callerFor, newThread, sessionUser, type Caller } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitThread, chainlitTurn } from "../../../test/data-fixtures";
import type { ChatEvent } from "./continue-thread";

const harness = chatHarness();

const put = (Item: Record<string, AttributeValue>) => harness.services.data.context.doc.send(new PutItemCommand({ TableName: harness.services.data.context.tableName, Item }));
const S = (value: string): AttributeValue => ({ S: value });
const objectExists = (key: string) => harness.services.storage.read(key, { maxBytes: 1024 }).then(() => true, () => false);

/** A thread Chainlit wrote: an earlier turn, then the newest one with a tool call, a file and 👎 on its run (Chainlit's shape). */
async function chainlitWritten(userId: string) {
  const threadId = randomUUID();
  const earlier = chainlitTurn(userId, threadId, { question: "first question", answer: "first answer" });
  const at = (s: number) => `2025-03-04T10:12:${String(s).padStart(2, "0")}.000001Z`;
  const newest = chainlitTurn(userId, threadId, { question: "second question", answer: "zanzibar lighthouse answer", askedAt: at(1), ranAt: at(2), repliedAt: at(4), endedAt: at(5) });
  const [message, run, reply] = newest.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
  // Chainlit's upsert_feedback SETs the map on the run (docs/chainlit.md, "Feedback").
  run.feedback = { M: { id: S(`THREAD#${threadId}::STEP#${newest.runId}`), forId: S(newest.runId), threadId: S(threadId), value: { N: "0" }, comment: S("wrong") } };
  const toolId = `ct-${randomUUID()}`;
  const tool = { ...reply, SK: S(`STEP#${toolId}`), id: S(toolId), type: S("tool"), name: S("lookup"), output: S("tool said zanzibar"), createdAt: S(at(3)), start: S(at(3)), end: S(at(3)) };
  for (const item of [chainlitThread(userId, threadId).thread, ...earlier.steps, message, run, tool, reply]) await put(item);
  return { threadId, earlier, newest, toolId };
}

describe("chat.regenerate", () => {
  it("answers the newest question again with the history it had; the old reply, its tool step, feedback and file go; Chainlit's shape stays", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const { threadId, earlier, newest, toolId } = await chainlitWritten(alice.id);
    // A file on the old reply, stored as the upload route stores one.
    const elementId = randomUUID();
    await harness.services.data.createElement({ id: elementId, threadId, type: "file", name: "chart.csv", mime: "text/csv", forId: newest.replyId, display: "inline", content: "a,b\n1,2\n" }, { owner: alice.id });
    const objectKey = (await harness.services.data.getElement(threadId, elementId))!.objectKey!;
    expect(await objectExists(objectKey)).toBe(true);
    // The 👎 filter and search know the thread (catch-up of Chainlit's writes), and find the old reply.
    expect((await as.threads.list({ feedback: 0 })).data.map((t) => t.id)).toEqual([threadId]);
    await as.search.prepare();
    expect((await as.search.query({ query: "zanzibar" })).data.map((hit) => hit.id)).toEqual([threadId]);

    const events = await drain(await as.chat.regenerate({ threadId, stepId: newest.replyId }));
    expect(events[0]).toMatchObject({ type: "start", threadId, userStepId: newest.messageId });
    expect(events.at(-1)).toMatchObject({ type: "done", output: "Echo: second question" });
    // The same history the old reply had: the earlier turn and the question, never the old reply itself.
    expect(harness.fake.requests.at(-1)!.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "first question"],
      ["assistant", "first answer"],
      ["user", "second question"],
    ]);

    const thread = (await harness.services.data.getThread(threadId))!;
    const ids = new Set(thread.steps.map((s) => s.id));
    for (const gone of [newest.runId, newest.replyId, toolId]) expect(ids.has(gone)).toBe(false);
    for (const kept of [earlier.messageId, earlier.runId, earlier.replyId, newest.messageId]) expect(ids.has(kept)).toBe(true);
    const start = events[0] as Extract<ChatEvent, { type: "start" }>;
    expect(thread.steps.find((s) => s.id === start.runStepId)).toMatchObject({ type: "run", name: "on_message", parentId: newest.messageId, input: "second question" });
    expect(thread.steps.find((s) => s.id === start.assistantStepId)).toMatchObject({ type: "assistant_message", parentId: start.runStepId, output: "Echo: second question", streaming: false });
    // The file: its item, search entry and object.
    expect(thread.elements.map((e) => e.id)).not.toContain(elementId);
    expect(await objectExists(objectKey)).toBe(false);
    // Its feedback and the marker behind the filter; its search entries.
    expect((await as.threads.list({ feedback: 0 })).data).toEqual([]);
    expect((await as.search.query({ query: "zanzibar" })).data).toEqual([]);
    expect((await as.search.query({ query: "echo" })).data.map((hit) => hit.id)).toEqual([threadId]);
    expect(thread.steps.every((s) => !s.feedback)).toBe(true);
  });

  it("replaces a reply this app wrote, with its 👍 and marker, and can do it again on the new reply", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const threadId = await newThread(harness.services, alice);
    await drain(await as.chat.send({ threadId, messageId: randomUUID(), content: "tell me" }));
    const first = (await harness.services.data.getThread(threadId))!.steps;
    const run = first.find((s) => s.type === "run")!;
    const reply = first.find((s) => s.type === "assistant_message")!;
    await as.feedback.upsert({ threadId, forId: run.id, value: 1 });
    expect((await as.threads.list({ feedback: 1 })).data.map((t) => t.id)).toEqual([threadId]);

    await drain(await as.chat.regenerate({ threadId, stepId: reply.id }));
    const second = (await harness.services.data.getThread(threadId))!.steps;
    expect(second.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
    expect(second.some((s) => s.id === run.id || s.id === reply.id)).toBe(false);
    expect((await as.threads.list({ feedback: 1 })).data).toEqual([]);
    // The new reply is now the newest, and the old id names nothing any more.
    await drain(await as.chat.regenerate({ threadId, stepId: second[2]!.id }));
    await expect((async () => drain(await as.chat.regenerate({ threadId, stepId: reply.id })))()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await harness.services.data.getThread(threadId))!.steps).toHaveLength(3);
  });
});

describe("chat.regenerate refuses, and deletes nothing (hostile)", () => {
  let alice: ReturnType<typeof sessionUser>;
  let as: Caller;
  beforeAll(() => {
    alice = sessionUser();
    as = callerFor(harness.services, alice);
  });
  const stepsOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.steps.map((s) => s.id).sort();
  const regenerate = async (threadId: string, stepId: string) => drain(await callerFor(harness.services, alice).chat.regenerate({ threadId, stepId }));
  const codeOf = (run: Promise<unknown>) => run.then(() => "resolved", (error: { code?: string }) => String(error.code));

  it("a user message, an older reply, a tool step, a step of another thread: each refused with the thread as it was", async () => {
    const { threadId, earlier, newest, toolId } = await chainlitWritten(alice.id);
    const other = await chainlitWritten(alice.id);
    const before = await stepsOf(threadId);
    const outcomes = {
      question: await codeOf(regenerate(threadId, newest.messageId)),
      "older reply": await codeOf(regenerate(threadId, earlier.replyId)),
      run: await codeOf(regenerate(threadId, newest.runId)),
      tool: await codeOf(regenerate(threadId, toolId)),
      "another thread's reply": await codeOf(regenerate(threadId, other.newest.replyId)),
      unknown: await codeOf(regenerate(threadId, randomUUID())),
    };
    expect(outcomes).toEqual({ question: "BAD_REQUEST", "older reply": "BAD_REQUEST", run: "BAD_REQUEST", tool: "BAD_REQUEST", "another thread's reply": "NOT_FOUND", unknown: "NOT_FOUND" });
    expect(await stepsOf(threadId)).toEqual(before);
    expect(await stepsOf(other.threadId)).toHaveLength(7);
    // Refusals take their claim back: the newest reply itself still regenerates.
    expect(await codeOf(regenerate(threadId, newest.replyId))).toBe("resolved");
  });

  it("a reply still being written (its run has no end) is CONFLICT; one its server left open for longer than any reply streams is replaced", async () => {
    const openTurn = async (startedAt: string) => {
      const threadId = randomUUID();
      const turn = chainlitTurn(alice.id, threadId, { question: "still going", answer: "half an ans", askedAt: startedAt, ranAt: startedAt, repliedAt: startedAt });
      const [message, run, reply] = turn.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
      const { end: _end, ...open } = run;
      for (const item of [chainlitThread(alice.id, threadId).thread, message, open, { ...reply, streaming: { BOOL: true } }]) await put(item);
      return { threadId, turn };
    };
    const live = await openTurn(new Date().toISOString());
    const before = await stepsOf(live.threadId);
    expect(await codeOf(regenerate(live.threadId, live.turn.replyId))).toBe("CONFLICT");
    expect(await stepsOf(live.threadId)).toEqual(before);
    const dead = await openTurn(new Date(Date.now() - 40 * 60_000).toISOString());
    expect(await codeOf(regenerate(dead.threadId, dead.turn.replyId))).toBe("resolved");
  });

  it("two requests for the same reply at once: one regenerates, the other is CONFLICT; the thread holds one new reply", async () => {
    const threadId = await newThread(harness.services, alice);
    await drain(await as.chat.send({ threadId, messageId: randomUUID(), content: "twice" }));
    const reply = (await harness.services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!;
    const outcomes = await Promise.all([codeOf(regenerate(threadId, reply.id)), codeOf(regenerate(threadId, reply.id))]);
    expect(outcomes.toSorted()).toEqual(["CONFLICT", "resolved"]);
    const steps = (await harness.services.data.getThread(threadId))!.steps;
    expect(steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
  });

  it("counts against the message budget as a send does; refused over it, the old reply stays", async () => {
    const limited = { ...harness.services, env: { ...harness.services.env, CHAT_MESSAGES_PER_MINUTE: 2 } };
    const user = sessionUser();
    const threadId = await newThread(limited, user);
    await drain(await callerFor(limited, user).chat.send({ threadId, messageId: randomUUID(), content: "one" }));
    const reply = (await harness.services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!;
    await drain(await callerFor(limited, user).chat.regenerate({ threadId, stepId: reply.id }));
    const newer = (await harness.services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!;
    const before = await stepsOf(threadId);
    expect(await codeOf((async () => drain(await callerFor(limited, user).chat.regenerate({ threadId, stepId: newer.id })))())).toBe("TOO_MANY_REQUESTS");
    expect(await stepsOf(threadId)).toEqual(before);
  });
});
