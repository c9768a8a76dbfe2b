/**
 * The thread gate (thread-access.ts): one read per call, the thread it read handed on (no procedure reads it twice),
 * and the same NOT_FOUND for someone else's thread and a missing one. Round trips are counted on the real dynalite.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, newThread, seedThread, sessionUser, type SeededThread } from "../../../test/callers";
import { uploadElement } from "../chat/uploads/upload-element";
import { createOwnedThread, createThreadPasses, findOwnedThread, findOwnedThreadOutline, findOwnedThreadRef, THREAD_PASS_SECONDS } from "./thread-access";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`);
const bob = sessionUser(`bob-${randomUUID()}@example.com`);
let seeded: SeededThread;

beforeAll(async () => {
  services = await createTestServices();
  seeded = await seedThread(services, alice.id, "Alice's thread");
});
afterAll(() => services.close());

/** The DynamoDB requests one action makes, by operation. */
async function requestsOf(action: () => Promise<unknown>): Promise<Record<string, number>> {
  services.requests.reset();
  await action().catch(() => undefined);
  return Object.fromEntries(services.requests.byOperation);
}

const drain = async (events: AsyncIterable<unknown>) => {
  for await (const _event of events);
};

describe("round trips through the gate", () => {
  it("threads.get reads the thread once (one Query); threads.export asks for the owner first, then reads it once", async () => {
    const caller = callerFor(services, alice);
    expect(await requestsOf(() => caller.threads.get({ threadId: seeded.threadId }))).toEqual({ QueryCommand: 1 });
    expect(await requestsOf(() => caller.threads.export({ threadId: seeded.threadId, format: "json" }))).toEqual({ GetItemCommand: 1, QueryCommand: 1 });
    // Hostile: someone else's thread (its id is in its share link) costs the GetItem, never the thread's read.
    expect(await requestsOf(() => callerFor(services, bob).threads.export({ threadId: seeded.threadId, format: "json" }))).toEqual({ GetItemCommand: 1 });
  });

  it("procedures that need only the owner make one GetItem before their own work", async () => {
    const caller = callerFor(services, alice);
    // + beside the write, the full-text index of the name (docs/search.md): its doc's GetItem, the postings, the doc.
    expect(await requestsOf(() => caller.threads.rename({ threadId: seeded.threadId, name: "Renamed" }))).toEqual({ GetItemCommand: 2, UpdateItemCommand: 1, BatchWriteItemCommand: 1, PutItemCommand: 1 });
    const upload = () =>
      uploadElement(services, alice, {
        threadId: seeded.threadId,
        elementId: randomUUID(),
        forId: randomUUID(),
        fileName: "a.txt",
        mime: "text/plain",
        contentLength: 1,
        body: new Blob(["a"]).stream(),
      });
    // + the day's upload budget (one UpdateItem beside the GetItem; settled with no request, the stored size being the
    // declared one), + the file name's full-text index, beside the PutItem.
    expect(await requestsOf(upload)).toEqual({ GetItemCommand: 2, UpdateItemCommand: 1, PutItemCommand: 2, BatchWriteItemCommand: 1 });
  });

  it("chat.send reads the thread once and hands it to the turn (no second read)", async () => {
    const threadId = await newThread(services, alice);
    const counts = await requestsOf(async () => drain(await callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "hello" })));
    expect(counts.QueryCommand).toBe(1);
    // The only GetItems are the full-text index's doc reads, one per indexed message write (user message, reply
    // created, streaming checkpoints, reply finished); the thread itself is read once, by the Query above.
    expect(counts.GetItemCommand).toBeGreaterThanOrEqual(3);
    expect((await services.data.getThread(threadId))?.steps.length).toBeGreaterThan(0);
  });

  it("threads.create is one conditional write under a fresh UUID, whatever the client sends, beside its budget's count", async () => {
    const smuggled = { id: alice.id, threadId: seeded.threadId } as never;
    let created = "";
    // The thread's conditional write and the new-chat budget's atomic ADD, side by side: one round trip.
    expect(await requestsOf(async () => (created = (await callerFor(services, bob).threads.create(smuggled)).id))).toEqual({ UpdateItemCommand: 2 });
    expect(created).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await services.data.getThreadAuthor(created)).toBe(bob.id);
    expect(await services.data.getThreadAuthor(alice.id)).toBeNull();
    expect(await services.data.getThreadAuthor(seeded.threadId)).toBe(alice.id);
  });
});

