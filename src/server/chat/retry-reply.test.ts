/**
 * Retry after a failed reply (docs/security.md, "Retry"): the failed answer's Retry is a regenerate of its error step,
 * so the question is asked again and stays once, and what the failed attempt left goes; a message sent again under its
 * own id (the composer's second send after it never heard back) is answered again in place, never stored twice.
 */
import { randomUUID } from "node:crypto";
import { PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitThread, chainlitTurn } from "../../../test/data-fixtures";
import type { ChatEvent } from "./continue-thread";
import type { RefusalCause } from "../errors";
import { ALREADY_SENT } from "./regenerate-reply";
import { claimThread, releaseThreadClaim } from "./thread-claim";

const harness = chatHarness();

const put = (Item: Record<string, AttributeValue>) => harness.services.data.context.doc.send(new PutItemCommand({ TableName: harness.services.data.context.tableName, Item }));
const S = (value: string): AttributeValue => ({ S: value });
const NULL: AttributeValue = { NULL: true };
const objectExists = (key: string) => harness.services.storage.read(key, { maxBytes: 1024 }).then(() => true, () => false);
/** A new user, their caller, a thread of theirs and an id for its next message. */
async function ownThread() {
  const alice = sessionUser();
  return { alice, as: callerFor(harness.services, alice), threadId: await newThread(harness.services, alice), messageId: randomUUID() };
}
/** The thread's one turn as [type, output], for `content` answered by the fake. */
const answeredOnce = (content: string) => [
  ["user_message", content],
  ["run", null],
  ["assistant_message", `Echo: ${content}`],
];
const turnsOf = async (threadId: string) => (await stepsOf(threadId)).map((s) => [s.type, s.output ?? null]);
const stepsOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.steps;
const typesOf = async (threadId: string) => (await stepsOf(threadId)).map((s) => s.type);
const codeOf = (run: Promise<unknown>) => run.then(() => "resolved", (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`);
const last = (events: ChatEvent[]) => events.at(-1)!;
/** What the model was asked the last time, as text: each message's text parts joined. */
const lastAsked = () =>
  harness.fake.requests.at(-1)!.messages.map((m) => [m.role, typeof m.content === "string" ? m.content : m.content.map((p) => p.text ?? p.type).join(" | ")]);

describe("Retry on a failed answer (chat.regenerate of its error step)", () => {
  it("a flaky model (500 twice): Retry twice asks the same question again; it stays once with its file, the errors and their search entries go", async () => {
    const { alice, as, threadId, messageId } = await ownThread();
    const question = `[fail-twice] ${randomUUID()} what is the tide table`;
    // The question's file, uploaded for it before the send (as the composer does).
    const fileId = randomUUID();
    await harness.services.data.createElement({ id: fileId, threadId, type: "file", name: "tides.txt", mime: "text/plain", forId: messageId, display: "inline", content: "high water 06:12" }, { owner: alice.id });
    const objectKey = (await harness.services.data.getElement(threadId, fileId))!.objectKey!;

    const sent = await drain(await as.chat.send({ threadId, messageId, content: question }));
    expect(last(sent)).toMatchObject({ type: "error", message: "The assistant answered 500: the model is overloaded" });
    expect(await typesOf(threadId)).toEqual(["user_message", "run", "assistant_message"]);
    await as.search.prepare();
    expect((await as.search.query({ query: "overloaded" })).data.map((hit) => hit.id)).toEqual([threadId]);

    const failedAgain = await drain(await as.chat.regenerate({ threadId, stepId: (last(sent) as Extract<ChatEvent, { type: "error" }>).errorStepId }));
    expect(failedAgain[0]).toMatchObject({ type: "start", userStepId: messageId });
    expect(last(failedAgain)).toMatchObject({ type: "error" });
    // One question, one (new) failed reply: the first attempt's run and error step are gone.
    const afterOne = await stepsOf(threadId);
    expect(afterOne.map((s) => [s.type, s.isError ?? false])).toEqual([
      ["user_message", false],
      ["run", true],
      ["assistant_message", true],
    ]);
    expect(afterOne.some((s) => s.id === (last(sent) as { errorStepId: string }).errorStepId)).toBe(false);

    const answered = await drain(await as.chat.regenerate({ threadId, stepId: (last(failedAgain) as { errorStepId: string }).errorStepId }));
    expect(last(answered)).toMatchObject({ type: "done", cancelled: false });
    const steps = await stepsOf(threadId);
    expect(steps.map((s) => [s.type, s.isError ?? false])).toEqual([
      ["user_message", false],
      ["run", false],
      ["assistant_message", false],
    ]);
    expect(steps[0]).toMatchObject({ id: messageId, output: question });
    // The model was asked the question with its file each time, and never shown a failed reply.
    const asked = lastAsked();
    expect(asked.map(([role]) => role)).toEqual(["user"]);
    expect(asked[0]![1]).toContain(question);
    expect(asked[0]![1]).toContain("high water 06:12");
    // The question's file stays, item and object.
    expect((await harness.services.data.getThread(threadId))!.elements.map((e) => [e.id, e.forId])).toEqual([[fileId, messageId]]);
    expect(await objectExists(objectKey)).toBe(true);
    expect((await as.search.query({ query: "overloaded" })).data).toEqual([]);
  });

  it("a turn Chainlit wrote that failed mid-reply (partial answer, tool step, its file, the run marked failed, Chainlit's ErrorMessage): all of it goes, the question and its file stay", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const threadId = randomUUID();
    const at = (s: number) => `2025-03-04T10:12:${String(s).padStart(2, "0")}.000001Z`;
    const earlier = chainlitTurn(alice.id, threadId, { question: "first question", answer: "first answer" });
    const failing = chainlitTurn(alice.id, threadId, { question: "second question", answer: "half an answer about quokkas", askedAt: at(1), ranAt: at(2), repliedAt: at(4), endedAt: at(6) });
    const [message, run, partial] = failing.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
    // The on_message step's __aexit__ on an exception: is_error and the exception's text as its output.
    const failedRun = { ...run, isError: { BOOL: true }, output: S("RuntimeError: upstream hung up") };
    const toolId = `ct-${randomUUID()}`;
    const tool = { ...partial, SK: S(`STEP#${toolId}`), id: S(toolId), type: S("tool"), name: S("lookup"), output: S("tool said quokka colony"), createdAt: S(at(3)), start: S(at(3)), end: S(at(3)) };
    // Chainlit's ErrorMessage(author="Error"), sent by its message handler once on_message has raised: an
    // assistant_message with isError, outside the run (its step has closed by then).
    const errorId = randomUUID();
    const errorMessage = { ...partial, SK: S(`STEP#${errorId}`), id: S(errorId), parentId: NULL, name: S("Error"), isError: { BOOL: true }, output: S("upstream hung up"), createdAt: S(at(7)), start: S(at(7)), end: S(at(7)) };
    // Chainlit's element items: the question's upload, and a file the partial answer carried.
    const element = (id: string, forId: string, name: string) => {
      const objectKey = `${alice.id}/${threadId}/${id}`;
      return { objectKey, item: { PK: S(`THREAD#${threadId}`), SK: S(`ELEMENT#${id}`), id: S(id), threadId: S(threadId), type: S("file"), name: S(name), display: S("inline"), size: NULL, forId: S(forId), mime: S("text/plain"), chainlitKey: NULL, url: S(`https://bucket.s3.amazonaws.com/${objectKey}`), objectKey: S(objectKey) } };
    };
    const upload = element(randomUUID(), failing.messageId, "question.txt");
    const onPartial = element(randomUUID(), failing.replyId, "draft.txt");
    for (const file of [upload, onPartial]) await harness.services.storage.uploadFile({ objectKey: file.objectKey, data: Buffer.from("harbour notes"), mime: "text/plain" });
    for (const item of [chainlitThread(alice.id, threadId).thread, ...earlier.steps, message, failedRun, tool, partial, errorMessage, upload.item, onPartial.item]) await put(item);
    await as.search.prepare();
    expect((await as.search.query({ query: "quokka" })).data.map((hit) => hit.id)).toEqual([threadId]);

    const events = await drain(await as.chat.regenerate({ threadId, stepId: errorId }));
    expect(last(events)).toMatchObject({ type: "done", output: expect.stringContaining("Echo: second question") });
    // The same history: the earlier turn, then the question with its file; nothing of the failed attempt.
    const asked = lastAsked();
    expect(asked.slice(0, 2)).toEqual([
      ["user", "first question"],
      ["assistant", "first answer"],
    ]);
    expect(asked[2]![1]).toContain("second question");
    expect(asked[2]![1]).toContain("harbour notes");
    expect(asked.flat().join(" ")).not.toContain("half an answer");

    const thread = (await harness.services.data.getThread(threadId))!;
    const ids = new Set(thread.steps.map((s) => s.id));
    for (const gone of [failing.runId, failing.replyId, toolId, errorId]) expect(ids.has(gone)).toBe(false);
    for (const kept of [earlier.messageId, earlier.runId, earlier.replyId, failing.messageId]) expect(ids.has(kept)).toBe(true);
    expect(thread.steps.filter((s) => s.type === "user_message").map((s) => s.output)).toEqual(["first question", "second question"]);
    expect(thread.elements.map((e) => e.objectKey)).toEqual([upload.objectKey]);
    expect(await objectExists(upload.objectKey)).toBe(true);
    expect(await objectExists(onPartial.objectKey)).toBe(false);
    expect((await as.search.query({ query: "quokka" })).data).toEqual([]);
  });
});

