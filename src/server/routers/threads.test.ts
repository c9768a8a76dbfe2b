import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { MAX_PINNED_THREADS, MAX_TAGS_PER_THREAD } from "@/data";
import type { RefusalCause } from "../errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, expectNoInternals, seedThread, sessionUser, type SeededThread } from "../../../test/callers";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const user = () => sessionUser();

describe("threads.list", () => {
  it("lists the caller's threads newest first, with the page shape the UI reads", async () => {
    const me = user();
    const first = await seedThread(services, me.id, "First");
    const second = await seedThread(services, me.id, "Second");
    const page = await callerFor(services, me).threads.list({});
    expect(page.data.map((t) => t.id)).toEqual([second.threadId, first.threadId]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false });
    expect(Object.keys(page.data[0]!).sort()).toEqual(["createdAt", "id", "name", "updatedAt"]);
    expectNoInternals(page);
  });

  it("pages with first and cursor", async () => {
    const me = user();
    const ids: string[] = [];
    for (const name of ["a", "b", "c"]) ids.unshift((await seedThread(services, me.id, name)).threadId);
    const caller = callerFor(services, me);
    const one = await caller.threads.list({ first: 2 });
    expect(one.data.map((t) => t.id)).toEqual(ids.slice(0, 2));
    expect(one.pageInfo.hasNextPage).toBe(true);
    const two = await caller.threads.list({ first: 2, cursor: one.pageInfo.endCursor });
    expect(two.data.map((t) => t.id)).toEqual(ids.slice(2));
    expect(two.pageInfo.hasNextPage).toBe(false);
  });

  it("searches names (trimmed) and filters by feedback", async () => {
    const me = user();
    const kyoto = await seedThread(services, me.id, "Trip to Kyoto");
    const other = await seedThread(services, me.id, "Budget");
    await services.data.deleteFeedback(other.feedbackId);
    const caller = callerFor(services, me);
    expect((await caller.threads.list({ search: "  kyoto " })).data.map((t) => t.id)).toEqual([kyoto.threadId]);
    expect((await caller.threads.list({ search: "   " })).data).toHaveLength(2);
    expect((await caller.threads.list({ feedback: 1 })).data.map((t) => t.id)).toEqual([kyoto.threadId]);
    expect((await caller.threads.list({ feedback: 0 })).data).toEqual([]);
  });
});

