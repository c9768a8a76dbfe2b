/**
 * Bob tries everything on Alice's data (docs/conventions.md, "Tests"; docs/chainlit.md, "Server routes and
 * ownership": Chainlit's feedback routes had no ownership check at all). Every procedure taking an id is walked with
 * her ids, with his ids mixed with hers, with unknown and malformed ids, and anonymously; afterwards her data must be
 * exactly as it was.
 */
import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadWithContent } from "@/data";
import { uploadElement, type UploadRequest } from "@/server/chat/upload-element";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { transformer } from "@/server/transformer";
import { seedLongThread, type SeededLongThread } from "../../../scripts/seed-long-thread";
import { callerFor, createTestServices, expectNoInternals, seedThread, sessionUser, type Caller, type SeededThread } from "../../../test/callers";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`, "Alice");
const bob = sessionUser(`bob-${randomUUID()}@example.com`, "Bob");
let aliceThread: SeededThread;
let aliceOlder: SeededThread;
let bobThread: SeededThread;
let aliceLong: SeededLongThread;
let bobLong: SeededLongThread;
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
  // Long enough to page (threads.turns cursors).
  aliceLong = await seedLongThread(services.data, { userId: alice.id, steps: 120, name: "Alice's long thread" });
  // His copy of her thread under the same step ids (he can write any id into his own thread): her cursor's turn exists there.
  bobLong = await seedLongThread(services.data, { userId: bob.id, steps: 120, name: "Bob's long thread", sameIdsAs: aliceLong });
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
  "threads.turns": (c, i) => c.threads.turns({ threadId: i.threadId, stepId: i.stepId }),
  "threads.rename": (c, i) => c.threads.rename({ threadId: i.threadId, name: "pwned" }),
  "threads.export json": (c, i) => c.threads.export({ threadId: i.threadId, format: "json" }),
  "threads.export markdown": (c, i) => c.threads.export({ threadId: i.threadId, format: "markdown" }),
  "feedback.upsert": (c, i) => c.feedback.upsert({ threadId: i.threadId, forId: i.stepId, value: 0, comment: "pwned" }),
  "feedback.delete": (c, i) => c.feedback.delete({ threadId: i.threadId, feedbackId: i.feedbackId }),
  "elements.getUrl": (c, i) => c.elements.getUrl({ threadId: i.threadId, elementId: i.elementId }),
  "elements.delete": (c, i) => c.elements.delete({ threadId: i.threadId, elementId: i.elementId }),
  "threads.delete": (c, i) => c.threads.delete({ threadId: i.threadId }),
};
/** The procedures that also name something inside the thread. */
const CHILD_CALLS = ["threads.turns", "feedback.upsert", "feedback.delete", "elements.getUrl", "elements.delete"];

/** The code a call failed with, "resolved" if it did not; a message showing a key or a stack is flagged too. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  return run().then(
    () => "resolved",
    (error: { code?: string; message?: string }) => (/THREAD#|USER#|PK|\n\s+at /.test(error.message ?? "") ? `${error.code} leaking "${error.message}"` : String(error.code)),
  );
}

/** Runs every call to the end, one at a time, so one failure cannot hide another, and compares them as one table. */
async function expectCodes(code: string, calls: Array<[label: string, run: () => Promise<unknown>]>) {
  const outcomes: Record<string, string> = {};
  for (const [label, run] of calls) outcomes[label] = await outcome(run);
  expect(outcomes).toEqual(Object.fromEntries(calls.map(([label]) => [label, code])));
}

const everyCall = (caller: Caller, ids: Ids, names = Object.keys(THREAD_CALLS), suffix = "") =>
  names.map((name): [string, () => Promise<unknown>] => [`${name}${suffix}`, () => THREAD_CALLS[name]!(caller, ids)]);

describe("Bob with Alice's ids", () => {
  it("gets NOT_FOUND from every procedure", async () => {
    await expectCodes("NOT_FOUND", everyCall(asBob, idsOf(aliceThread)));
  });

  it("gets NOT_FOUND with his own threadId and her step, element or feedback id", async () => {
    await expectCodes("NOT_FOUND", everyCall(asBob, { ...idsOf(aliceThread), threadId: bobThread.threadId }, CHILD_CALLS));
  });

  it("gets NOT_FOUND with her threadId and his own step, element or feedback id", async () => {
    await expectCodes("NOT_FOUND", everyCall(asBob, { ...idsOf(bobThread), threadId: aliceThread.threadId }, CHILD_CALLS));
  });

  it("cannot reach her step by forging a feedback id under his own thread", async () => {
    const forged = `THREAD#${bobThread.threadId}::STEP#${aliceThread.assistantStepId}`;
    expect(await asBob.feedback.delete({ threadId: bobThread.threadId, feedbackId: forged })).toEqual({ deleted: false });
  });

  it("lists only his own threads, whatever userId he smuggles in", async () => {
    const smuggled = { userId: alice.id, user: alice, filter: { userId: alice.id } } as unknown as Parameters<Caller["threads"]["list"]>[0];
    const page = await asBob.threads.list(smuggled);
    expect(page.data.map((t) => t.id).sort()).toEqual([bobThread.threadId, bobLong.threadId].sort());
    expectNoInternals(page);
  });

  it("cannot page through her list with her cursor", async () => {
    const hers = await callerFor(services, alice).threads.list({ first: 1 });
    expect(hers.pageInfo.endCursor).toBeTruthy();
    await expectCodes("BAD_REQUEST", [["her cursor", () => asBob.threads.list({ first: 1, cursor: hers.pageInfo.endCursor })]]);
  });
});