describe("someone else's thread and a missing one", () => {
  it("look the same through every entry point", async () => {
    const asBob = callerFor(services, bob);
    const missing = randomUUID();
    const failure = (promise: Promise<unknown>) => promise.then(() => "resolved", (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);
    for (const call of [
      (threadId: string) => asBob.threads.get({ threadId }),
      (threadId: string) => asBob.threads.rename({ threadId, name: "x" }),
      async (threadId: string) => drain(await asBob.chat.send({ threadId, messageId: randomUUID(), content: "x" })),
    ]) {
      const [foreign, unknown] = [await failure(call(seeded.threadId)), await failure(call(missing))];
      expect(foreign).toBe("NOT_FOUND: Thread not found");
      expect(unknown).toBe(foreign);
    }
    const upload = (threadId: string) =>
      uploadElement(services, bob, { threadId, elementId: randomUUID(), forId: randomUUID(), fileName: "a.txt", mime: "text/plain", contentLength: 1, body: new Blob(["a"]).stream() });
    expect(await upload(seeded.threadId)).toEqual(await upload(missing));
    expect(await upload(missing)).toEqual({ status: 404, error: "Thread not found", refusal: { code: "thread-not-found" } });
  });

  it("the module's finders answer null, and a malformed id is simply not found", async () => {
    for (const find of [findOwnedThreadRef, findOwnedThread]) {
      expect(await find(services.data, bob, seeded.threadId)).toBeNull();
      expect(await find(services.data, bob, randomUUID())).toBeNull();
      expect(await find(services.data, bob, "#bad id")).toBeNull();
      expect(await find(services.data, alice, seeded.threadId)).toMatchObject({ id: seeded.threadId, userId: alice.id });
    }
    const own = await createOwnedThread(services.data, bob);
    expect(await findOwnedThreadRef(services.data, bob, own.id)).toEqual(own);
  });
});

describe("a long thread's page starts before the rest of its read (docs/long-threads.md, \"Opening a long thread\")", () => {
  it("is told after the first Query for its owner only; someone else's long thread and a one-page thread are not told", async () => {
    // Over 1 MB in ~10 KB steps under random ids, as Chainlit writes them: more than one Query.
    const threadId = randomUUID();
    await services.data.updateThread(threadId, { name: "Long", userId: alice.id }, { touch: true });
    for (let i = 0; i < 130; i += 26)
      await Promise.all(Array.from({ length: 26 }, (_, j) => services.data.createStep({ id: randomUUID(), threadId, type: "assistant_message", output: `${i + j} ${"y".repeat(10_000)}` })));
    const read = async (user: typeof alice, id: string) => {
      const told: Array<{ name: unknown; requestsSoFar: number }> = [];
      services.requests.reset();
      const outline = await findOwnedThreadOutline(services.data, user, id, (thread) => told.push({ name: thread.name, requestsSoFar: services.requests.count }));
      return { found: outline !== null, told, requests: services.requests.count };
    };
    const own = await read(alice, threadId);
    expect(own.found).toBe(true);
    expect(own.requests).toBeGreaterThan(1);
    expect(own.told).toEqual([{ name: "Long", requestsSoFar: 1 }]);
    // Hostile: Bob's page must answer 404 before anything streams, so he is never told, before or after the read.
    // ...and the read stops at the page that showed the thread is not his: the rest of Alice's thread is never read.
    expect(await read(bob, threadId)).toEqual({ found: false, told: [], requests: 1 });
    expect(await requestsOf(() => callerFor(services, bob).threads.get({ threadId }))).toEqual({ QueryCommand: 1 });
    expect((await read(alice, seeded.threadId)).told).toEqual([]);
  });
});

describe("thread passes", () => {
  const threadId = randomUUID();
  let clock = 1_800_000_000_000;
  const passes = createThreadPasses("a-secret-of-at-least-thirty-two-characters", { now: () => clock });

  it("hold for the user and thread they were issued for, until they expire", () => {
    const pass = passes.issue(alice, threadId);
    expect(passes.holds(alice, threadId, pass)).toBe(true);
    expect(passes.holds(bob, threadId, pass)).toBe(false);
    expect(passes.holds(alice, randomUUID(), pass)).toBe(false);
    expect(createThreadPasses("another-secret-of-at-least-thirty-two-chars", { now: () => clock }).holds(alice, threadId, pass)).toBe(false);
    clock += THREAD_PASS_SECONDS * 1000;
    expect(passes.holds(alice, threadId, pass)).toBe(false);
  });

  it("refuse anything altered or malformed", () => {
    const pass = passes.issue(alice, threadId);
    const [expires, tag] = pass.split(".") as [string, string];
    const flipped = `${tag.slice(0, -1)}${tag.endsWith("A") ? "B" : "A"}`;
    for (const bad of [`${Number(expires) + 1}.${tag}`, `${expires}.${flipped}`, `${expires}.${tag}x`, expires, "", ".", `${expires}.${tag}.${tag}`, "x".repeat(64)]) {
      expect(passes.holds(alice, threadId, bad), bad).toBe(false);
    }
  });

  it("spare the ownership read only when they hold; otherwise the GetItem decides", async () => {
    const real = createThreadPasses("a-secret-of-at-least-thirty-two-characters");
    const pass = real.issue(alice, seeded.threadId);
    expect(await requestsOf(() => findOwnedThreadRef(services.data, alice, seeded.threadId, { passes: real, pass }))).toEqual({});
    expect(await requestsOf(() => findOwnedThreadRef(services.data, bob, seeded.threadId, { passes: real, pass }))).toEqual({ GetItemCommand: 1 });
    expect(await findOwnedThreadRef(services.data, bob, seeded.threadId, { passes: real, pass })).toBeNull();
    expect(await findOwnedThreadRef(services.data, alice, seeded.threadId, { passes: real, pass: "forged.pass" })).toEqual({ id: seeded.threadId, userId: alice.id });
  });
});