describe("a message sent again under its own id (chat.send)", () => {
  it("after the first send was stored and answered but never heard back: the question stays once, the reply is replaced", async () => {
    const { as, threadId, messageId } = await ownThread();
    await drain(await as.chat.send({ threadId, messageId, content: "is the ferry running" }));
    const first = await stepsOf(threadId);
    const again = await drain(await as.chat.send({ threadId, messageId, content: "is the ferry running" }));
    expect(again[0]).toMatchObject({ type: "start", userStepId: messageId });
    expect(last(again)).toMatchObject({ type: "done", output: "Echo: is the ferry running" });
    expect(await turnsOf(threadId)).toEqual(answeredOnce("is the ferry running"));
    const steps = await stepsOf(threadId);
    // The question is the same item, where it was; the reply is a new one.
    expect(steps[0]).toMatchObject({ id: messageId, createdAt: first[0]!.createdAt });
    expect(steps[1]!.id).not.toBe(first[1]!.id);
    expect((await as.threads.get({ threadId })).name).toBe("is the ferry running");
  });

  it("after a first send that stored the question and nothing of its answer (a run left open by a server gone for good, the thread unnamed): answered, named, stored once", async () => {
    const { alice, as, threadId, messageId } = await ownThread();
    const long = new Date(Date.now() - 40 * 60_000).toISOString();
    await harness.services.data.createStep({ id: messageId, threadId, type: "user_message", name: alice.identifier, output: "left hanging", createdAt: long, start: long, end: long });
    const openRun = randomUUID();
    await harness.services.data.createStep({ id: openRun, threadId, type: "run", name: "on_message", parentId: messageId, input: "left hanging", createdAt: long, start: long });
    await drain(await as.chat.send({ threadId, messageId, content: "left hanging" }));
    expect(await turnsOf(threadId)).toEqual(answeredOnce("left hanging"));
    expect((await stepsOf(threadId)).some((s) => s.id === openRun)).toBe(false);
    expect((await as.threads.get({ threadId })).name).toBe("left hanging");
  });

  it("with other text (the draft changed before the second send): the question takes it, as an edit, still once", async () => {
    const { as, threadId, messageId } = await ownThread();
    await drain(await as.chat.send({ threadId, messageId, content: "[fail] frist try" }));
    await drain(await as.chat.send({ threadId, messageId, content: "first try" }));
    expect(await turnsOf(threadId)).toEqual(answeredOnce("first try"));
  });
});