describe("turn cursors (threads.turns)", () => {
  const olderCursorOf = async (caller: Caller, threadId: string) => (await caller.threads.get({ threadId })).window.olderCursor!;

  it("Bob cannot page Alice's thread with her cursor, nor his own with it", async () => {
    const hers = await olderCursorOf(callerFor(services, alice), aliceLong.threadId);
    expect(hers).toBeTruthy();
    await expectCodes("NOT_FOUND", [["her cursor on her thread", () => asBob.threads.turns({ threadId: aliceLong.threadId, cursor: hers })]]);
    await expectCodes("BAD_REQUEST", [["her cursor on his thread", () => asBob.threads.turns({ threadId: bobLong.threadId, cursor: hers })]]);
  });

  it("a cursor of his own rewritten to name her, or tampered, is BAD_REQUEST", async () => {
    const his = await olderCursorOf(asBob, bobLong.threadId);
    const [body, signature] = his.split(".") as [string, string];
    const decoded = JSON.parse(Buffer.from(body, "base64url").toString());
    const rewrite = (patch: object) => `${Buffer.from(JSON.stringify({ ...decoded, ...patch })).toString("base64url")}.${signature}`;
    const cursors = {
      "rewritten user": rewrite({ u: alice.id }),
      "rewritten turn": rewrite({ r: aliceLong.turns[0]!.messageId }),
      "rewritten direction": rewrite({ d: "newer" }),
      "cut signature": `${body}.${signature.slice(1)}`,
      garbage: "garbage",
      "a list cursor": (await asBob.threads.list({ first: 1 })).pageInfo.endCursor!,
      "1025 chars": "x".repeat(1025),
    };
    await expectCodes(
      "BAD_REQUEST",
      Object.entries(cursors).map(([label, cursor]) => [label, () => asBob.threads.turns({ threadId: bobLong.threadId, cursor })]),
    );
  });
});

describe("unknown and malformed ids", () => {
  it("unknown ids are NOT_FOUND", async () => {
    const unknown = { threadId: randomUUID(), stepId: randomUUID(), elementId: randomUUID(), feedbackId: `THREAD#${randomUUID()}::STEP#${randomUUID()}` };
    await expectCodes("NOT_FOUND", [
      ...everyCall(asBob, unknown),
      ...everyCall(asBob, { ...unknown, threadId: bobThread.threadId }, ["feedback.upsert", "elements.getUrl", "elements.delete"], " in his thread"),
    ]);
  });

  const MALFORMED = ["", "#", "THREAD#x", "a b", " ", "x".repeat(10_000)];

  it("malformed thread ids are BAD_REQUEST", async () => {
    await expectCodes(
      "BAD_REQUEST",
      MALFORMED.flatMap((threadId) => everyCall(asBob, { ...idsOf(bobThread), threadId }, undefined, ` "${threadId.slice(0, 12)}"`)),
    );
  });

  it("malformed step and element ids are BAD_REQUEST", async () => {
    const { threadId } = bobThread;
    await expectCodes("BAD_REQUEST", [
      ...MALFORMED.flatMap((id) =>
        everyCall(asBob, { ...idsOf(bobThread), stepId: id, elementId: id }, ["threads.turns", "feedback.upsert", "elements.getUrl", "elements.delete"], ` "${id.slice(0, 12)}"`),
      ),
      ["long feedbackId", () => asBob.feedback.delete({ threadId, feedbackId: "x".repeat(10_000) })],
      ["empty feedbackId", () => asBob.feedback.delete({ threadId, feedbackId: "" })],
    ]);
  });

  it("malformed and tampered cursors are BAD_REQUEST", async () => {
    const real = (await callerFor(services, alice).threads.list({ first: 1 })).pageInfo.endCursor!;
    const [body, signature] = real.split(".") as [string, string];
    const decoded = JSON.parse(Buffer.from(body, "base64url").toString());
    const rewritten = Buffer.from(JSON.stringify({ ...decoded, u: bob.id })).toString("base64url");
    const cursors = { garbage: "garbage", "two parts": "a.b", dot: ".", "cut signature": `${body}.${signature.slice(1)}`, "rewritten user": `${rewritten}.${signature}`, "2049 chars": "x".repeat(2049) };
    await expectCodes("BAD_REQUEST", Object.entries(cursors).map(([label, cursor]) => [label, () => asBob.threads.list({ cursor })]));
  });
});

