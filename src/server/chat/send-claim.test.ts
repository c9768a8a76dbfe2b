/**
 * chat.send holds the thread's claim as Edit and Regenerate do (thread-claim.ts; docs/security.md, "One writer at a
 * time"): a send beside another writer of the same thread is refused before it writes anything, a writer beside a send
 * is refused too, and the claim is given back however the send ends.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { MESSAGE_MAX } from "./composer-settings";
import type { ChatEvent } from "./continue-thread";
import { claimThread, CLAIM_RENEW_MS, CLAIM_WINDOW_MS, releaseThreadClaim, renewThreadClaim } from "./thread-claim";

const harness = chatHarness();
const codeOf = (run: Promise<unknown>) => run.then(() => "resolved", (error: { code?: string }) => String(error.code));
const stepsOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.steps.map((s) => [s.type, s.output ?? null]);

// A user per test: each send counts against its user's message budget.
let user = sessionUser();
beforeEach(() => void (user = sessionUser()));
const as = () => callerFor(harness.services, user);
const send = async (threadId: string, content: string, messageId = randomUUID()) => drain(await as().chat.send({ threadId, messageId, content }));
const edit = async (threadId: string, stepId: string, content: string) => drain(await as().chat.edit({ threadId, stepId, content }));

/** Whether a writer could take the thread now (the claim is taken, and given back at once). */
async function isFree(threadId: string): Promise<boolean> {
  const claim = await claimThread(harness.services.data, user.identifier, threadId);
  await releaseThreadClaim(harness.services.data, user.identifier, threadId, claim);
  return claim !== null;
}

/** A turn whose events are read up to its first token and then held: the fake stalls on "[stall]" after two tokens. */
async function streaming(start: (signal: AbortSignal) => Promise<AsyncIterable<ChatEvent>>) {
  const request = new AbortController();
  const events = (await start(request.signal))[Symbol.asyncIterator]();
  const seen: ChatEvent[] = [];
  while (!seen.some((e) => e.type === "token")) {
    const next = await events.next();
    if (next.done) throw new Error(`the turn ended early: ${JSON.stringify(seen)}`);
    seen.push(next.value);
  }
  return {
    seen,
    /** The tab is closed: the request's signal aborts and the server disposes of the events (tRPC returns the generator). */
    leave: async () => {
      request.abort();
      await events.return?.(undefined);
    },
  };
}

const callerWith = (signal: AbortSignal) => createCaller(createInnerContext({ user, services: harness.services }), { signal });

async function answeredThread() {
  const threadId = await newThread(harness.services, user);
  const messageId = randomUUID();
  await send(threadId, "the first question", messageId);
  return { threadId, messageId };
}

