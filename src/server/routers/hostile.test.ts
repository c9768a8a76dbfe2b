/**
 * Bob tries everything on Alice's data (docs/conventions.md, "Tests"; docs/chainlit.md, "Server routes and
 * ownership": Chainlit's feedback routes had no ownership check at all). Every procedure taking an id is walked with
 * her ids, with his ids mixed with hers, with unknown and malformed ids, and anonymously; afterwards her data must be
 * exactly as it was.
 */
import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadWithContent } from "@/data";
import { uploadElement, type UploadRequest } from "@/server/chat/uploads/upload-element";
import { startImport, waitForImport } from "@/server/import/import-jobs";
import { createInnerContext } from "@/server/context";
import { appRouter, createCaller } from "@/server/root";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { CLIENT_ADDRESS_HEADER } from "@/server/http/client-address";
import { isSharePage, sharePageRateGate } from "@/server/share/share-page-gate";
import { readSharedPrint } from "@/server/share/shared-print";
import { readShare, readSharePage } from "@/server/share/shared-thread";
import { transformer } from "@/server/transformer";
import { seedLongThread, type SeededLongThread } from "../../../scripts/seed-long-thread";
import { CHATGPT_FIXTURE, zipOf } from "../../../test/import-archives";
import { callerFor, createTestServices, expectNoInternals, newThread, seedThread, sessionUser, type Caller, type SeededThread } from "../../../test/callers";

/**
 * A client address no other call of this file has used (documentation range, 2^32 of them): the share budget is per
 * address and per minute, and a budget-of-1 test given an address an earlier test had hit was refused at once.
 */
const freshAddress = () => `2001:db8:${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}::1`;

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
/** Alice's thread shared (signed-in, 7 days) before the walks: bob must not be able to change or end it. */
let aliceShared: SeededThread;

/** Alice's thread and list as stored; signed links differ on every read, so they are left out. */
async function aliceState() {
  const withoutLinks = (thread: ThreadWithContent | null) =>
    thread && { ...thread, elements: thread.elements.map(({ url: _u, urlExpiresAt: _e, ...element }) => element) };
  const [thread, older, list, pins] = await Promise.all([
    services.data.getThread(aliceThread.threadId),
    services.data.getThread(aliceOlder.threadId),
    services.data.listThreads({ first: 100 }, { userId: alice.id }),
    services.data.listPinnedThreads(alice.id),
  ]);
  const blob = await (await fetch((await services.data.getElement(aliceThread.threadId, aliceThread.elementId))!.url!)).text();
  return { thread: withoutLinks(thread), older: withoutLinks(older), list, pins, blob };
}

