/**
 * A reply that lost the thread's claim never writes again (docs/security.md, "A reply replaced under it"; reply-guard.ts).
 * A reply streams; its claim's lease runs out (its renewals could not land: a throttled table, a long pause) and is
 * taken; the thread shows the reply as cut off and a Retry replaces it. The old stream then goes on: it must not put
 * the deleted answer back, write under the run that is gone, or touch the new turn; it ends, saying it was replaced.
 * The model here answers on demand (heldAssistant) and the claim's clock is moved by hand: no test waits minutes.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { AssistantError, type Assistant } from "@/server/assistant/assistant";
import type { Services } from "@/server/services";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitDeleteThread, tableOn } from "../../../test/data-fixtures";
import type { ChatEvent } from "./continue-thread";
import { REPLY_REPLACED } from "./reply-guard";
import { claimThread, CLAIM_MARGIN_MS, CLAIM_RENEW_MS, CLAIM_WINDOW_MS, releaseThreadClaim, type ClaimClock } from "./thread-claim";

const harness = chatHarness();

interface HeldReply {
  /** The model's request signal: aborted when the server calls the request off. */
  signal: AbortSignal;
  send(token: string): void;
  end(): void;
  /** The model fails (a 500, a broken stream). */
  fail(): void;
}

/** Echoes at once, except the request after hold(), whose tokens come only as the test sends them. */
function heldAssistant() {
  const replies: HeldReply[] = [];
  let holdNext = false;
  const assistant: Assistant = {
    name: "Held",
    isDemo: false,
    async *stream(messages, { signal }) {
      if (!holdNext) {
        yield `Echo: ${messages.at(-1)?.content ?? ""}`;
        return;
      }
      holdNext = false;
      const queue: string[] = [];
      let ended = false;
      let failed = false;
      let wake = () => {};
      const woken = () => new Promise<void>((resolve) => (wake = resolve));
      replies.push({ signal, send: (token) => (queue.push(token), wake()), end: () => ((ended = true), wake()), fail: () => ((failed = true), wake()) });
      signal.addEventListener("abort", () => wake());
      for (;;) {
        signal.throwIfAborted();
        if (failed) throw new AssistantError("the model is overloaded");
        if (queue.length > 0) yield queue.shift()!;
        else if (ended) return;
        else await woken();
      }
    },
  };
  return { assistant, hold: () => void (holdNext = true), replies };
}

/** The claim's clock, moved by hand; `tick` runs the renewals due (each turn's, every CLAIM_RENEW_MS). */
function handClock() {
  let now = Date.now();
  const ticks = new Set<() => Promise<void>>();
  const clock: ClaimClock = {
    now: () => now,
    every: (_ms, tick) => (ticks.add(tick), () => void ticks.delete(tick)),
  };
  return {
    clock,
    tick: async (ms = CLAIM_RENEW_MS) => {
      now += ms;
      await Promise.all([...ticks].map((tick) => tick()));
    },
    advance: (ms: number) => void (now += ms),
  };
}

let user = sessionUser();
let held = heldAssistant();
let hand = handClock();
let services: Services;
beforeEach(() => {
  user = sessionUser();
  held = heldAssistant();
  hand = handClock();
  services = { ...harness.services, assistant: held.assistant, claimClock: hand.clock };
});
const as = (over: Partial<Services> = {}) => callerFor({ ...services, ...over }, user);
const stepsOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.steps;
const table = () => tableOn(harness.services.client, harness.services.tableName);

/** The old stream's lease ran out (its renewals never landed) and another request took it and gave it back. */
async function leaseRanOut(threadId: string) {
  const taker = await claimThread(harness.services.data, user.identifier, threadId, Date.now() + CLAIM_WINDOW_MS + 1000);
  expect(taker).not.toBeNull();
  await releaseThreadClaim(harness.services.data, user.identifier, threadId, taker);
}

/** A thread with one answered turn, and a second question whose reply is held open by the model: its events so far. */
async function replyHeldOpen(over: Partial<Services> = {}) {
  const threadId = await newThread(services, user);
  await drain(await as().chat.send({ threadId, messageId: randomUUID(), content: "first question" }));
  held.hold();
  const events = (await as(over).chat.send({ threadId, messageId: randomUUID(), content: "second question" }))[Symbol.asyncIterator]();
  const start = (await events.next()).value as Extract<ChatEvent, { type: "start" }>;
  expect(start).toMatchObject({ type: "start" });
  await expect.poll(() => held.replies.length).toBe(1);
  return { threadId, events, start, reply: held.replies[0]! };
}

/** The rest of a stream's events, and how it ended. */
async function rest(events: AsyncIterator<ChatEvent>): Promise<{ seen: ChatEvent[]; error: { code?: string; message?: string } | null }> {
  const seen: ChatEvent[] = [];
  try {
    for (let next = await events.next(); !next.done; next = await events.next()) seen.push(next.value);
    return { seen, error: null };
  } catch (error) {
    return { seen, error: error as { code?: string; message?: string } };
  }
}

/** The thread holds the first turn and the retried second one, whole, and nothing of the old reply. */
async function expectOnlyNewTurn(threadId: string, old: { runStepId: string; assistantStepId: string }) {
  const steps = await stepsOf(threadId);
  expect(steps.map((s) => [s.type, s.output ?? null])).toEqual([
    ["user_message", "first question"],
    ["run", null],
    ["assistant_message", "Echo: first question"],
    ["user_message", "second question"],
    ["run", null],
    ["assistant_message", "Echo: second question"],
  ]);
  const ids = new Set(steps.map((s) => s.id));
  expect(ids.has(old.runStepId) || ids.has(old.assistantStepId)).toBe(false);
  const [newRun, newAnswer] = steps.slice(-2);
  expect(newRun!.end).toBeTruthy();
  expect(newAnswer).toMatchObject({ streaming: false, parentId: newRun!.id });
  // No item of the old reply's is left in the thread's partition: no parts, no search entry.
  const sks = await table().partitionSks(threadId);
  expect(sks.filter((sk) => sk.includes(old.runStepId) || sk.includes(old.assistantStepId))).toEqual([]);
  // Search knows the new answer and nothing the old stream wrote.
  await as().search.prepare();
  expect((await as().search.query({ query: "zanzibar" })).data).toEqual([]);
}