describe("chat.send holds the thread (hostile)", () => {
  it("a send while an edit streams is CONFLICT: nothing written, the model not asked, the edit's claim kept; once the edit ends, the send goes", async () => {
    const { threadId, messageId } = await answeredThread();
    const editing = await streaming((signal) => callerWith(signal).chat.edit({ threadId, stepId: messageId, content: "[stall] a long one" }));
    // The edit's reply is written with its first token, not waited for: once it has landed, nothing more is written.
    await expect.poll(async () => (await stepsOf(threadId)).map(([type]) => type), { timeout: 5000 }).toEqual(["user_message", "run", "assistant_message"]);
    const before = await stepsOf(threadId);
    const asked = harness.fake.requests.length;
    const refusedId = randomUUID();
    expect(await codeOf(send(threadId, "squeezed in", refusedId))).toBe("CONFLICT");
    expect(await stepsOf(threadId)).toEqual(before);
    expect((await harness.services.data.getThread(threadId))!.steps.some((s) => s.id === refusedId)).toBe(false);
    expect(harness.fake.requests.length).toBe(asked);
    // The refused send held nothing, so it gave nothing back: the edit still holds the thread.
    expect(await codeOf(send(threadId, "squeezed in again"))).toBe("CONFLICT");

    await editing.leave();
    expect(await codeOf(send(threadId, "after the edit", refusedId))).toBe("resolved");
    const outputs = (await stepsOf(threadId)).map(([, output]) => output);
    expect(outputs).toEqual(expect.arrayContaining(["[stall] a long one", "after the edit", "Echo: after the edit"]));
  });

  it("an edit or a regenerate while a send is under way, before its first write has landed, is CONFLICT and changes nothing", async () => {
    const { threadId, messageId } = await answeredThread();
    const reply = (await harness.services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!;
    const before = await stepsOf(threadId);
    // The send's writes are held (a slow table): the thread shows no sign of the turn, so only the claim tells.
    let landWrites!: () => void;
    const writesHeld = new Promise<void>((resolve) => (landWrites = resolve));
    const data = harness.services.data;
    const slowWrites = Object.create(data, {
      createStep: { value: async (...args: Parameters<typeof data.createStep>) => (await writesHeld, data.createStep(...args)) },
    }) as typeof data;
    const asked = harness.fake.requests.length;
    const sending = (async () => drain(await callerFor({ ...harness.services, data: slowWrites }, user).chat.send({ threadId, messageId: randomUUID(), content: "the second question" })))();
    await expect.poll(() => harness.fake.requests.length, { timeout: 5000 }).toBe(asked + 1);

    expect(await codeOf(edit(threadId, messageId, "rewritten meanwhile"))).toBe("CONFLICT");
    expect(await codeOf((async () => drain(await as().chat.regenerate({ threadId, stepId: reply.id })))())).toBe("CONFLICT");
    expect(await stepsOf(threadId)).toEqual(before);

    landWrites();
    expect((await sending).at(-1)).toMatchObject({ type: "done", output: "Echo: the second question" });
    expect((await stepsOf(threadId)).map(([type, output]) => [type, output])).toEqual([
      ["user_message", "the first question"],
      ["run", null],
      ["assistant_message", "Echo: the first question"],
      ["user_message", "the second question"],
      ["run", null],
      ["assistant_message", "Echo: the second question"],
    ]);
    expect(await isFree(threadId)).toBe(true);
  });

  it("two sends into one thread at once (two tabs): one is answered, the other is CONFLICT; the thread holds one turn", async () => {
    const threadId = await newThread(harness.services, user);
    const outcomes = await Promise.all([codeOf(send(threadId, "from one tab")), codeOf(send(threadId, "from another tab"))]);
    expect(outcomes.toSorted()).toEqual(["CONFLICT", "resolved"]);
    expect((await stepsOf(threadId)).map(([type]) => type)).toEqual(["user_message", "run", "assistant_message"]);
    // Sends into different threads are not held up by each other.
    const other = await newThread(harness.services, user);
    expect(await Promise.all([codeOf(send(threadId, "here")), codeOf(send(other, "there"))])).toEqual(["resolved", "resolved"]);
  });
});

describe("a send gives the thread's claim back however it ends", () => {
  it("answered, failed by the model, stopped mid-reply, or refused (empty, too long, over the budget)", async () => {
    const threadId = await newThread(harness.services, user);
    await send(threadId, "answered");
    expect(await isFree(threadId)).toBe(true);
    expect((await send(threadId, "[fail] please")).at(-1)).toMatchObject({ type: "error" });
    expect(await isFree(threadId)).toBe(true);
    const stopped = await streaming((signal) => callerWith(signal).chat.send({ threadId, messageId: randomUUID(), content: "[stall] then stop" }));
    expect(await isFree(threadId)).toBe(false);
    await stopped.leave();
    expect(await isFree(threadId)).toBe(true);
    expect(await codeOf(send(threadId, "   "))).toBe("BAD_REQUEST");
    expect(await isFree(threadId)).toBe(true);
    // Refused by the procedure's own input, after the gate took the claim.
    expect(await codeOf(send(threadId, "x".repeat(MESSAGE_MAX + 1)))).toBe("BAD_REQUEST");
    expect(await isFree(threadId)).toBe(true);
    const limited = { ...harness.services, env: { ...harness.services.env, CHAT_MESSAGES_PER_MINUTE: 1 } };
    expect(await codeOf((async () => drain(await callerFor(limited, user).chat.send({ threadId, messageId: randomUUID(), content: "over" })))())).toBe("TOO_MANY_REQUESTS");
    expect(await isFree(threadId)).toBe(true);
  });

  it("a client that leaves before the send begins: nothing written, the model not asked, the thread free", async () => {
    const threadId = await newThread(harness.services, user);
    const asked = harness.fake.requests.length;
    const request = new AbortController();
    const events = await callerWith(request.signal).chat.send({ threadId, messageId: randomUUID(), content: "never sent" });
    request.abort();
    await events.return(undefined);
    expect(await stepsOf(threadId)).toEqual([]);
    expect(harness.fake.requests.length).toBe(asked);
    await expect.poll(() => isFree(threadId), { timeout: 2000 }).toBe(true);
  });
});

describe("the claim's renewal", () => {
  afterEach(() => vi.useRealTimers());

  it("a send streaming for longer than the claim's window renews it every CLAIM_RENEW_MS while it streams, and not after", async () => {
    const data = harness.services.data;
    const renewals: Promise<boolean>[] = [];
    const counting = Object.create(data, {
      renewLease: { value: (...args: Parameters<typeof data.renewLease>) => renewals[renewals.push(data.renewLease(...args)) - 1] },
    }) as typeof data;
    const threadId = await newThread(harness.services, user);
    // Only the intervals are faked: the renewal's own timer, moved on by hand, and nothing else of the turn.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const caller = (signal: AbortSignal) => createCaller(createInnerContext({ user, services: { ...harness.services, data: counting } }), { signal });
    const stalled = await streaming((signal) => caller(signal).chat.send({ threadId, messageId: randomUUID(), content: "[stall] a very long reply" }));
    vi.advanceTimersByTime(CLAIM_RENEW_MS - 1);
    expect(renewals).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(await Promise.all(renewals)).toEqual([true]);
    vi.advanceTimersByTime(CLAIM_RENEW_MS);
    expect(await Promise.all(renewals)).toEqual([true, true]);
    await stalled.leave();
    vi.advanceTimersByTime(3 * CLAIM_RENEW_MS);
    expect(renewals).toHaveLength(2);
    expect(await isFree(threadId)).toBe(true);
  });

  it("a renewal runs the claim's time again from then; it never takes or makes a claim that is not its holder's", async () => {
    const data = harness.services.data;
    const threadId = randomUUID();
    const t0 = Date.now();
    const claim = (await claimThread(data, user.identifier, threadId, t0))!;
    expect(await renewThreadClaim(data, user.identifier, threadId, claim, t0 + CLAIM_WINDOW_MS - 1000)).toBe(true);
    // Past the first window, the renewed claim still holds the thread.
    expect(await claimThread(data, user.identifier, threadId, t0 + CLAIM_WINDOW_MS + 1000)).toBeNull();
    // Another request's token renews nothing.
    expect(await renewThreadClaim(data, user.identifier, threadId, randomUUID(), t0 + CLAIM_WINDOW_MS + 2000)).toBe(false);
    const later = (await claimThread(data, user.identifier, threadId, t0 + 2 * CLAIM_WINDOW_MS))!;
    expect(later).not.toBeNull();
    // The first holder, its claim run out and taken over, cannot renew it back.
    expect(await renewThreadClaim(data, user.identifier, threadId, claim, t0 + 2 * CLAIM_WINDOW_MS + 1000)).toBe(false);
    expect(await claimThread(data, user.identifier, threadId, t0 + 2 * CLAIM_WINDOW_MS + 2000)).toBeNull();
    // A renewal landing after its claim was given back makes no claim.
    await releaseThreadClaim(data, user.identifier, threadId, later);
    expect(await renewThreadClaim(data, user.identifier, threadId, later)).toBe(false);
    expect(await isFree(threadId)).toBe(true);
  });
});
