/**
 * Bob tries everything on Alice's data (style.md §4; chainlit-data-layer.md §5: Chainlit's feedback routes had no
 * ownership check at all). Every procedure taking an id is walked with her ids, with his ids mixed with hers,
 * with unknown and malformed ids, and anonymously; afterwards her data must be exactly as it was.
 */
import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadWithContent } from "@/data";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { transformer } from "@/server/transformer";
import { callerFor, createTestServices, expectNoInternals, seedThread, sessionUser, type Caller, type SeededThread } from "../../../test/callers";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`, "Alice");
const bob = sessionUser(`bob-${randomUUID()}@example.com`, "Bob");
let aliceThread: SeededThread;
let aliceOlder: SeededThread;
let bobThread: SeededThread;
let aliceBefore: Awaited<ReturnType<typeof aliceState>>;
let asBob: Caller;

/** Alice's thread and list as stored; signed links differ on every read, so they are left out. */
async function aliceState() {
  const withoutLinks = (thread: ThreadWithContent | null) =>
    thread && { ...thread, elements: thread.elements.map(({ url: _u, urlExpiresAt: _e, ...element }) => element) };
  const [thread, older, list] = await Promise.all([
    services.data.getThread(aliceThread.threadId),
    services.data.getThread(aliceOlder.threadId),
    services.data.listThreads({ first: 100 }, { userId: alice.id }),
  ]);
  const blob = await (await fetch((await services.data.getElement(aliceThread.threadId, aliceThread.elementId))!.url!)).text();
  return { thread: withoutLinks(thread), older: withoutLinks(older), list, blob };
}

beforeAll(async () => {
  services = await createTestServices();
  aliceOlder = await seedThread(services, alice.id, "Alice's older thread");
  aliceThread = await seedThread(services, alice.id, "Alice's secrets");
  bobThread = await seedThread(services, bob.id, "Bob's thread");
  aliceBefore = await aliceState();
  asBob = callerFor(services, bob);
});
afterAll(() => services.close());

interface Ids {
  threadId: string;
  stepId: string;
  elementId: string;
  feedbackId: string;
}
const idsOf = (t: SeededThread): Ids => ({ threadId: t.threadId, stepId: t.assistantStepId, elementId: t.elementId, feedbackId: t.feedbackId });

/** Every procedure that names a thread; delete last, so a failure there cannot hide the others. */
const THREAD_CALLS: Record<string, (caller: Caller, ids: Ids) => Promise<unknown>> = {
  "threads.get": (c, i) => c.threads.get({ threadId: i.threadId }),
  "threads.rename": (c, i) => c.threads.rename({ threadId: i.threadId, name: "pwned" }),
  "threads.export json": (c, i) => c.threads.export({ threadId: i.threadId, format: "json" }),
  "threads.export markdown": (c, i) => c.threads.export({ threadId: i.threadId, format: "markdown" }),
  "feedback.upsert": (c, i) => c.feedback.upsert({ threadId: i.threadId, forId: i.stepId, value: 0, comment: "pwned" }),
  "feedback.delete": (c, i) => c.feedback.delete({ threadId: i.threadId, feedbackId: i.feedbackId }),
  "elements.getUrl": (c, i) => c.elements.getUrl({ threadId: i.threadId, elementId: i.elementId }),
  "threads.delete": (c, i) => c.threads.delete({ threadId: i.threadId }),
};
/** The procedures that also name something inside the thread. */
const CHILD_CALLS = ["feedback.upsert", "feedback.delete", "elements.getUrl"] as const;

async function expectCode(promise: Promise<unknown>, code: string, label: string) {
  const error = await promise.then(
    (value) => new Error(`${label}: expected ${code}, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  expect(error, label).toMatchObject({ code });
  // What the client would see: the message, never a key or a stack.
  expect((error as Error).message, label).not.toMatch(/THREAD#|USER#|PK|\n\s+at /);
}