describe("a reply that lost the thread's claim (hostile, integrity)", () => {
  it("a renewal that finds the claim taken over stops the reply: the model's request is called off and nothing more is written, not even its first answer", async () => {
    const { threadId, events, start, reply } = await replyHeldOpen();
    // The lease ran out with no answer written yet; the thread shows the reply cut off, and Retry replaces it.
    await leaseRanOut(threadId);
    const retried = await drain(await as().chat.regenerate({ threadId, stepId: start.runStepId }));
    expect(retried.at(-1)).toMatchObject({ type: "done", output: "Echo: second question" });

    // The old stream's next renewal finds the claim another's.
    await hand.tick();
    expect(reply.signal.aborted).toBe(true);
    reply.send("zanzibar lighthouse");
    reply.end();
    const ended = await rest(events);
    expect(ended.seen.filter((e) => e.type === "token")).toEqual([]);
    expect(ended.error).toMatchObject({ code: "CONFLICT", message: REPLY_REPLACED });
    await expectOnlyNewTurn(threadId, start);
  });

  it("a write already under way when the claim went finds its answer deleted: the answer is not put back, nothing is written under its run, the new turn is untouched", async () => {
    const { threadId, events, start, reply } = await replyHeldOpen();
    reply.send("zanzibar ");
    expect(await events.next()).toMatchObject({ value: { type: "token", text: "zanzibar " } });
    await expect.poll(async () => (await stepsOf(threadId)).find((s) => s.id === start.assistantStepId)?.output).toBe("zanzibar ");
    await leaseRanOut(threadId);
    const retried = await drain(await as().chat.regenerate({ threadId, stepId: start.assistantStepId }));
    expect(retried.at(-1)).toMatchObject({ type: "done", output: "Echo: second question" });

    // No renewal has come due: the old stream does not know yet, and writes its end.
    reply.send("lighthouse");
    reply.end();
    const ended = await rest(events);
    expect(ended.seen.map((e) => e.type)).toEqual(["token"]);
    expect(ended.error).toMatchObject({ code: "CONFLICT", message: REPLY_REPLACED });
    await expectOnlyNewTurn(threadId, start);
  });

  it("a model failure after the reply was replaced writes no error step under the run that is gone", async () => {
    const { threadId, events, start, reply } = await replyHeldOpen();
    await leaseRanOut(threadId);
    await drain(await as().chat.regenerate({ threadId, stepId: start.runStepId }));
    reply.fail();
    const ended = await rest(events);
    expect(ended.error).toMatchObject({ code: "CONFLICT", message: REPLY_REPLACED });
    expect((await stepsOf(threadId)).filter((s) => s.isError)).toEqual([]);
    await expectOnlyNewTurn(threadId, start);
  });

  it("a Chainlit delete_thread while the reply streams (it takes no claim): the reply makes none of the thread's steps again", async () => {
    const { threadId, events, start, reply } = await replyHeldOpen();
    reply.send("zanzibar ");
    expect(await events.next()).toMatchObject({ value: { type: "token" } });
    await expect.poll(async () => (await stepsOf(threadId)).some((s) => s.id === start.assistantStepId)).toBe(true);
    await chainlitDeleteThread(table(), threadId);
    reply.send("lighthouse");
    reply.end();
    expect((await rest(events)).error).toMatchObject({ code: "CONFLICT", message: REPLY_REPLACED });
    expect((await table().partitionSks(threadId)).filter((sk) => sk.startsWith("STEP#") || sk === "THREAD")).toEqual([]);
  });

  it("renewals that fail (a throttled table) stop the reply before the lease can run out: nothing is written once another request could take the thread", async () => {
    const data = harness.services.data;
    const throttled = Object.create(data, { renewLease: { value: () => Promise.reject(new Error("ThrottlingException")) } }) as typeof data;
    const { threadId, events, start, reply } = await replyHeldOpen({ data: throttled });
    reply.send("zanzibar ");
    expect(await events.next()).toMatchObject({ value: { type: "token" } });
    await expect.poll(async () => (await stepsOf(threadId)).find((s) => s.id === start.assistantStepId)?.output).toBe("zanzibar ");

    // Two renewals fail; the reply still holds the lease it took, until the margin before it runs out.
    await hand.tick();
    await hand.tick();
    expect(reply.signal.aborted).toBe(false);
    hand.advance(CLAIM_WINDOW_MS - 2 * CLAIM_RENEW_MS - CLAIM_MARGIN_MS);
    reply.send("lighthouse");
    reply.end();
    const ended = await rest(events);
    expect(ended.error).toMatchObject({ code: "CONFLICT", message: REPLY_REPLACED });
    expect(reply.signal.aborted).toBe(true);
    // What the first write stored stays as it was: no more text, no end, the run left open (the thread offers Retry).
    const steps = await stepsOf(threadId);
    expect(steps.find((s) => s.id === start.assistantStepId)).toMatchObject({ output: "zanzibar ", streaming: true });
    expect(steps.find((s) => s.id === start.runStepId)?.end ?? null).toBeNull();
  });
});