describe("chat.send and the upload route", () => {
  /** A thread id a client might try: someone else's, unknown, a user identifier (a storage path), path-like. */
  const hostileIds = (): Record<string, string> => ({
    "her thread": aliceThread.threadId,
    unknown: randomUUID(),
    "her identifier": alice.id,
    "his own identifier": bob.id,
    "identifier/thread": `${alice.id}/${aliceThread.threadId}`,
    "dot dot": "..",
    dot: ".",
    "../ path": `../${aliceThread.threadId}`,
    "encoded slash": `${alice.id}%2F${aliceThread.threadId}`,
  });

  const send = (threadId: string) => async () => {
    for await (const _event of await asBob.chat.send({ threadId, messageId: randomUUID(), content: "pwned" }));
  };
  const upload = (threadId: string, overrides: Partial<UploadRequest> = {}) =>
    uploadElement(services, bob, {
      threadId,
      elementId: randomUUID(),
      forId: randomUUID(),
      fileName: "pwned.txt",
      mime: "text/plain",
      contentLength: 6,
      body: new Blob(["pwned!"]).stream(),
      ...overrides,
    });

  it("chat.send is NOT_FOUND for every thread id that is not his, and creates no thread", async () => {
    const ids = hostileIds();
    await expectCodes("NOT_FOUND", Object.entries(ids).map(([label, threadId]) => [label, send(threadId)]));
    for (const threadId of Object.values(ids).filter((id) => id !== aliceThread.threadId)) expect(await services.data.getThreadAuthor(threadId)).toBeNull();
  });

  it("the upload route answers 404 for every thread id that is not his, and stores nothing", async () => {
    const ids = hostileIds();
    const statuses: Record<string, unknown> = {};
    for (const [label, threadId] of Object.entries(ids)) statuses[label] = await upload(threadId);
    expect(statuses).toEqual(Object.fromEntries(Object.keys(ids).map((label) => [label, { status: 404, error: "Thread not found" }])));
    for (const threadId of Object.values(ids).filter((id) => id !== aliceThread.threadId)) expect(await services.data.getThreadAuthor(threadId)).toBeNull();
  });

  it("element ids that are path segments are refused in his own thread, with no internal reason", async () => {
    for (const elementId of ["..", ".", "a/b", "a\\b"]) {
      const result = await upload(bobThread.threadId, { elementId });
      expect(result, elementId).toMatchObject({ status: 400 });
      expect(JSON.stringify(result), elementId).not.toMatch(/object key|objectKey|segment|separator/);
    }
  });

  it("message and element ids naming her step or file only ever land in his own thread", async () => {
    const result = await upload(bobThread.threadId, { elementId: aliceThread.elementId, forId: aliceThread.assistantStepId });
    expect(result.status).toBe(201);
    for await (const _event of await asBob.chat.send({ threadId: bobThread.threadId, messageId: aliceThread.userStepId, content: "pwned" }));
    const his = await services.data.getThread(bobThread.threadId);
    expect(his!.steps.some((step) => step.id === aliceThread.userStepId)).toBe(true);
    expect(his!.elements.some((element) => element.id === aliceThread.elementId)).toBe(true);
    // Her thread, step and file are checked as they were in "afterwards".
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
    await expectCodes("UNAUTHORIZED", [
      ...everyCall(anonymous, idsOf(aliceThread)),
      ...everyCall(anonymous, { ...idsOf(aliceThread), threadId: "#" }, undefined, " malformed"),
      ["threads.list", () => anonymous.threads.list({})],
      ["user.me", () => anonymous.user.me()],
    ]);
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