beforeAll(async () => {
  services = await createTestServices();
  aliceOlder = await seedThread(services, alice.id, "Alice's older thread");
  aliceThread = await seedThread(services, alice.id, "Alice's secrets");
  bobThread = await seedThread(services, bob.id, "Bob's thread");
  aliceShared = await seedThread(services, alice.id, "Alice's shared thread");
  await callerFor(services, alice).share.create({ threadId: aliceShared.threadId, access: "signed-in", expiry: "7d" });
  // Pinned, so that bob's unpin of it has something to take away.
  await callerFor(services, alice).threads.pin({ threadId: aliceThread.threadId });
  // Tagged, so that bob's removeTag has something to take away and his tag listing something to find.
  await callerFor(services, alice).threads.addTag({ threadId: aliceThread.threadId, tag: "secret" });
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
  /** A question of the thread (chat.edit); the answer's `stepId` when not given. */
  questionId?: string;
}
const idsOf = (t: SeededThread): Ids => ({ threadId: t.threadId, stepId: t.assistantStepId, elementId: t.elementId, feedbackId: t.feedbackId, questionId: t.userStepId });

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
  "elements.preview": (c, i) => c.elements.preview({ threadId: i.threadId, elementId: i.elementId }),
  "elements.delete": (c, i) => c.elements.delete({ threadId: i.threadId, elementId: i.elementId }),
  "share.state": (c, i) => c.share.state({ threadId: i.threadId }),
  "share.create": (c, i) => c.share.create({ threadId: i.threadId, access: "public", expiry: "never" }),
  "share.update": (c, i) => c.share.update({ threadId: i.threadId, access: "public", expiry: "never" }),
  "share.revoke": (c, i) => c.share.revoke({ threadId: i.threadId }),
  "threads.pin": (c, i) => c.threads.pin({ threadId: i.threadId }),
  "threads.unpin": (c, i) => c.threads.unpin({ threadId: i.threadId }),
  "threads.addTag": (c, i) => c.threads.addTag({ threadId: i.threadId, tag: "pwned" }),
  // Her own tag by name: refused, hers kept.
  "threads.removeTag": (c, i) => c.threads.removeTag({ threadId: i.threadId, tag: "secret" }),
  // Her newest reply (a thread without runs: the assistant message after her question): refused, never deleted.
  "chat.regenerate": async (c, i) => {
    for await (const _event of await c.chat.regenerate({ threadId: i.threadId, stepId: i.stepId }));
  },
  // Her question, edited: refused, her later turns never removed.
  "chat.edit": async (c, i) => {
    for await (const _event of await c.chat.edit({ threadId: i.threadId, stepId: i.questionId ?? i.stepId, content: "pwned" }));
  },
  "threads.delete": (c, i) => c.threads.delete({ threadId: i.threadId }),
};
/** The procedures that also name something inside the thread. */
const CHILD_CALLS = ["threads.turns", "feedback.upsert", "feedback.delete", "elements.getUrl", "elements.preview", "elements.delete", "chat.regenerate", "chat.edit"];

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

  it("gets NOT_FOUND with her thread pass, his own pass, or a pass with its expiry rewritten", async () => {
    const hers = (await callerFor(services, alice).threads.get({ threadId: aliceThread.threadId })).pass!;
    const his = (await asBob.threads.get({ threadId: bobThread.threadId })).pass!;
    const [, tag] = his.split(".");
    const passes = { "her pass": hers, "his pass": his, "his pass, later expiry": `${Math.floor(Date.now() / 1000) + 10 ** 8}.${tag}` };
    await expectCodes(
      "NOT_FOUND",
      Object.entries(passes).flatMap(([label, pass]): Array<[string, () => Promise<unknown>]> => [
        [`upsert, ${label}`, () => asBob.feedback.upsert({ threadId: aliceThread.threadId, pass, forId: aliceThread.assistantStepId, value: 0, comment: "pwned" })],
        [`delete, ${label}`, () => asBob.feedback.delete({ threadId: aliceThread.threadId, pass, feedbackId: aliceThread.feedbackId })],
      ]),
    );
  });

  it("cannot edit her question, through her thread or his: NOT_FOUND, and nothing of hers is written or removed", async () => {
    services.requests.reset();
    await expectCodes("NOT_FOUND", [
      ["her thread", () => THREAD_CALLS["chat.edit"]!(asBob, idsOf(aliceOlder))],
      ["his thread, her question", () => THREAD_CALLS["chat.edit"]!(asBob, { ...idsOf(aliceOlder), threadId: bobThread.threadId })],
    ]);
    // Reads, and his own items (the message budget counted, the rewrite claim taken and given back): no step,
    // element or search write.
    const writes = Object.fromEntries([...services.requests.byOperation].filter(([op]) => !/^(Get|Query|BatchGet)/.test(op)));
    expect(writes).toEqual({ UpdateItemCommand: 4, DeleteItemCommand: 2 });
    const older = (await services.data.getThread(aliceOlder.threadId))!;
    expect(older.steps.find((s) => s.id === aliceOlder.userStepId)!.output).toBe("What were **Q3** sales?");
    expect(older.steps.map((s) => s.id).toSorted()).toEqual([aliceOlder.userStepId, aliceOlder.toolStepId, aliceOlder.assistantStepId].toSorted());
    expect(older.elements.map((e) => e.id)).toContain(aliceOlder.elementId);
  });

  it("cannot pin her thread: NOT_FOUND, nothing written, and neither pin list shows it to him", async () => {
    services.requests.reset();
    await expectCodes("NOT_FOUND", [["threads.pin", () => asBob.threads.pin({ threadId: aliceOlder.threadId })]]);
    // The gate's GetItem only: no write reached his PINS item or hers.
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ GetItemCommand: 1 });
    const ctx = services.data.context;
    expect((await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: { PK: `USER#${bob.id}`, SK: "PINS" }, ConsistentRead: true }))).Item).toBeUndefined();
    expect(await asBob.threads.pinned()).toEqual([]);
    expect((await callerFor(services, alice).threads.pinned()).map((row) => row.id)).toEqual([aliceThread.threadId]);
  });

  it("lists only his own threads, whatever userId he smuggles in", async () => {
    const smuggled = { userId: alice.id, user: alice, filter: { userId: alice.id } } as unknown as Parameters<Caller["threads"]["list"]>[0];
    const page = await asBob.threads.list(smuggled);
    expect(page.data.map((t) => t.id).sort()).toEqual([bobThread.threadId, bobLong.threadId].sort());
    expectNoInternals(page);
  });

  it("cannot tag or untag her thread (NOT_FOUND, no write past the gate) nor list her threads by her tag", async () => {
    services.requests.reset();
    await expectCodes("NOT_FOUND", [
      ["threads.addTag", () => asBob.threads.addTag({ threadId: aliceThread.threadId, tag: "pwned" })],
      ["threads.removeTag", () => asBob.threads.removeTag({ threadId: aliceThread.threadId, tag: "secret" })],
    ]);
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ GetItemCommand: 2 });
    expect((await services.data.getThread(aliceThread.threadId))?.tags).toEqual(["demo", "secret"]);
    const smuggled = { tag: "secret", userId: alice.id } as unknown as Parameters<Caller["threads"]["list"]>[0];
    expect((await asBob.threads.list(smuggled)).data).toEqual([]);
    expect((await callerFor(services, alice).threads.list({ tag: "SECRET" })).data.map((t) => t.id)).toEqual([aliceThread.threadId]);
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
    expect(statuses).toEqual(Object.fromEntries(Object.keys(ids).map((label) => [label, { status: 404, error: "Thread not found", refusal: { code: "thread-not-found" } }])));
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
    await expectZod(asBob.threads.addTag({ threadId, tag: "t".repeat(41) }), /A tag is at most 40 characters/, "tag 41");
    await expectZod(asBob.threads.addTag({ threadId, tag: "t".repeat(201) }), /A tag is at most 40 characters/, "tag 201");
    await expectZod(asBob.threads.addTag({ threadId, tag: "  \t " }), /A tag cannot be empty/, "blank tag");
    await expectZod(asBob.threads.addTag({ threadId, tag: "\u202E\u200B\u0000" }), /A tag cannot be empty/, "invisible tag");
    await expectZod(asBob.threads.list({ tag: "t".repeat(201) }), /200/, "tag filter");
  });

  it("accepts the limits themselves", async () => {
    const { threadId, assistantStepId } = bobThread;
    await expect(asBob.threads.rename({ threadId, name: "n".repeat(200) })).resolves.toMatchObject({ name: "n".repeat(200) });
    await expect(asBob.feedback.upsert({ threadId, forId: assistantStepId, value: 0, comment: "c".repeat(2000) })).resolves.toBeTruthy();
    await expect(asBob.threads.list({ first: 100 })).resolves.toBeTruthy();
    await expect(asBob.threads.addTag({ threadId, tag: "t".repeat(40) })).resolves.toMatchObject({ tags: ["demo", "t".repeat(40)] });
    await expect(asBob.threads.removeTag({ threadId, tag: "t".repeat(40) })).resolves.toMatchObject({ tags: ["demo"] });
    // A right-to-left override would show "exe.pdf" as "fdp.exe": a tag is stored without it.
    await expect(asBob.threads.addTag({ threadId, tag: "\u202Efdp.exe\u2069" })).resolves.toMatchObject({ tags: ["demo", "fdp.exe"] });
    await expect(asBob.threads.removeTag({ threadId, tag: "fdp.exe" })).resolves.toMatchObject({ tags: ["demo"] });
  });
});

