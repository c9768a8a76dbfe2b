import { randomUUID } from "node:crypto";
import { GetItemCommand, PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DataError } from "@/data";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import { readSharePage } from "@/server/share/shared-thread";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitThread, chainlitTurn } from "../../../test/data-fixtures";
import { MESSAGE_MAX } from "./composer-settings";
import type { ChatEvent } from "./continue-thread";
import { claimThread, releaseThreadClaim } from "./thread-claim";

const harness = chatHarness();
const table = () => harness.services.data.context;
const put = (Item: Record<string, AttributeValue>) => table().doc.send(new PutItemCommand({ TableName: table().tableName, Item }));
const rawStep = async (threadId: string, stepId: string) =>
  (await table().doc.send(new GetItemCommand({ TableName: table().tableName, Key: { PK: { S: `THREAD#${threadId}` }, SK: { S: `STEP#${stepId}` } }, ConsistentRead: true }))).Item;
const S = (value: string): AttributeValue => ({ S: value });
const objectExists = (key: string) => harness.services.storage.read(key, { maxBytes: 1024 }).then(() => true, () => false);
const codeOf = (run: Promise<unknown>) => run.then(() => "resolved", (error: { code?: string }) => String(error.code));
const stepsOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.steps.map((s) => [s.id, s.output ?? null]).sort();

/** Three turns Chainlit wrote (user_message → on_message run → assistant_message), the middle one with a tool step and 👎 on its run. */
async function chainlitThreeTurns(userId: string) {
  const threadId = randomUUID();
  const at = (minute: number, s: number) => `2025-03-04T10:${minute}:${String(s).padStart(2, "0")}.000001Z`;
  const turn = (minute: number, question: string, answer: string) =>
    chainlitTurn(userId, threadId, { question, answer, askedAt: at(minute, 1), ranAt: at(minute, 2), repliedAt: at(minute, 4), endedAt: at(minute, 5) });
  const first = turn(11, "first question", "first answer");
  const middle = turn(12, "which zanzibar lighthouse", "the zanzibar one");
  const last = turn(13, "and after that", "the final answer");
  const [, run, reply] = middle.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
  run.feedback = { M: { id: S(`THREAD#${threadId}::STEP#${middle.runId}`), forId: S(middle.runId), threadId: S(threadId), value: { N: "0" }, comment: S("wrong") } };
  const toolId = `ct-${randomUUID()}`;
  const tool = { ...reply, SK: S(`STEP#${toolId}`), id: S(toolId), type: S("tool"), name: S("lookup"), output: S("tool said zanzibar"), createdAt: S(at(12, 3)), start: S(at(12, 3)) };
  for (const item of [chainlitThread(userId, threadId).thread, ...first.steps, ...middle.steps, tool, ...last.steps]) await put(item);
  return { threadId, first, middle, last, toolId };
}