describe("Bob with Alice's ids", () => {
  it("gets NOT_FOUND from every procedure", async () => {
    for (const [name, call] of Object.entries(THREAD_CALLS)) await expectCode(call(asBob, idsOf(aliceThread)), "NOT_FOUND", name);
  });

  it("gets NOT_FOUND with his own threadId and her step, element or feedback id", async () => {
    const mixed = { ...idsOf(aliceThread), threadId: bobThread.threadId };
    for (const name of CHILD_CALLS) await expectCode(THREAD_CALLS[name]!(asBob, mixed), "NOT_FOUND", name);
  });

  it("gets NOT_FOUND with her threadId and his own step, element or feedback id", async () => {
    const mixed = { ...idsOf(bobThread), threadId: aliceThread.threadId };
    for (const name of CHILD_CALLS) await expectCode(THREAD_CALLS[name]!(asBob, mixed), "NOT_FOUND", name);
  });

  it("cannot reach her step by forging a feedback id under his own thread", async () => {
    const forged = `THREAD#${bobThread.threadId}::STEP#${aliceThread.assistantStepId}`;
    expect(await asBob.feedback.delete({ threadId: bobThread.threadId, feedbackId: forged })).toEqual({ deleted: false });
  });

  it("lists only his own threads, whatever userId he smuggles in", async () => {
    const smuggled = { userId: alice.id, user: alice, filter: { userId: alice.id } } as unknown as Parameters<Caller["threads"]["list"]>[0];
    const page = await asBob.threads.list(smuggled);
    expect(page.data.map((t) => t.id)).toEqual([bobThread.threadId]);
    expectNoInternals(page);
  });

  it("cannot page through her list with her cursor", async () => {
    const hers = await callerFor(services, alice).threads.list({ first: 1 });
    expect(hers.pageInfo.endCursor).toBeTruthy();
    await expectCode(asBob.threads.list({ first: 1, cursor: hers.pageInfo.endCursor }), "BAD_REQUEST", "her cursor");
  });
});

describe("unknown and malformed ids", () => {
  it("unknown ids are NOT_FOUND", async () => {
    const unknown = { threadId: randomUUID(), stepId: randomUUID(), elementId: randomUUID(), feedbackId: `THREAD#${randomUUID()}::STEP#${randomUUID()}` };
    for (const [name, call] of Object.entries(THREAD_CALLS)) await expectCode(call(asBob, unknown), "NOT_FOUND", name);
    for (const name of ["feedback.upsert", "elements.getUrl"] as const) {
      await expectCode(THREAD_CALLS[name]!(asBob, { ...unknown, threadId: bobThread.threadId }), "NOT_FOUND", `${name} in his thread`);
    }
  });

  const MALFORMED = ["", "#", "THREAD#x", "a b", " ", "x".repeat(10_000)];

  it("malformed thread ids are BAD_REQUEST", async () => {
    for (const threadId of MALFORMED) {
      for (const [name, call] of Object.entries(THREAD_CALLS)) {
        await expectCode(call(asBob, { ...idsOf(bobThread), threadId }), "BAD_REQUEST", `${name} ${threadId.slice(0, 12)}`);
      }
    }
  });

  it("malformed step and element ids are BAD_REQUEST", async () => {
    for (const id of MALFORMED) {
      const ids = { ...idsOf(bobThread), stepId: id, elementId: id };
      await expectCode(THREAD_CALLS["feedback.upsert"]!(asBob, ids), "BAD_REQUEST", `forId ${id.slice(0, 12)}`);
      await expectCode(THREAD_CALLS["elements.getUrl"]!(asBob, ids), "BAD_REQUEST", `elementId ${id.slice(0, 12)}`);
    }
    await expectCode(asBob.feedback.delete({ threadId: bobThread.threadId, feedbackId: "x".repeat(10_000) }), "BAD_REQUEST", "long feedbackId");
    await expectCode(asBob.feedback.delete({ threadId: bobThread.threadId, feedbackId: "" }), "BAD_REQUEST", "empty feedbackId");
  });

  it("malformed and tampered cursors are BAD_REQUEST", async () => {
    const real = (await callerFor(services, alice).threads.list({ first: 1 })).pageInfo.endCursor!;
    const [body, signature] = real.split(".") as [string, string];
    const decoded = JSON.parse(Buffer.from(body, "base64url").toString());
    const rewritten = Buffer.from(JSON.stringify({ ...decoded, u: bob.id })).toString("base64url");
    for (const cursor of ["garbage", "a.b", ".", `${body}.${signature.slice(1)}`, `${rewritten}.${signature}`, "x".repeat(2049)]) {
      await expectCode(asBob.threads.list({ cursor }), "BAD_REQUEST", `cursor ${cursor.slice(0, 20)}`);
    }
  });
});

