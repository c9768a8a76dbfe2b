/**
 * A thread's name and the writers that race for it: the first send's automatic name and an edit's rename are written
 * only while the name is still the one the gate read, so a rename landing between that read and the write (Chainlit's
 * update_thread, the user's rename in another tab) is kept; the send or edit itself still succeeds, moves the thread
 * up, and its start event carries the kept name. The user's own rename always wins (docs/security.md, "Thread names").
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitUpdateThread, tableOn } from "../../../test/data-fixtures";
import type { ChatEvent } from "./continue-thread";

const harness = chatHarness();
const table = () => tableOn(harness.services.client, harness.services.tableName);
const nameOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.name ?? null;
const startOf = (events: ChatEvent[]) => events.find((e): e is Extract<ChatEvent, { type: "start" }> => e.type === "start")!;

/** Chainlit's rename as its layer writes it: update_thread with a name (one UpdateItem, its own "now"). */
const chainlitRename = (threadId: string, name: string) => chainlitUpdateThread(table(), threadId, { at: new Date().toISOString().replace("Z", "001Z"), name });

/**
 * Runs `rename` once, just before the next updateThread of `threadId` goes out: after the gate read the thread and the
 * caller decided its name, before the name is written.
 */
function renameBeforeNextWrite(threadId: string, rename: () => Promise<unknown>) {
  const data = harness.services.data;
  const original = data.updateThread.bind(data);
  let done = false;
  return vi.spyOn(data, "updateThread").mockImplementation(async (id, ...rest) => {
    if (id === threadId && !done) {
      done = true;
      await rename();
    }
    return original(id, ...rest);
  });
}

afterEach(() => vi.restoreAllMocks());

/** A new, unnamed thread of a fresh user, and that user's caller. */
async function freshThread() {
  const alice = sessionUser();
  return { as: callerFor(harness.services, alice), threadId: await newThread(harness.services, alice) };
}

describe("an automatic name never overwrites a rename that lands first", () => {
  it("first send: Chainlit's update_thread renames the new thread between the gate's read and the name write; its name stays", async () => {
    const { as, threadId } = await freshThread();
    const before = (await harness.services.data.getThread(threadId))!.updatedAt;
    renameBeforeNextWrite(threadId, () => chainlitRename(threadId, "Renamed in Chainlit"));
    const events = await drain(await as.chat.send({ threadId, messageId: randomUUID(), content: "which tigers live longest" }));
    // The send succeeded, as if no race: answered, and the start event names the thread as it is now named.
    expect(events.at(-1)).toMatchObject({ type: "done", output: expect.stringContaining("Echo: which tigers live longest") });
    expect(startOf(events).threadName).toBe("Renamed in Chainlit");
    expect(await nameOf(threadId)).toBe("Renamed in Chainlit");
    // Nothing else rolled back: the question is stored and the thread moved up.
    const thread = (await harness.services.data.getThread(threadId))!;
    expect(thread.steps.some((s) => s.type === "user_message" && s.output === "which tigers live longest")).toBe(true);
    expect(thread.updatedAt! > before!).toBe(true);
    expect((await as.threads.list({})).data.find((t) => t.id === threadId)?.name).toBe("Renamed in Chainlit");
    // Search finds the kept name, not the one that lost.
    await as.search.prepare();
    expect((await as.search.query({ query: "Chainlit" })).data.map((hit) => hit.id)).toEqual([threadId]);
  });

  it("first send: the user's rename in another tab lands between the read and the write; it stays", async () => {
    const { as, threadId } = await freshThread();
    const spy = renameBeforeNextWrite(threadId, () => as.threads.rename({ threadId, name: "My own name" }));
    const events = await drain(await as.chat.send({ threadId, messageId: randomUUID(), content: "hello there" }));
    expect(spy).toHaveBeenCalledTimes(2); // the rename's write, then the send's
    expect(events.at(-1)).toMatchObject({ type: "done" });
    expect(startOf(events).threadName).toBe("My own name");
    expect(await nameOf(threadId)).toBe("My own name");
  });

  it("edit of the first question: a rename landing between the read and the write stays, and the edit is answered", async () => {
    const { as, threadId } = await freshThread();
    const messageId = randomUUID();
    await drain(await as.chat.send({ threadId, messageId, content: "which tigers live longest" }));
    expect(await nameOf(threadId)).toBe("which tigers live longest");
    renameBeforeNextWrite(threadId, () => chainlitRename(threadId, "Big cats"));
    const events = await drain(await as.chat.edit({ threadId, stepId: messageId, content: "which lions live longest" }));
    expect(events.at(-1)).toMatchObject({ type: "done", output: expect.stringContaining("Echo: which lions live longest") });
    expect(startOf(events).threadName).toBe("Big cats");
    expect(await nameOf(threadId)).toBe("Big cats");
    const thread = (await harness.services.data.getThread(threadId))!;
    expect(thread.steps.find((s) => s.id === messageId)?.output).toBe("which lions live longest");
  });

  it("the user's rename always wins: written whatever the name became since it was read", async () => {
    const { as, threadId } = await freshThread();
    await drain(await as.chat.send({ threadId, messageId: randomUUID(), content: "hello there" }));
    // Chainlit renames after the rename procedure's gate read: the user's rename still lands over it.
    renameBeforeNextWrite(threadId, () => chainlitRename(threadId, "Chainlit's name"));
    await as.threads.rename({ threadId, name: "The user's name" });
    expect(await nameOf(threadId)).toBe("The user's name");
  });
});