describe("chat.edit", () => {
  it("a Chainlit thread: the middle question gets new words, every later turn goes (steps, 👎, search entries, files), the question's own file stays", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const { threadId, first, middle, last, toolId } = await chainlitThreeTurns(alice.id);
    const file = async (forId: string, name: string) => {
      const id = randomUUID();
      await harness.services.data.createElement({ id, threadId, type: "file", name, mime: "text/csv", forId, display: "inline", content: "a,b\n1,2\n" }, { owner: alice.id });
      return { id, objectKey: (await harness.services.data.getElement(threadId, id))!.objectKey! };
    };
    const onReply = await file(last.replyId, "later.csv");
    const onQuestion = await file(middle.messageId, "mine.csv");
    const before = await rawStep(threadId, middle.messageId);
    expect((await as.threads.list({ feedback: 0 })).data.map((t) => t.id)).toEqual([threadId]);
    await as.search.prepare();
    expect((await as.search.query({ query: "zanzibar" })).data.map((hit) => hit.id)).toEqual([threadId]);

    const events = await drain(await as.chat.edit({ threadId, stepId: middle.messageId, content: "which quokka island" }));
    expect(events[0]).toMatchObject({ type: "start", threadId, userStepId: middle.messageId });
    expect(events.at(-1)).toMatchObject({ type: "done", output: expect.stringContaining("Echo: which quokka island") });
    // History up to the edited message, the question as edited; the question's own file goes with it.
    const sent = harness.fake.requests.at(-1)!.messages;
    expect(sent.slice(0, 2).map((m) => [m.role, m.content])).toEqual([
      ["user", "first question"],
      ["assistant", "first answer"],
    ]);
    expect(sent).toHaveLength(3);
    expect(JSON.stringify(sent[2])).toContain("which quokka island");
    expect(JSON.stringify(sent[2])).toContain("mine.csv");

    const thread = (await harness.services.data.getThread(threadId))!;
    const ids = new Set(thread.steps.map((s) => s.id));
    for (const gone of [middle.runId, middle.replyId, toolId, ...[last.messageId, last.runId, last.replyId]]) expect(ids.has(gone)).toBe(false);
    for (const kept of [first.messageId, first.runId, first.replyId, middle.messageId]) expect(ids.has(kept)).toBe(true);
    const start = events[0] as Extract<ChatEvent, { type: "start" }>;
    expect(thread.steps.find((s) => s.id === start.runStepId)).toMatchObject({ type: "run", name: "on_message", parentId: middle.messageId, input: "which quokka island" });
    // Chainlit's item, field for field, but for its text (and when it was edited: Threadbook's own, for shares).
    const after = await rawStep(threadId, middle.messageId);
    expect(after).toEqual({ ...before, output: S("which quokka island"), editedAt: { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) } });
    // Files: the later turn's went (item and object), the question's stayed.
    expect(thread.elements.map((e) => e.id)).toEqual([onQuestion.id]);
    expect(await objectExists(onReply.objectKey)).toBe(false);
    expect(await objectExists(onQuestion.objectKey)).toBe(true);
    // 👎 and its marker; search finds the new words and not the old.
    expect((await as.threads.list({ feedback: 0 })).data).toEqual([]);
    expect(thread.steps.every((s) => !s.feedback)).toBe(true);
    expect((await as.search.query({ query: "zanzibar" })).data).toEqual([]);
    expect((await as.search.query({ query: "quokka" })).data.map((hit) => hit.id)).toEqual([threadId]);
  });

  it("a thread this app wrote: editing the newest question replaces its reply; it can be edited again at once, and its reply regenerated", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const threadId = await newThread(harness.services, alice);
    const messageId = randomUUID();
    await drain(await as.chat.send({ threadId, messageId, content: "tell me" }));
    await drain(await as.chat.edit({ threadId, stepId: messageId, content: "tell me more" }));
    await drain(await as.chat.edit({ threadId, stepId: messageId, content: "tell me everything" }));
    const steps = (await harness.services.data.getThread(threadId))!.steps;
    expect(steps.map((s) => [s.type, s.output])).toEqual([
      ["user_message", "tell me everything"],
      ["run", undefined],
      ["assistant_message", "Echo: tell me everything"],
    ]);
    expect(await codeOf((async () => drain(await as.chat.regenerate({ threadId, stepId: steps[2]!.id })))())).toBe("resolved");
  });
});

