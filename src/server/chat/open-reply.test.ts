/**
 * A reply left open (its run never ended) by a server that died mid-reply (docs/security.md, "A reply cut off"): one
 * of this app's runs is written under the thread's claim, so once nobody holds the claim it is cut off at once and
 * Retry, Regenerate, an edit and a send again replace it; while someone holds it (a reply streaming on another
 * instance) it is still being written and nothing replaces it. A run no claim speaks for (Chainlit's) keeps the time
 * rule. And a reply with no answer at all (cut off or failed before its first token) is retried through its run.
 */
import { randomUUID } from "node:crypto";
import { PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { utcNow } from "@/data";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitCreateStep, chainlitThread, chainlitTurn, chainlitUpdateStep, tableOn } from "../../../test/data-fixtures";
import { runStepOf } from "./continue-thread";
import { CLAIM_WINDOW_MS, claimThread, releaseThreadClaim } from "./thread-claim";

const harness = chatHarness();

const put = (Item: Record<string, AttributeValue>) => harness.services.data.context.doc.send(new PutItemCommand({ TableName: harness.services.data.context.tableName, Item }));
const stepsOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.steps;
const codeOf = (run: Promise<unknown>) => run.then(() => "resolved", (error: { code?: string }) => String(error.code));
const turnOf = async (threadId: string) => (await stepsOf(threadId)).map((s) => [s.type, s.output ?? null, Boolean(s.end)]);

/**
 * A turn as this app writes it (the question, its run from runStepOf), left as a server that died a moment ago left
 * it: the run open, and (`partial`) the answer's last checkpoint, still marked streaming. `failed`: the run ended and
 * marked failed, with no error step (a writer that could not write one).
 */
async function leftTurn(options: { partial?: string; failed?: boolean } = {}) {
  const alice = sessionUser();
  const as = callerFor(harness.services, alice);
  const threadId = await newThread(harness.services, alice);
  const owner = { owner: alice.id };
  const at = utcNow();
  const question = { id: randomUUID(), threadId, type: "user_message", name: alice.identifier, output: "where were we", createdAt: at, start: at, end: at };
  await harness.services.data.createStep(question, owner);
  const runId = randomUUID();
  await harness.services.data.createStep({ ...runStepOf(question, runId, utcNow()), ...(options.failed ? { end: utcNow(), isError: true } : {}) });
  const answerId = randomUUID();
  if (options.partial !== undefined) {
    const answerAt = utcNow();
    await harness.services.data.createStep({ id: answerId, threadId, parentId: runId, type: "assistant_message", name: "Assistant", output: options.partial, streaming: true, createdAt: answerAt, start: answerAt }, owner);
  }
  return { alice, as, threadId, question, runId, answerId };
}

/** The claim a server took for its send a little over a lease ago, and never gave back: it died. */
const diedHolding = (identifier: string, threadId: string) => claimThread(harness.services.data, identifier, threadId, Date.now() - CLAIM_WINDOW_MS - 1_000);

describe("a reply of this app's left open by a server that died mid-reply", () => {
  it("once nobody holds the thread's claim (the dead server's lease ran out) it is cut off: Regenerate replaces it at once", async () => {
    const { alice, as, threadId, answerId } = await leftTurn({ partial: "half of an" });
    expect(await diedHolding(alice.identifier, threadId)).not.toBeNull();
    expect((await as.threads.get({ threadId })).window.openReply).toBe("cut-off");
    const events = await drain(await as.chat.regenerate({ threadId, stepId: answerId }));
    expect(events.at(-1)).toMatchObject({ type: "done", output: "Echo: where were we" });
    expect(await turnOf(threadId)).toEqual([
      ["user_message", "where were we", true],
      ["run", null, true],
      ["assistant_message", "Echo: where were we", true],
    ]);
    expect((await as.threads.get({ threadId })).window.openReply).toBeUndefined();
  });

  it("while another request holds the claim (a reply streaming on another instance) it is being written: Regenerate, an edit and a send again are CONFLICT and change nothing", async () => {
    const { alice, as, threadId, question, answerId } = await leftTurn({ partial: "still com" });
    const live = await claimThread(harness.services.data, alice.identifier, threadId);
    expect(live).not.toBeNull();
    expect((await as.threads.get({ threadId })).window.openReply).toBe("writing");
    const before = await stepsOf(threadId);
    const asked = harness.fake.requests.length;
    expect(await codeOf((async () => drain(await as.chat.regenerate({ threadId, stepId: answerId })))())).toBe("CONFLICT");
    expect(await codeOf((async () => drain(await as.chat.edit({ threadId, stepId: question.id, content: "elsewhere" })))())).toBe("CONFLICT");
    expect(await codeOf((async () => drain(await as.chat.send({ threadId, messageId: question.id, content: "where were we" })))())).toBe("CONFLICT");
    expect(await stepsOf(threadId)).toEqual(before);
    expect(harness.fake.requests.length).toBe(asked);
    // Its writer ends (or dies and its lease runs out): the thread is free, the reply cut off.
    await releaseThreadClaim(harness.services.data, alice.identifier, threadId, live);
    expect((await as.threads.get({ threadId })).window.openReply).toBe("cut-off");
  });

  it("an edit of its question, and its message sent again (the composer's second send), replace it at once too", async () => {
    const edited = await leftTurn({ partial: "half" });
    await drain(await edited.as.chat.edit({ threadId: edited.threadId, stepId: edited.question.id, content: "where are we" }));
    expect((await stepsOf(edited.threadId)).map((s) => s.output ?? null)).toEqual(["where are we", null, "Echo: where are we"]);
    const resent = await leftTurn({ partial: "half" });
    await drain(await resent.as.chat.send({ threadId: resent.threadId, messageId: resent.question.id, content: "where were we" }));
    expect((await stepsOf(resent.threadId)).map((s) => s.output ?? null)).toEqual(["where were we", null, "Echo: where were we"]);
  });

  it("cut off before its first token (a run and no answer): Retry names the run, and the turn is answered once", async () => {
    const { as, threadId, runId, question } = await leftTurn();
    expect((await as.threads.get({ threadId })).window.openReply).toBe("cut-off");
    await drain(await as.chat.regenerate({ threadId, stepId: runId }));
    expect(await turnOf(threadId)).toEqual([
      ["user_message", "where were we", true],
      ["run", null, true],
      ["assistant_message", "Echo: where were we", true],
    ]);
    expect((await stepsOf(threadId))[0]!.id).toBe(question.id);
  });
});