describe("anonymous callers", () => {
  it("get UNAUTHORIZED from every procedure, before any input is looked at", async () => {
    const anonymous = callerFor(services, null);
    await expectCodes("UNAUTHORIZED", [
      ...everyCall(anonymous, idsOf(aliceThread)),
      ...everyCall(anonymous, { ...idsOf(aliceThread), threadId: "#" }, undefined, " malformed"),
      ["threads.list", () => anonymous.threads.list({})],
      ["threads.pinned", () => anonymous.threads.pinned()],
      ["user.me", () => anonymous.user.me()],
      ["user.deletion", () => anonymous.user.deletion()],
      ["user.deleteAllThreads", () => anonymous.user.deleteAllThreads()],
      ["user.deleteAccountConfirmation", () => anonymous.user.deleteAccountConfirmation()],
      ["user.deleteAccount", () => anonymous.user.deleteAccount({ confirmation: "x" })],
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

describe("share links", () => {
  const carol = sessionUser(`carol-${randomUUID()}@example.com`, "Carol");
  const stateOf = (threadId: string) => services.data.getShareState(threadId);
  const asAnonymous = () => callerFor(services, null);

  it("bob cannot see, share again, change the access or expiry of, or stop Alice's share; it stays as she set it", async () => {
    const before = await stateOf(aliceShared.threadId);
    expect(before).toMatchObject({ isShared: true, settings: { access: "signed-in" } });
    await expectCodes("NOT_FOUND", everyCall(asBob, idsOf(aliceShared), ["share.state", "share.create", "share.update", "share.revoke"]));
    expect(await stateOf(aliceShared.threadId)).toEqual(before);
  });

  it("a thread that is not shared cannot be read, downloaded from or continued through the share routes", async () => {
    const ids = { threadId: aliceThread.threadId, elementId: aliceThread.elementId };
    expect(await readShare(services, aliceThread.threadId, bob)).toEqual({ kind: "missing" });
    await expectCodes("NOT_FOUND", [
      ["elementUrl as bob", () => asBob.share.elementUrl(ids)],
      ["elementUrl anonymously", () => asAnonymous().share.elementUrl(ids)],
      ["continue as bob", () => asBob.share.continue({ threadId: aliceThread.threadId })],
    ]);
    const his = [bobThread.threadId, bobLong.threadId];
    expect((await services.data.listThreads({ first: 100 }, { userId: bob.id })).data.map((t) => t.id).filter((id) => !his.includes(id))).toEqual([]);
  });

  it("a share's download links reach only elements of its own snapshot", async () => {
    const late = randomUUID();
    await services.data.createElement({ id: late, threadId: aliceShared.threadId, type: "file", name: "late.csv", mime: "text/csv", content: "added after the share" });
    // Attached after the share to a message the share shows (the upload route takes any forId of her thread).
    const attachedLater = randomUUID();
    await services.data.createElement({ id: attachedLater, threadId: aliceShared.threadId, forId: aliceShared.userStepId, type: "file", name: "later.csv", mime: "text/csv", content: "attached after the share" });
    const names = (elements: readonly { name?: string | null }[]) => elements.map((element) => element.name);
    const shown = await readShare(services, aliceShared.threadId, bob);
    expect(shown.kind === "shared" && names(shown.snapshot.elements)).not.toContain("later.csv");
    const printed = await readSharedPrint(services, aliceShared.threadId, bob);
    expect(printed.kind === "shared" && names([...printed.attachments.byStep.values()].flat())).not.toContain("later.csv");
    await expectCodes("NOT_FOUND", [
      ["another thread's element", () => asBob.share.elementUrl({ threadId: aliceShared.threadId, elementId: aliceThread.elementId })],
      ["an element added after the share", () => asBob.share.elementUrl({ threadId: aliceShared.threadId, elementId: late })],
      ["an element attached to a shared message after the share", () => asBob.share.elementUrl({ threadId: aliceShared.threadId, elementId: attachedLater })],
      ["an element with no stored object", () => asBob.share.elementUrl({ threadId: aliceShared.threadId, elementId: aliceShared.linkElementId })],
    ]);
    const { url } = await asBob.share.elementUrl({ threadId: aliceShared.threadId, elementId: aliceShared.elementId });
    expect(await (await fetch(url)).text()).toBe(aliceShared.blob);
    await services.data.deleteElement(late, aliceShared.threadId);
    await services.data.deleteElement(attachedLater, aliceShared.threadId);
  });

  it("a share for signed-in people is not readable anonymously (the page sends the viewer to sign in)", async () => {
    expect(await readShare(services, aliceShared.threadId, null)).toEqual({ kind: "sign-in" });
    await expectCodes("NOT_FOUND", [["elementUrl", () => asAnonymous().share.elementUrl({ threadId: aliceShared.threadId, elementId: aliceShared.elementId })]]);
  });

  it("expired, revoked, never shared, un-shared by Chainlit, deleted and missing threads all answer the same", async () => {
    const asCarol = callerFor(services, carol);
    const expired = await seedThread(services, carol.id, "expired");
    await services.data.shareThread(expired.threadId, carol.id, { access: "public", expiresAt: new Date(Date.now() - 1000).toISOString() });
    const revoked = await seedThread(services, carol.id, "revoked");
    await asCarol.share.create({ threadId: revoked.threadId, access: "public", expiry: "never" });
    await asCarol.share.revoke({ threadId: revoked.threadId });
    const never = await seedThread(services, carol.id, "never shared");
    const wiped = await seedThread(services, carol.id, "wiped by a Chainlit update_thread");
    await asCarol.share.create({ threadId: wiped.threadId, access: "public", expiry: "never" });
    await services.data.updateThread(wiped.threadId, { metadata: { is_shared: null } });
    const deleted = await seedThread(services, carol.id, "deleted");
    await asCarol.share.create({ threadId: deleted.threadId, access: "public", expiry: "never" });
    await asCarol.threads.delete({ threadId: deleted.threadId });
    const cases = { expired, revoked, never, wiped, deleted, missing: { ...expired, threadId: randomUUID() } };
    const answers: Record<string, unknown> = {};
    for (const [label, t] of Object.entries(cases)) {
      answers[`${label} page`] = await readShare(services, t.threadId, bob);
      answers[`${label} download`] = await asBob.share.elementUrl({ threadId: t.threadId, elementId: t.elementId }).catch((e: Error & { code?: string }) => `${e.code}: ${e.message}`);
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(cases).flatMap((label) => [[`${label} page`, { kind: "missing" }], [`${label} download`, "NOT_FOUND: Not found"]])));
  });

  it("sends no private metadata, feedback, tags, owner id or email, and no internal key", async () => {
    const asCarol = callerFor(services, carol);
    const t = await seedThread(services, carol.id, "private bits");
    await services.data.updateThread(t.threadId, { metadata: { chat_profile: "secret-profile", chat_settings: { key: "secret-setting" }, env: { TOKEN: "secret-env" } } });
    await asCarol.share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    const read = await readSharePage(services, t.threadId, null);
    expect(read.kind).toBe("shared");
    const sent = (read as Extract<typeof read, { kind: "shared" }>).thread;
    const text = JSON.stringify(sent);
    for (const secret of ["secret-profile", "secret-setting", "secret-env", "Spot on", carol.identifier, "is_shared", "demo"]) expect(text).not.toContain(secret);
    expect(sent.share.ownerName).toBe(null); // no display name stored for carol: nothing, never her email
    expectNoInternals(sent);
  });

  it("a copy made with \"Continue in my history\" carries no owner id or email either", async () => {
    const asCarol = callerFor(services, carol);
    const t = await seedThread(services, carol.id, "continued by bob");
    // Chainlit names a user's message after its author's identifier; any other step may carry it too.
    await services.data.createStep({ id: randomUUID(), threadId: t.threadId, type: "tool", name: carol.identifier, output: "ran", createdAt: new Date(Date.UTC(2025, 2, 4, 9, 15, 4)).toISOString() });
    await asCarol.share.create({ threadId: t.threadId, access: "signed-in", expiry: "never" });
    const { id } = await callerFor(services, bob).share.continue({ threadId: t.threadId });
    const copy = await asBob.threads.get({ threadId: id });
    const exported = await Promise.all([asBob.threads.export({ threadId: id, format: "json" }), asBob.threads.export({ threadId: id, format: "markdown" })]);
    expect(JSON.stringify([copy, exported, await services.data.getThread(id)])).not.toContain(carol.identifier);
    // Bob's copy reads like his own thread: the question is named after him, as a message he sends is.
    expect(copy.steps.find((step) => step.type === "user_message")?.name).toBe(bob.identifier);
  });

  it("share routes are rate limited per client address", async () => {
    const limited = { ...services, env: { ...services.env, SHARE_RATE_PER_MINUTE: 2 } };
    const from = (address: string) => createCaller(createInnerContext({ user: bob, services: limited, clientAddress: address }));
    const ids = { threadId: aliceShared.threadId, elementId: aliceShared.elementId };
    const address = freshAddress();
    await expectCodes("resolved", [1, 2].map((n): [string, () => Promise<unknown>] => [`call ${n}`, () => from(address).share.elementUrl(ids)]));
    await expectCodes("TOO_MANY_REQUESTS", [["call 3", () => from(address).share.elementUrl(ids)], ["continue", () => from(address).share.continue({ threadId: ids.threadId })]]);
    await expectCodes("resolved", [["another address", () => from("198.51.100.1").share.elementUrl(ids)]]);
  });

  it("a user's messages are limited per minute, a burst sent at once included, and nothing of a refused message is stored", async () => {
    const limited = { ...services, env: { ...services.env, CHAT_MESSAGES_PER_MINUTE: 3 } };
    const sender = sessionUser(`sender-${randomUUID()}@example.com`, "Sender");
    // A thread each: a thread takes one message at a time (chat/thread-claim.ts); the budget is what is tested here.
    const threadIds = await Promise.all(Array.from({ length: 6 }, () => newThread(services, sender)));
    const send = async (threadId: string, content: string) => {
      for await (const _event of await callerFor(limited, sender).chat.send({ threadId, messageId: randomUUID(), content }));
    };
    // Six at once, as a script would send them: the counter's atomic ADD gives each its own number.
    const outcomes = await Promise.all(threadIds.map((threadId, i) => outcome(() => send(threadId, `burst ${i}`))));
    expect(outcomes.toSorted()).toEqual(["TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "resolved", "resolved", "resolved"]);
    const threads = await Promise.all(threadIds.map((threadId) => services.data.getThread(threadId)));
    const stored = threads.flatMap((thread) => thread!.steps.filter((step) => step.type === "user_message").map((step) => step.output));
    expect(stored).toHaveLength(3);
    // The budget is the user's, not the thread's or the instance's: another of their threads is refused too, and
    // another user is not.
    await expectCodes("TOO_MANY_REQUESTS", [["another thread", async () => {
      const other = await newThread(limited, sender);
      for await (const _event of await callerFor(limited, sender).chat.send({ threadId: other, messageId: randomUUID(), content: "again" }));
    }]]);
    const someoneElse = sessionUser(`other-${randomUUID()}@example.com`, "Other");
    const theirs = await newThread(limited, someoneElse);
    await expectCodes("resolved", [["another user", async () => {
      for await (const _event of await callerFor(limited, someoneElse).chat.send({ threadId: theirs, messageId: randomUUID(), content: "hi" }));
    }]]);
  });

  it("a user's new chats are limited per minute apart from their messages, and a refused one leaves no thread", async () => {
    const limited = { ...services, env: { ...services.env, CHAT_MESSAGES_PER_MINUTE: 3 } };
    const maker = sessionUser(`maker-${randomUUID()}@example.com`, "Maker");
    // Six at once, as a script would: the counter's atomic ADD gives each its own number.
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => outcome(() => callerFor(limited, maker).threads.create())));
    expect(outcomes.toSorted()).toEqual(["TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "resolved", "resolved", "resolved"]);
    const listed = await callerFor(limited, maker).threads.list({ first: 20 });
    expect(listed.data).toHaveLength(3);
    // Counted apart from messages: a new chat's first message still goes through after its three threads.
    await expectCodes("resolved", [["a message", async () => {
      for await (const _event of await callerFor(limited, maker).chat.send({ threadId: listed.data[0]!.id, messageId: randomUUID(), content: "hi" }));
    }]]);
    await expectCodes("resolved", [["another user", () => callerFor(limited, sessionUser(`other-${randomUUID()}@example.com`, "Other")).threads.create()]]);
  });

  it("a user's uploads are limited per day in bytes, a burst sent at once included, imports counted too; refused and failed uploads take nothing", async () => {
    const limited = { ...services, env: { ...services.env, UPLOAD_MB_PER_DAY: 1 } };
    const uploader = sessionUser(`uploader-${randomUUID()}@example.com`, "Uploader");
    const threadId = await newThread(limited, uploader);
    const KB = 1024;
    const file = (bytes: number, overrides: Partial<UploadRequest> = {}) =>
      uploadElement(limited, uploader, { threadId, elementId: randomUUID(), forId: randomUUID(), fileName: "notes.txt", mime: "text/plain", contentLength: bytes, body: new Blob([Buffer.alloc(bytes, 97)]).stream(), ...overrides });
    // A thread that is not theirs and a file type refused are answered without taking from the day.
    expect(await file(300 * KB, { threadId: randomUUID() })).toMatchObject({ status: 404 });
    // Six files of 300 KB at once against 1 MB: the counter's atomic ADD gives each its own total, so three fit.
    const burst = await Promise.all(Array.from({ length: 6 }, () => file(300 * KB)));
    expect(burst.map((r) => r.status).toSorted()).toEqual([201, 201, 201, 429, 429, 429]);
    const refused = burst.find((r) => r.status === 429);
    expect(refused).toMatchObject({ error: expect.stringMatching(/1 MB of files .* in a day\. Try again in 24 hours\./) });
    // The same refusal for the page to put in the reader's words, with the time the route sends as Retry-After.
    expect(refused).toMatchObject({ refusal: { code: "upload-budget", limitMb: 1, retryAfterSeconds: expect.any(Number) } });
    expect((refused as { refusal: { retryAfterSeconds: number } }).refusal.retryAfterSeconds).toBeGreaterThan(23 * 3600);
    const elements = (await services.data.getThread(threadId))!.elements;
    expect(elements).toHaveLength(3);
    // 900 KB used: a tiny file still counts 256 KB, so it does not fit either, and neither does an import.
    expect(await file(10)).toMatchObject({ status: 429 });
    const imported = await startImport(limited, uploader, { fileName: "export.zip", contentLength: 200 * KB, body: new Blob([Buffer.alloc(200 * KB)]).stream() });
    expect(imported).toMatchObject({ status: 429, refusal: { code: "upload-budget" } });
    // The budget is the user's: another user uploads as before.
    const someoneElse = sessionUser(`other-${randomUUID()}@example.com`, "Other");
    const theirs = await newThread(limited, someoneElse);
    expect(await uploadElement(limited, someoneElse, { threadId: theirs, elementId: randomUUID(), forId: randomUUID(), fileName: "a.txt", mime: "text/plain", contentLength: 300 * KB, body: new Blob([Buffer.alloc(300 * KB, 98)]).stream() })).toMatchObject({ status: 201 });
  });

  it("an import counts what it unpacks, not only its zip: a small zip of a 1 MB file of zeros stops at the day's budget (hostile: inflating past the charge)", async () => {
    const limited = { ...services, env: { ...services.env, UPLOAD_MB_PER_DAY: 1 } };
    const importer = sessionUser(`importer-${randomUUID()}@example.com`, "Importer");
    // ChatGPT's export with its image replaced by 1 MB of zeros: a few KB in the zip (1 MB is not over the ratio a
    // zip bomb is refused at), charged as the 256 KB a file counts at least.
    const data = await zipOf([
      { name: "conversations.json", data: CHATGPT_FIXTURE },
      { name: "file-KyotoMap01-kyoto-map.png", data: Buffer.alloc(1024 * 1024) },
    ]);
    expect(data.length).toBeLessThan(64 * 1024);
    const started = await startImport(limited, importer, { fileName: "export.zip", contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
    if (started.status !== 202) throw new Error(started.error);
    await waitForImport(started.job.jobId);
    const job = await services.data.getImportJob(importer.id, started.job.jobId);
    expect(job).toMatchObject({ status: "failed", attachments: 0, errorProblem: { code: "upload-budget", limitMb: 1, hours: 24 } });
    expect(job!.error).toMatch(/more than the 1 MB of files and messages one account may add in a day/);
    // Nothing of the file was stored.
    const threads = (await services.data.listThreads({ first: 10 }, { userId: importer.id })).data;
    for (const thread of threads) expect((await services.data.getThread(thread.id))!.elements).toEqual([]);
  });

  it("copies of a shared thread (\"Continue in my history\") count against the copier's daily upload budget", async () => {
    const limited = { ...services, env: { ...services.env, UPLOAD_MB_PER_DAY: 1 } };
    const copier = sessionUser(`copier-${randomUUID()}@example.com`, "Copier");
    // Each copy of this small thread counts the 256 KB a file counts at least: four fill 1 MB, the fifth is refused.
    const copy = (n: number) => () => createCaller(createInnerContext({ user: copier, services: limited, clientAddress: `198.51.100.${n}` })).share.continue({ threadId: aliceShared.threadId });
    await expectCodes("resolved", [1, 2, 3, 4].map((n): [string, () => Promise<unknown>] => [`copy ${n}`, copy(n)]));
    await expectCodes("TOO_MANY_REQUESTS", [["copy 5", copy(5)]]);
    expect((await services.data.listThreads({ first: 10 }, { userId: copier.id })).data).toHaveLength(4);
    // Over HTTP the error names the refusal, so the share page can say it in the reader's language.
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://localhost/api/trpc/share.continue", { method: "POST", body: JSON.stringify(transformer.serialize({ threadId: aliceShared.threadId })), headers: { "content-type": "application/json" } }),
      router: appRouter,
      createContext: () => createInnerContext({ user: copier, services: limited, clientAddress: "198.51.100.6" }),
      onError: () => undefined,
    });
    expect(response.status).toBe(429);
    const body = transformer.deserialize(((await response.json()) as { error: Parameters<typeof transformer.deserialize>[0] }).error) as { data: { refusal: unknown } };
    expect(body.data.refusal).toMatchObject({ code: "upload-budget", limitMb: 1 });
  });

  it("the share page answers 429 with Retry-After once an address's budget is spent, per address, in the viewer's language", async () => {
    const limited = { ...services, env: { ...services.env, SHARE_RATE_PER_MINUTE: 2 } };
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    const from = (value: string, extra: Record<string, string> = {}) => new Headers({ [CLIENT_ADDRESS_HEADER]: value, ...extra });
    expect(await sharePageRateGate(limited, from(address), undefined)).toBe(null);
    expect(await sharePageRateGate(limited, from(address), undefined)).toBe(null);
    const refused = await sharePageRateGate(limited, from(address, { "accept-language": "zh-CN,zh;q=0.9" }), undefined);
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get("retry-after")).toBe("60");
    expect(await refused?.text()).toContain(zhCN.shareRateLimited);
    expect((await sharePageRateGate(limited, from(address), "en"))?.status).toBe(429);
    expect(await sharePageRateGate(limited, from("198.51.100.7"), undefined)).toBe(null);
    expect(isSharePage("/share/abc")).toBe(true);
    // Its print view spends the same budget (docs/sharing.md, "Print").
    expect(isSharePage("/share/abc/print")).toBe(true);
    expect(isSharePage("/threads/abc")).toBe(false);
  });

  it("with SHARE_ACCESS=off nothing is shared and nothing can be", async () => {
    const off = { ...services, env: { ...services.env, SHARE_ACCESS: null } };
    expect(await readShare(off, aliceShared.threadId, bob)).toEqual({ kind: "missing" });
    await expectCodes("FORBIDDEN", [["create", () => callerFor(off, alice).share.create({ threadId: aliceShared.threadId, access: "public", expiry: "never" })]]);
  });

  it("an access the deployment does not offer is refused with a clear message", async () => {
    const signedInOnly = { ...services, env: { ...services.env, SHARE_ACCESS: { choices: ["signed-in" as const], default: "signed-in" as const } } };
    await expect(callerFor(signedInOnly, bob).share.create({ threadId: bobThread.threadId, access: "public", expiry: "never" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "access must be one of: signed-in",
    });
  });
});

describe("share turn cursors (share.turns)", () => {
  // Carol's long thread, and Dave's copy of it under the same step ids: a cursor's turn exists in both.
  const carol = sessionUser(`carol-${randomUUID()}@example.com`, "Carol");
  const dave = sessionUser(`dave-${randomUUID()}@example.com`, "Dave");
  let carols: SeededLongThread;
  let daves: SeededLongThread;
  const asCarol = () => callerFor(services, carol);
  /** A caller from an address of its own: the share budget is per address. */
  const viewer = (user: typeof bob | null = null) => createCaller(createInnerContext({ user, services, clientAddress: freshAddress() }));
  const newerCursorOf = async (threadId: string) => {
    const page = await readSharePage(services, threadId, bob);
    if (page.kind !== "shared") throw new Error(page.kind);
    return page.thread.window.newerCursor!;
  };
  const turnsWith = (threadId: string, cursor: string, user: typeof bob | null = null) => () => viewer(user).share.turns({ threadId, cursor });

  /** One expiry for every share below: a cursor then differs from another only by the binding a test is about. */
  const EXPIRES = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const share = (threadId: string, userId: string, expiresAt = EXPIRES, access: "public" | "signed-in" = "public") => services.data.shareThread(threadId, userId, { access, expiresAt });

  beforeAll(async () => {
    carols = await seedLongThread(services.data, { userId: carol.id, steps: 120, name: "Carol's long thread" });
    daves = await seedLongThread(services.data, { userId: dave.id, steps: 120, name: "Dave's long thread", sameIdsAs: carols });
  });

  it("a cursor of another share is BAD_REQUEST, though its turn exists here", async () => {
    // Both shared by Chainlit at the same instant (its flag, no settings): the same snapshot time and settings.
    const sharedAt = new Date(Date.now() + 1000).toISOString();
    for (const t of [carols, daves]) await services.data.updateThread(t.threadId, { metadata: { is_shared: true, shared_at: sharedAt } });
    const his = await newerCursorOf(daves.threadId);
    await expectCodes("resolved", [["his cursor on his share", turnsWith(daves.threadId, his, bob)]]);
    await expectCodes("BAD_REQUEST", [["his cursor on her share", turnsWith(carols.threadId, his, bob)]]);
    await share(carols.threadId, carol.id);
  });

  it("a revoked share serves no page; shared again, a cursor from before is BAD_REQUEST", async () => {
    const before = await newerCursorOf(carols.threadId);
    await asCarol().share.revoke({ threadId: carols.threadId });
    await expectCodes("NOT_FOUND", [["revoked", turnsWith(carols.threadId, before)]]);
    await share(carols.threadId, carol.id);
    await expectCodes("BAD_REQUEST", [["shared again", turnsWith(carols.threadId, before)]]);
    await expectCodes("resolved", [["a cursor of the new share", turnsWith(carols.threadId, await newerCursorOf(carols.threadId))]]);
  });

  it("an expired share serves no page; renewed, or given another access, a cursor from before is BAD_REQUEST", async () => {
    const live = await newerCursorOf(carols.threadId);
    await services.data.changeShare(carols.threadId, carol.id, { access: "public", expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expectCodes("NOT_FOUND", [["expired", turnsWith(carols.threadId, live)]]);
    const later = new Date(Date.parse(EXPIRES) + 86_400_000).toISOString();
    await services.data.changeShare(carols.threadId, carol.id, { access: "public", expiresAt: later });
    await expectCodes("BAD_REQUEST", [["renewed", turnsWith(carols.threadId, live)]]);
    const renewed = await newerCursorOf(carols.threadId);
    await services.data.changeShare(carols.threadId, carol.id, { access: "signed-in", expiresAt: later });
    await expectCodes("BAD_REQUEST", [["signed-in since", turnsWith(carols.threadId, renewed, bob)]]);
    await expectCodes("NOT_FOUND", [["signed-in since, anonymously", turnsWith(carols.threadId, renewed)]]);
    await services.data.changeShare(carols.threadId, carol.id, { access: "public", expiresAt: later });
  });

  it("a forged cursor, or one of the owner's own pages, is BAD_REQUEST", async () => {
    const cursor = await newerCursorOf(carols.threadId);
    const [body, signature] = cursor.split(".") as [string, string];
    const decoded = JSON.parse(Buffer.from(body, "base64url").toString());
    const rewrite = (patch: object) => `${Buffer.from(JSON.stringify({ ...decoded, ...patch })).toString("base64url")}.${signature}`;
    const cursors = {
      "rewritten thread": rewrite({ t: daves.threadId }),
      "rewritten snapshot": rewrite({ s: new Date().toISOString() }),
      "rewritten turn": rewrite({ r: carols.turns[2]!.messageId }),
      "cut signature": `${body}.${signature.slice(1)}`,
      garbage: "garbage",
      "the owner's turn cursor": (await asCarol().threads.get({ threadId: carols.threadId })).window.olderCursor!,
    };
    await expectCodes(
      "BAD_REQUEST",
      Object.entries(cursors).map(([label, forged]) => [label, turnsWith(carols.threadId, forged)]),
    );
  });

  it("a step after the snapshot, or of another thread, is NOT_FOUND; pages count against the address like views", async () => {
    await expectCodes("NOT_FOUND", [
      ["another thread's step", () => viewer().share.turns({ threadId: carols.threadId, stepId: aliceThread.assistantStepId })],
      ["a step of a thread not shared", () => viewer().share.turns({ threadId: aliceLong.threadId, stepId: aliceLong.turns[0]!.messageId })],
    ]);
    const limited = createCaller(createInnerContext({ user: null, services: { ...services, env: { ...services.env, SHARE_RATE_PER_MINUTE: 1 } }, clientAddress: freshAddress() }));
    const cursor = await newerCursorOf(carols.threadId);
    await expectCodes("resolved", [["first", () => limited.share.turns({ threadId: carols.threadId, cursor })]]);
    await expectCodes("TOO_MANY_REQUESTS", [["second", () => limited.share.turns({ threadId: carols.threadId, cursor })]]);
  });
});

describe("full-text search", () => {
  const hitIds = (page: { data: Array<{ id: string }> }) => page.data.map((hit) => hit.id);

  it("finds nothing of Alice's for Bob, whatever words or userId he sends; no snippet of hers reaches him", async () => {
    // Her words are in the index (her own search builds it)...
    expect(hitIds(await callerFor(services, alice).search.query({ query: "secrets" }))).toEqual([aliceThread.threadId]);
    // ...and his thread holds the same messages (seedThread), so only the owner check tells them apart.
    for (const query of ["secrets", "Alice", "revenue", "Q3 sales", "\"q3 sales\"", "\"secrets", "select sales", "sales q3.csv", "older"]) {
      const smuggled = { query, userId: alice.id, user: alice } as unknown as Parameters<Caller["search"]["query"]>[0];
      const page = await asBob.search.query(smuggled);
      expect(hitIds(page).filter((id) => id !== bobThread.threadId && id !== bobLong.threadId)).toEqual([]);
      expect(JSON.stringify(page)).not.toMatch(/Alice|secrets/);
      expectNoInternals(page);
    }
  });

  it("search.prepare keeps a window for the session's user only: after Alice's and his own, Bob finds nothing of hers", async () => {
    await callerFor(services, alice).search.prepare();
    const smuggled = { userId: alice.id, user: alice } as unknown as Parameters<Caller["search"]["prepare"]>[0];
    await asBob.search.prepare(smuggled);
    for (const query of ["secrets", "Alice", "revenue", "older"]) {
      const page = await asBob.search.query({ query });
      expect(hitIds(page).filter((id) => id !== bobThread.threadId && id !== bobLong.threadId)).toEqual([]);
      expect(JSON.stringify(page)).not.toMatch(/Alice|secrets/);
    }
  });

  it("a thread that moved from Alice to Bob is not found through the postings she still has", async () => {
    const moved = await seedThread(services, alice.id, "Zanzibar itinerary");
    expect(hitIds(await callerFor(services, alice).search.query({ query: "zanzibar" }))).toEqual([moved.threadId]);
    await services.data.updateThread(moved.threadId, { userId: bob.id }, { touch: true });
    expect(hitIds(await callerFor(services, alice).search.query({ query: "zanzibar" }))).toEqual([]);
    expect(hitIds(await asBob.search.query({ query: "zanzibar" }))).toEqual([moved.threadId]);
    await services.data.deleteThread(moved.threadId);
  });

  it("within a tag: Bob's search with her tag and her words finds nothing of hers; a thread moved away keeps its tag but leaves her search", async () => {
    // aliceThread is tagged "secret" (above); Bob's own threads hold the same words.
    expect(hitIds(await callerFor(services, alice).search.query({ query: "secrets", tag: "SECRET" }))).toEqual([aliceThread.threadId]);
    for (const query of ["secrets", "revenue", "older"]) {
      const smuggled = { query, tag: "secret", userId: alice.id, user: alice } as unknown as Parameters<Caller["search"]["query"]>[0];
      const page = await asBob.search.query(smuggled);
      expect(page.data).toEqual([]);
      expect(JSON.stringify(page)).not.toMatch(/Alice|secrets/);
    }
    const moved = await seedThread(services, alice.id, "Zanzibar itinerary");
    await services.data.changeThreadTags(moved.threadId, alice.id, { add: "travel" });
    const asAlice = callerFor(services, alice);
    await asAlice.search.prepare();
    expect(hitIds(await asAlice.search.query({ query: "zanzibar", tag: "travel" }))).toEqual([moved.threadId]);
    await services.data.updateThread(moved.threadId, { userId: bob.id }, { touch: true });
    expect(hitIds(await asAlice.search.query({ query: "zanzibar", tag: "travel" }))).toEqual([]);
    expect(hitIds(await asBob.search.query({ query: "zanzibar", tag: "travel" }))).toEqual([moved.threadId]);
    await services.data.deleteThread(moved.threadId);
  });

  it("offers Bob no correction from Alice's words: a typo of a word only she has suggests nothing to him", async () => {
    const hers = await seedThread(services, alice.id, "Quetzalcoatl pyramid notes");
    const asAlice = callerFor(services, alice);
    expect(hitIds(await asAlice.search.query({ query: "quetzalcoatl" }))).toEqual([hers.threadId]);
    expect((await asAlice.search.query({ query: "quetzalcoalt" })).suggestion).toBe("quetzalcoatl");
    for (const query of ["quetzalcoalt", "quetzalcoat", "pyramdi quetzalcoalt"]) {
      const smuggled = { query, userId: alice.id, user: alice } as unknown as Parameters<Caller["search"]["query"]>[0];
      const page = await asBob.search.query(smuggled);
      expect(page.data).toEqual([]);
      expect(page.suggestion).toBeNull();
      expect(JSON.stringify(page)).not.toMatch(/quetzal|pyramid/i);
    }
    await services.data.deleteThread(hers.threadId);
  });

  it("cannot page with her search cursor; bad input is BAD_REQUEST", async () => {
    const hers = await callerFor(services, alice).search.query({ query: "revenue", first: 1 });
    expect(hers.pageInfo.endCursor).toBeTruthy();
    await expectCodes("BAD_REQUEST", [
      ["her cursor", () => asBob.search.query({ query: "revenue", first: 1, cursor: hers.pageInfo.endCursor })],
      ["empty", () => asBob.search.query({ query: "   " })],
      ["too long", () => asBob.search.query({ query: "x".repeat(201) })],
      ["first", () => asBob.search.query({ query: "x", first: 1000 })],
      ["garbled cursor", () => asBob.search.query({ query: "x", cursor: "nope.nope" })],
    ]);
  });
});

describe("afterwards", () => {
  it("Alice's threads, steps, feedback, elements and blobs are exactly as they were", async () => {
    expect(await aliceState()).toEqual(aliceBefore);
    expect(aliceBefore.thread!.steps.find((s) => s.id === aliceThread.assistantStepId)!.feedback).toMatchObject({ value: 1, comment: "Spot on" });
  });
});