describe("chat.edit refuses, and writes nothing (hostile)", () => {
  const alice = sessionUser();
  const edit = async (threadId: string, stepId: string, content = "pwned") => drain(await callerFor(harness.services, alice).chat.edit({ threadId, stepId, content }));

  it("a reply, a run, a tool step, an error, a code message, an answer given inside a reply, another thread's step: each refused", async () => {
    const { threadId, first, middle, toolId } = await chainlitThreeTurns(alice.id);
    const other = await chainlitThreeTurns(alice.id);
    const at = "2025-03-04T10:12:04.500001Z";
    const chainlitMessage = middle.steps[0]!;
    const [failed, code, asked] = [randomUUID(), randomUUID(), randomUUID()];
    await put({ ...chainlitMessage, SK: S(`STEP#${failed}`), id: S(failed), isError: { BOOL: true }, createdAt: S(at), start: S(at) });
    await put({ ...chainlitMessage, SK: S(`STEP#${code}`), id: S(code), language: S("json"), createdAt: S(at), start: S(at) });
    // AskUserMessage: the user's answer is written under the run that asked.
    await put({ ...chainlitMessage, SK: S(`STEP#${asked}`), id: S(asked), parentId: S(middle.runId), createdAt: S(at), start: S(at) });
    const before = await stepsOf(threadId);
    const outcomes = {
      reply: await codeOf(edit(threadId, first.replyId)),
      run: await codeOf(edit(threadId, first.runId)),
      tool: await codeOf(edit(threadId, toolId)),
      "error step": await codeOf(edit(threadId, failed)),
      "code message": await codeOf(edit(threadId, code)),
      "answer inside a reply": await codeOf(edit(threadId, asked)),
      "empty text": await codeOf(edit(threadId, first.messageId, "  ")),
      "too long": await codeOf(edit(threadId, first.messageId, "x".repeat(MESSAGE_MAX + 1))),
      "another thread's question": await codeOf(edit(threadId, other.middle.messageId)),
      unknown: await codeOf(edit(threadId, randomUUID())),
    };
    expect(outcomes).toEqual({
      reply: "BAD_REQUEST",
      run: "BAD_REQUEST",
      tool: "BAD_REQUEST",
      "error step": "BAD_REQUEST",
      "code message": "BAD_REQUEST",
      "answer inside a reply": "BAD_REQUEST",
      "empty text": "BAD_REQUEST",
      "too long": "BAD_REQUEST",
      "another thread's question": "NOT_FOUND",
      unknown: "NOT_FOUND",
    });
    expect(await stepsOf(threadId)).toEqual(before);
    expect((await harness.services.data.getThread(other.threadId))!.steps).toHaveLength(10);
    // Refusals take their claim back: the question itself still edits.
    expect(await codeOf(edit(threadId, first.messageId, "first, again"))).toBe("resolved");
  });

  it("while the newest reply is still being written (its run has no end): CONFLICT, for any question of the thread", async () => {
    const { threadId, first, last } = await chainlitThreeTurns(alice.id);
    const now = new Date().toISOString();
    const [, run, reply] = last.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
    const { end: _end, ...open } = run;
    await put({ ...open, createdAt: S(now), start: S(now) });
    await put({ ...reply, streaming: { BOOL: true }, createdAt: S(now), start: S(now) });
    const before = await stepsOf(threadId);
    expect(await codeOf(edit(threadId, last.messageId))).toBe("CONFLICT");
    expect(await codeOf(edit(threadId, first.messageId))).toBe("CONFLICT");
    expect(await stepsOf(threadId)).toEqual(before);
  });

  it("an edit beside a regenerate, or two edits, at once: one goes through, the other is CONFLICT", async () => {
    const as = callerFor(harness.services, alice);
    const threadId = await newThread(harness.services, alice);
    const messageId = randomUUID();
    await drain(await as.chat.send({ threadId, messageId, content: "once" }));
    const reply = (await harness.services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!;
    const regenerate = async () => drain(await as.chat.regenerate({ threadId, stepId: reply.id }));
    expect((await Promise.all([codeOf(edit(threadId, messageId, "twice")), codeOf(regenerate())])).toSorted()).toEqual(["CONFLICT", "resolved"]);
    expect((await Promise.all([codeOf(edit(threadId, messageId, "a")), codeOf(edit(threadId, messageId, "b"))])).toSorted()).toEqual(["CONFLICT", "resolved"]);
    expect((await harness.services.data.getThread(threadId))!.steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
  });

  it("counts against the message budget as a send does; refused over it, nothing changes", async () => {
    const limited = { ...harness.services, env: { ...harness.services.env, CHAT_MESSAGES_PER_MINUTE: 1 } };
    const user = sessionUser();
    const threadId = await newThread(limited, user);
    const messageId = randomUUID();
    await drain(await callerFor(limited, user).chat.send({ threadId, messageId, content: "one" }));
    const before = await stepsOf(threadId);
    expect(await codeOf((async () => drain(await callerFor(limited, user).chat.edit({ threadId, stepId: messageId, content: "two" })))())).toBe("TOO_MANY_REQUESTS");
    expect(await stepsOf(threadId)).toEqual(before);
  });
});

describe("the claim on a thread while it is rewritten", () => {
  // A user per test: each edit counts against its user's message budget.
  let user = sessionUser();
  beforeEach(() => void (user = sessionUser()));
  const editAs = async (services: typeof harness.services, threadId: string, stepId: string, content: string) => drain(await callerFor(services, user).chat.edit({ threadId, stepId, content }));
  const sentThread = async () => {
    const threadId = await newThread(harness.services, user);
    const messageId = randomUUID();
    await drain(await callerFor(harness.services, user).chat.send({ threadId, messageId, content: "once" }));
    return { threadId, messageId };
  };

  it("a client that leaves before the edit begins changes nothing and leaves the thread free (its claim held it for 5 min)", async () => {
    const { threadId, messageId } = await sentThread();
    const before = await stepsOf(threadId);
    const request = new AbortController();
    const caller = createCaller(createInnerContext({ user, services: harness.services }), { signal: request.signal });
    const events = await caller.chat.edit({ threadId, stepId: messageId, content: "never sent" });
    // The tab closes before the stream is read; the server disposes of the unstarted events.
    request.abort();
    await events.return(undefined);
    expect(await stepsOf(threadId)).toEqual(before);
    await vi.waitFor(async () => expect(await codeOf(editAs(harness.services, threadId, messageId, "again"))).toBe("resolved"), { timeout: 2000 });
    expect((await stepsOf(threadId)).map(([, output]) => output)).toContain("again");
  });

  it("a gate that fails before its claim is taken still gives the claim back (the thread was held for 5 min)", async () => {
    const { threadId, messageId } = await sentThread();
    const data = harness.services.data;
    let failing = true;
    let taken: Promise<unknown> = Promise.resolve();
    // The claim's write lands after the thread's read has failed (a throttled read: 503), as requests sent side by side may.
    const slowClaim = Object.create(data, {
      takeLease: { value: (...args: Parameters<typeof data.takeLease>) => (taken = new Promise((r) => setTimeout(r, 150)).then(() => data.takeLease(...args))) },
      getThreadOutline: {
        value: (...args: Parameters<typeof data.getThreadOutline>) => {
          if (!failing) return data.getThreadOutline(...args);
          failing = false;
          return Promise.reject(new DataError("unavailable", "throttled"));
        },
      },
    }) as typeof data;
    expect(await codeOf(editAs({ ...harness.services, data: slowClaim }, threadId, messageId, "first try"))).toBe("SERVICE_UNAVAILABLE");
    await taken;
    expect(await codeOf(editAs(harness.services, threadId, messageId, "retried"))).toBe("resolved");
  });

  it("runs its whole time from when it was taken, and only its holder gives it back", async () => {
    const data = harness.services.data;
    const threadId = randomUUID();
    const window = 5 * 60_000;
    const t0 = Date.now();
    const first = await claimThread(data, user.identifier, threadId, t0);
    expect(first).not.toBeNull();
    expect(await claimThread(data, user.identifier, threadId, t0 + 1000)).toBeNull();
    await releaseThreadClaim(data, user.identifier, threadId, first);
    // Taken again a second before the first claim's time would have run out: a request a moment later is still refused.
    const late = await claimThread(data, user.identifier, threadId, t0 + window - 1000);
    expect(late).not.toBeNull();
    expect(await claimThread(data, user.identifier, threadId, t0 + window + 1000)).toBeNull();
    // Another request's token gives nothing back.
    await releaseThreadClaim(data, user.identifier, threadId, randomUUID());
    expect(await claimThread(data, user.identifier, threadId, t0 + window + 2000)).toBeNull();
    // A holder that never gave it back (its server died): free once its own time has run out.
    expect(await claimThread(data, user.identifier, threadId, t0 + 2 * window)).not.toBeNull();
  });
});

describe("chat.edit and a share made before it", () => {
  it("a question edited after the thread was shared leaves the share with what follows it: no viewer or copy sees words typed since", async () => {
    const owner = sessionUser();
    const viewer = sessionUser();
    const as = callerFor(harness.services, owner);
    const threadId = await newThread(harness.services, owner);
    const [first, second] = [randomUUID(), randomUUID()];
    await drain(await as.chat.send({ threadId, messageId: first, content: "the shared question" }));
    await drain(await as.chat.send({ threadId, messageId: second, content: "the second shared question" }));
    await as.share.create({ threadId, access: "public", expiry: "1d" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await drain(await as.chat.edit({ threadId, stepId: second, content: "private words typed later" }));
    expect((await harness.services.data.getThread(threadId))!.steps.find((s) => s.id === second)!.output).toBe("private words typed later");

    const page = await readSharePage(harness.services, threadId, null);
    if (page.kind !== "shared") throw new Error(page.kind);
    expect(JSON.stringify(page.thread)).not.toContain("private words");
    expect(page.thread.steps.map((s) => s.output)).toEqual(expect.arrayContaining(["the shared question", "Echo: the shared question"]));
    expect(page.thread.steps.map((s) => s.id)).not.toContain(second);
    const { id: copyId } = await callerFor(harness.services, viewer).share.continue({ threadId });
    const copy = (await harness.services.data.getThread(copyId))!;
    expect(JSON.stringify(copy.steps)).not.toContain("private words");
    expect(copy.steps.map((s) => s.output)).toContain("the shared question");
  });
});