describe("input limits", () => {
  const expectZod = async (promise: Promise<unknown>, message: RegExp, label: string) => {
    const error = await promise.then(() => null, (e: unknown) => e as { code: string; message: string; cause?: unknown });
    expect(error, label).toMatchObject({ code: "BAD_REQUEST" });
    expect(error!.message, label).toMatch(message);
  };

  it("rejects oversize names, comments, searches and pages with a zod message", async () => {
    const { threadId, assistantStepId } = bobThread;
    await expectZod(asBob.threads.rename({ threadId, name: "n".repeat(201) }), /at most 200/, "name");
    await expectZod(asBob.feedback.upsert({ threadId, forId: assistantStepId, value: 1, comment: "c".repeat(2001) }), /at most 2000/, "comment");
    await expectZod(asBob.threads.list({ first: 101 }), /first must be at most 100/, "first 101");
    await expectZod(asBob.threads.list({ first: 0 }), /first must be at least 1/, "first 0");
    await expectZod(asBob.threads.list({ first: 1.5 }), /int/i, "first 1.5");
    await expectZod(asBob.threads.list({ search: "s".repeat(201) }), /200/, "search");
    await expectZod(asBob.feedback.upsert({ threadId, forId: assistantStepId, value: 2 as 1 }), /value|invalid/i, "value 2");
    await expectZod(asBob.threads.export({ threadId, format: "pdf" as "json" }), /json|markdown|invalid/i, "format");
  });

  it("accepts the limits themselves", async () => {
    const { threadId, assistantStepId } = bobThread;
    await expect(asBob.threads.rename({ threadId, name: "n".repeat(200) })).resolves.toMatchObject({ name: "n".repeat(200) });
    await expect(asBob.feedback.upsert({ threadId, forId: assistantStepId, value: 0, comment: "c".repeat(2000) })).resolves.toBeTruthy();
    await expect(asBob.threads.list({ first: 100 })).resolves.toBeTruthy();
  });
});

describe("anonymous callers", () => {
  it("get UNAUTHORIZED from every procedure, before any input is looked at", async () => {
    const anonymous = callerFor(services, null);
    for (const [name, call] of Object.entries(THREAD_CALLS)) {
      await expectCode(call(anonymous, idsOf(aliceThread)), "UNAUTHORIZED", name);
      await expectCode(call(anonymous, { ...idsOf(aliceThread), threadId: "#" }), "UNAUTHORIZED", `${name} malformed`);
    }
    await expectCode(anonymous.threads.list({}), "UNAUTHORIZED", "threads.list");
    await expectCode(anonymous.user.me(), "UNAUTHORIZED", "user.me");
  });
});

describe("over HTTP", () => {
  const call = async (path: string, input: unknown, user = bob) => {
    const url = `http://localhost/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(transformer.serialize(input)))}`;
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(url),
      router: appRouter,
      createContext: () => createInnerContext({ user, services }),
      onError: () => undefined,
    });
    return { status: response.status, text: await response.text() };
  };

  it("answers errors with a status and a message, never a stack or a key", async () => {
    const notFound = await call("threads.get", { threadId: aliceThread.threadId });
    expect(notFound.status).toBe(404);
    const bad = await call("threads.list", { first: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("zodError");
    for (const body of [notFound.text, bad.text]) {
      expect(body).not.toContain('"stack"');
      expect(body).not.toMatch(/node_modules|\.ts:\d+/);
      expectNoInternals(JSON.parse(body));
    }
  });

  it("sends a successful response without internal keys", async () => {
    const ok = await call("threads.get", { threadId: bobThread.threadId });
    expect(ok.status).toBe(200);
    expectNoInternals(JSON.parse(ok.text));
  });
});

describe("afterwards", () => {
  it("Alice's threads, steps, feedback, elements and blobs are exactly as they were", async () => {
    expect(await aliceState()).toEqual(aliceBefore);
    expect(aliceBefore.thread!.steps.find((s) => s.id === aliceThread.assistantStepId)!.feedback).toMatchObject({ value: 1, comment: "Spot on" });
  });
});