describe("a run marked failed with no error step", () => {
  it("holding no answer, is retried through its run: the same regenerate, and the turn is answered once", async () => {
    const bare = await leftTurn({ failed: true });
    expect((await bare.as.threads.get({ threadId: bare.threadId })).window.openReply).toBeUndefined();
    await drain(await bare.as.chat.regenerate({ threadId: bare.threadId, stepId: bare.runId }));
    expect((await stepsOf(bare.threadId)).map((s) => [s.type, s.isError ?? false])).toEqual([
      ["user_message", false],
      ["run", false],
      ["assistant_message", false],
    ]);
  });

  it("a run is named only when the reply has no answer: with one, the answer is the reply's end", async () => {
    const { as, threadId, runId } = await leftTurn({ failed: true, partial: "part" });
    await harness.services.data.updateStep({ id: (await stepsOf(threadId)).find((s) => s.type === "assistant_message")!.id, threadId, streaming: false, end: utcNow() });
    expect(await codeOf((async () => drain(await as.chat.regenerate({ threadId, stepId: runId })))())).toBe("BAD_REQUEST");
  });
});

describe("an open reply no claim speaks for (Chainlit's run)", () => {
  const openChainlitTurn = async (startedAt: string) => {
    const alice = sessionUser();
    const threadId = randomUUID();
    const turn = chainlitTurn(alice.id, threadId, { question: "still going", answer: "half an ans", askedAt: startedAt, ranAt: startedAt, repliedAt: startedAt });
    const [message, run, reply] = turn.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
    const { end: _end, ...open } = run;
    for (const item of [chainlitThread(alice.id, threadId).thread, message, open, { ...reply, streaming: { BOOL: true } }]) await put(item);
    return { as: callerFor(harness.services, alice), threadId, turn };
  };

  it("is being written until longer than any reply streams has passed since its newest step, with the thread's claim free", async () => {
    const live = await openChainlitTurn(new Date().toISOString());
    expect((await live.as.threads.get({ threadId: live.threadId })).window.openReply).toBe("writing");
    expect(await codeOf((async () => drain(await live.as.chat.regenerate({ threadId: live.threadId, stepId: live.turn.replyId })))())).toBe("CONFLICT");
    const dead = await openChainlitTurn(new Date(Date.now() - 40 * 60_000).toISOString());
    expect((await dead.as.threads.get({ threadId: dead.threadId })).window.openReply).toBe("cut-off");
  });

  it("ends when Chainlit's reply does (its message sent whole, update_step SETting the run's end): nothing open, and Regenerate replaces it", async () => {
    const live = await openChainlitTurn(new Date().toISOString());
    const [, run, reply] = live.turn.steps as [Record<string, AttributeValue>, Record<string, AttributeValue>, Record<string, AttributeValue>];
    const table = tableOn(harness.services.client, harness.services.tableName);
    // Message.send() at the stream's end: create_step's PutItem of the whole message, no longer streaming.
    await chainlitCreateStep(table, { ...reply, output: { S: "half an answer, then the rest" }, streaming: { BOOL: false } });
    expect((await live.as.threads.get({ threadId: live.threadId })).window.openReply).toBe("writing");
    // The on_message step's exit: update_step SETs its end (and what else is truthy).
    await chainlitUpdateStep(table, live.threadId, live.turn.runId, { end: { S: new Date().toISOString() }, input: run.input! });
    expect((await live.as.threads.get({ threadId: live.threadId })).window.openReply).toBeUndefined();
    const events = await drain(await live.as.chat.regenerate({ threadId: live.threadId, stepId: live.turn.replyId }));
    expect(events.at(-1)).toMatchObject({ type: "done", output: "Echo: still going" });
  });
});