describe("a message sent again refuses, and writes nothing (hostile)", () => {
  it("an id naming an older question or an answer of the thread is BAD_REQUEST: neither is overwritten nor moved, nothing is asked", async () => {
    const { as, threadId, messageId: older } = await ownThread();
    await drain(await as.chat.send({ threadId, messageId: older, content: "older question" }));
    await drain(await as.chat.send({ threadId, messageId: randomUUID(), content: "newer question" }));
    const before = await stepsOf(threadId);
    const answer = before.findLast((s) => s.type === "assistant_message")!;
    const asked = harness.fake.requests.length;
    for (const stepId of [older, answer.id]) {
      expect(await codeOf((async () => drain(await as.chat.send({ threadId, messageId: stepId, content: "overwritten" })))())).toBe(`BAD_REQUEST: ${ALREADY_SENT}`);
    }
    expect(await stepsOf(threadId)).toEqual(before);
    expect(harness.fake.requests.length).toBe(asked);
    // Carried as a refusal the composer knows, so it lets the message go instead of offering the same id again.
    const refused = await (async () => drain(await as.chat.send({ threadId, messageId: older, content: "older question" })))().catch((error: unknown) => error);
    expect(((refused as TRPCError).cause as RefusalCause).refusal).toEqual({ code: "message-already-sent" });
  });

  it("while another request holds the thread it is CONFLICT, and the reply it would replace stays", async () => {
    const { alice, as, threadId, messageId } = await ownThread();
    await drain(await as.chat.send({ threadId, messageId, content: "held" }));
    const before = await stepsOf(threadId);
    const claim = await claimThread(harness.services.data, alice.identifier, threadId);
    expect(claim).not.toBeNull();
    expect(await codeOf((async () => drain(await as.chat.send({ threadId, messageId, content: "held" })))())).toMatch(/^CONFLICT/);
    expect(await stepsOf(threadId)).toEqual(before);
    await releaseThreadClaim(harness.services.data, alice.identifier, threadId, claim);
  });

  it("Bob with Alice's question id: into her thread NOT_FOUND; into his own, a new message of his, hers untouched", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    const threadId = await newThread(harness.services, alice);
    const messageId = randomUUID();
    await drain(await callerFor(harness.services, alice).chat.send({ threadId, messageId, content: "alice asks" }));
    const before = await stepsOf(threadId);
    const asBob = callerFor(harness.services, bob);
    expect(await codeOf((async () => drain(await asBob.chat.send({ threadId, messageId, content: "alice asks" })))())).toMatch(/^NOT_FOUND/);
    const bobs = await newThread(harness.services, bob);
    await drain(await asBob.chat.send({ threadId: bobs, messageId, content: "bob asks" }));
    expect((await stepsOf(bobs)).map((s) => s.output ?? null)).toEqual(["bob asks", null, "Echo: bob asks"]);
    expect(await stepsOf(threadId)).toEqual(before);
  });
});