describe("one thread", () => {
  let me: ReturnType<typeof user>;
  let seeded: SeededThread;
  beforeAll(async () => {
    me = user();
    seeded = await seedThread(services, me.id);
  });

  it("get returns the thread with steps, feedback and freshly signed element links", async () => {
    const thread = await callerFor(services, me).threads.get({ threadId: seeded.threadId });
    expect(thread).toMatchObject({ id: seeded.threadId, name: "Quarterly numbers", userId: me.id, tags: ["demo"] });
    // The thread's metadata (Chainlit saves a whole session there) stays on the server; the export carries it.
    expect(thread).not.toHaveProperty("metadata");
    expect(thread.steps.map((s) => s.id)).toEqual([seeded.userStepId, seeded.toolStepId, seeded.assistantStepId]);
    expect(thread.steps[2]!.feedback).toMatchObject({ id: seeded.feedbackId, value: 1, comment: "Spot on" });
    const file = thread.elements.find((e) => e.id === seeded.elementId)!;
    expect(Date.parse(file.urlExpiresAt!)).toBeGreaterThan(Date.now());
    const response = await fetch(file.url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(seeded.blob);
    // A stored, unsigned URL is never passed on as if it worked.
    expect(thread.elements.find((e) => e.id === seeded.linkElementId)).toMatchObject({ url: null, urlExpiresAt: null });
    expect(file).not.toHaveProperty("objectKey");
    expectNoInternals(thread);
  });

  it("export gives Markdown and JSON files without signed links", async () => {
    const caller = callerFor(services, me);
    const md = await caller.threads.export({ threadId: seeded.threadId, format: "markdown" });
    expect(md).toMatchObject({ fileName: "quarterly-numbers.md", mime: "text/markdown; charset=utf-8" });
    expect(md.content).toContain("**You**");
    expect(md.content).toContain("> Feedback: 👍 helpful: “Spot on”");
    const json = await caller.threads.export({ threadId: seeded.threadId, format: "json" });
    expect(json.fileName).toBe("quarterly-numbers.json");
    const parsed = JSON.parse(json.content);
    expect(parsed.thread.steps).toHaveLength(3);
    expect(json.content).not.toMatch(/X-Amz-Signature|objectKey|urlExpiresAt/);
    expectNoInternals(md);
    expectNoInternals(json);
  });

  it("rename trims the name and keeps the thread's place in the list", async () => {
    const caller = callerFor(services, me);
    const newer = await seedThread(services, me.id, "Newer");
    const before = await caller.threads.list({});
    expect(await caller.threads.rename({ threadId: seeded.threadId, name: "  Renamed  " })).toEqual({ id: seeded.threadId, name: "Renamed" });
    const after = await caller.threads.list({});
    expect(after.data.map((t) => t.id)).toEqual(before.data.map((t) => t.id));
    expect(after.data[0]!.id).toBe(newer.threadId);
    expect(after.data.find((t) => t.id === seeded.threadId)!.name).toBe("Renamed");
  });

  it("rejects an empty name", async () => {
    await expect(callerFor(services, me).threads.rename({ threadId: seeded.threadId, name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("threads.delete", () => {
  it("removes the thread and its blobs", async () => {
    const me = user();
    const seeded = await seedThread(services, me.id);
    const caller = callerFor(services, me);
    const { url } = await caller.elements.getUrl({ threadId: seeded.threadId, elementId: seeded.elementId });
    expect(await caller.threads.delete({ threadId: seeded.threadId })).toEqual({ deleted: true });
    await expect(caller.threads.get({ threadId: seeded.threadId })).rejects.toSatisfy((e) => e instanceof TRPCError && e.code === "NOT_FOUND");
    expect((await caller.threads.list({})).data).toEqual([]);
    expect((await fetch(url)).status).toBe(404);
    await expect(caller.threads.delete({ threadId: seeded.threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("pinned threads", () => {
  it("pins through the gate, lists newest pin first with current names, unpins; the sidebar's first page stays one Query", async () => {
    const me = user();
    const caller = callerFor(services, me);
    const a = await seedThread(services, me.id, "Alpha");
    const b = await seedThread(services, me.id, "Beta");
    services.requests.reset();
    expect(await caller.threads.pin({ threadId: a.threadId })).toEqual({ id: a.threadId, pinned: true });
    // The gate's GetItem, then the pin (2 UpdateItems: a first pin creates the user's map).
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ GetItemCommand: 1, UpdateItemCommand: 2 });
    await caller.threads.pin({ threadId: b.threadId });
    await caller.threads.rename({ threadId: a.threadId, name: "Alpha, renamed" });

    services.requests.reset();
    const pinned = await caller.threads.pinned();
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ GetItemCommand: 1, BatchGetItemCommand: 1 });
    expect(pinned.map((row) => [row.id, row.name])).toEqual([
      [b.threadId, "Beta"],
      [a.threadId, "Alpha, renamed"],
    ]);
    expect(Object.keys(pinned[0]!).sort()).toEqual(["createdAt", "id", "name", "pinnedAt", "updatedAt"]);
    expectNoInternals(pinned);

    services.requests.reset();
    await caller.threads.list({ first: 30 });
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ QueryCommand: 1 });

    expect(await caller.threads.unpin({ threadId: b.threadId })).toEqual({ id: b.threadId, pinned: false });
    expect((await caller.threads.pinned()).map((row) => row.id)).toEqual([a.threadId]);
    // Deleting a pinned thread takes its pin with it.
    await caller.threads.delete({ threadId: a.threadId });
    expect(await caller.threads.pinned()).toEqual([]);
  });

  it(`refuses pin number ${MAX_PINNED_THREADS + 1} with a refusal the UI words, and writes nothing`, async () => {
    const me = user();
    const caller = callerFor(services, me);
    // Threads made by the layer: 50 new chats would spend the user's per-minute budget of them.
    for (let i = 0; i < MAX_PINNED_THREADS; i++) {
      const threadId = randomUUID();
      await services.data.createThread(threadId, me.id);
      await caller.threads.pin({ threadId });
    }
    const extra = await seedThread(services, me.id, "One too many");
    const error = await caller.threads.pin({ threadId: extra.threadId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("PRECONDITION_FAILED");
    expect(((error as TRPCError).cause as RefusalCause).refusal).toEqual({ code: "too-many-pins", limit: MAX_PINNED_THREADS });
    const pinned = await caller.threads.pinned();
    expect(pinned).toHaveLength(MAX_PINNED_THREADS);
    expect(pinned.map((row) => row.id)).not.toContain(extra.threadId);
  });

  it("a 21st tag is refused with a refusal the UI words; the tags are answered after each change", async () => {
    const me = user();
    const caller = callerFor(services, me);
    const { threadId } = await seedThread(services, me.id, "Tagged"); // with the tag "demo"
    for (let i = 1; i < MAX_TAGS_PER_THREAD; i++) expect((await caller.threads.addTag({ threadId, tag: ` tag  ${i} ` })).tags.at(-1)).toBe(`tag ${i}`);
    const error = await caller.threads.addTag({ threadId, tag: "one too many" }).catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("PRECONDITION_FAILED");
    expect(((error as TRPCError).cause as RefusalCause).refusal).toEqual({ code: "too-many-tags", limit: MAX_TAGS_PER_THREAD });
    const { tags } = await caller.threads.removeTag({ threadId, tag: "TAG 1" });
    expect(tags).toHaveLength(MAX_TAGS_PER_THREAD - 1);
    expect(tags).not.toContain("tag 1");
    expect((await caller.threads.get({ threadId })).tags).toEqual(tags);
  });

  it("a full list of pins makes room when some name threads that are gone", async () => {
    const me = user();
    const caller = callerFor(services, me);
    // Pins of threads that no longer exist (as Chainlit's delete_thread leaves them), written past the gate.
    for (let i = 0; i < MAX_PINNED_THREADS; i++) await services.data.pinThread(me.id, randomUUID());
    const kept = await seedThread(services, me.id, "Pinned after all");
    expect(await caller.threads.pin({ threadId: kept.threadId })).toEqual({ id: kept.threadId, pinned: true });
    expect((await caller.threads.pinned()).map((row) => row.id)).toEqual([kept.threadId]);
  });
});
