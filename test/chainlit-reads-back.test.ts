/**
 * One table, two apps, the other way round: everything Threadbook writes as a user uses it (a new chat, a turn with
 * a file, 👍/👎 with a comment, a rename, a share, a copy of someone's share, an import, a step too big for one item)
 * read back through Chainlit's own reads (chainlit-reads.ts), which fail as Chainlit's Python fails.
 */
import { randomUUID } from "node:crypto";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, newThread, sessionUser } from "./callers";
import { dynamoClient } from "./harness";
import { chatGptZip } from "./import-archives";
import { chainlitGetFavoriteSteps, chainlitGetThread, chainlitGetThreadAuthor, chainlitGetUser, chainlitListThreads, type ChainlitTable } from "./chainlit-reads";
import sharp from "sharp";
import { uploadElement } from "../src/server/chat/uploads/upload-element";
import { readPrintedThread } from "../src/server/export/print-thread";
import { startImport, waitForImport } from "../src/server/import/import-jobs";
import type { ChatEvent } from "../src/server/chat/continue-thread";

let services: Awaited<ReturnType<typeof createTestServices>>;
let table: ChainlitTable;
beforeAll(async () => {
  services = await createTestServices();
  table = { client: dynamoClient(), tableName: services.env.DYNAMODB_TABLE! };
});
afterAll(async () => {
  table.client.destroy();
  await services.close();
});

async function send(user: ReturnType<typeof sessionUser>, threadId: string, content: string, messageId = randomUUID()) {
  const events: ChatEvent[] = [];
  for await (const event of await callerFor(services, user).chat.send({ threadId, messageId, content })) events.push(event);
  expect(events.at(-1)).toMatchObject({ type: "done" });
  return messageId;
}

describe("Chainlit reads what Threadbook writes", () => {
  it("a user made here is one Chainlit's get_user returns", async () => {
    const identifier = `${randomUUID()}@example.com`;
    await services.data.createUser({ identifier, metadata: { plan: "team" } });
    expect(await chainlitGetUser(table, identifier)).toEqual({ id: identifier, identifier, createdAt: expect.any(String), metadata: { plan: "team" } });
  });

  it("a new chat nobody has written in yet does not break Chainlit's thread list", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    // Chainlit reads `item["name"]` for every row of the user's list: one row without it is a 500 for the whole list.
    expect(await chainlitListThreads(table, alice.id)).toEqual([{ id: threadId, createdAt: expect.any(String), name: null }]);
    // Threadbook still names it from the first message.
    await send(alice, threadId, "Plan the week");
    expect(await chainlitListThreads(table, alice.id)).toEqual([{ id: threadId, createdAt: expect.any(String), name: "Plan the week" }]);
  });

  it("a turn with a file, feedback with a comment and a rename read back as Chainlit's own", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    const messageId = randomUUID();
    const upload = await uploadElement(services, alice, { threadId, elementId: randomUUID(), forId: messageId, fileName: "notes.txt", mime: "text/plain", contentLength: 5, body: new Blob(["hello"]).stream() });
    expect(upload.status).toBe(201);
    await send(alice, threadId, "What do my notes say?", messageId);
    const asAlice = callerFor(services, alice);
    const replyId = (await services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!.id;
    await asAlice.feedback.upsert({ threadId, forId: replyId, value: 0, comment: "Too short" });
    await asAlice.threads.rename({ threadId, name: "My notes" });

    const thread = (await chainlitGetThread(table, threadId))!;
    expect(thread).toMatchObject({ id: threadId, name: "My notes", userId: alice.id, userIdentifier: alice.id });
    expect(thread.steps.map((s) => [s.type, s.parentId ?? null])).toEqual([
      ["user_message", null],
      ["run", messageId],
      ["assistant_message", thread.steps[1]!.id],
    ]);
    expect(thread.steps[0]).toMatchObject({ id: messageId, threadId, name: alice.identifier, output: "What do my notes say?" });
    expect(thread.steps[2]!.feedback).toMatchObject({ value: 0, comment: "Too short", forId: replyId, id: `THREAD#${threadId}::STEP#${replyId}` });
    expect(thread.elements).toEqual([expect.objectContaining({ id: expect.any(String), threadId, forId: messageId, type: "text", display: "inline", name: "notes.txt", mime: "text/plain", objectKey: expect.any(String) })]);
    expect(await chainlitGetThreadAuthor(table, threadId)).toBe(alice.id);
    expect(await chainlitListThreads(table, alice.id)).toEqual([{ id: threadId, createdAt: expect.any(String), name: "My notes" }]);
  });

  it("a shared thread, its copy in another user's history, and a step too big for one item", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    const threadId = await newThread(services, alice);
    await send(alice, threadId, "Share this");
    const big = randomUUID();
    await services.data.createStep({ id: big, threadId, type: "tool", name: "dump", output: "x".repeat(600_000), createdAt: new Date().toISOString() });
    await callerFor(services, alice).share.create({ threadId, access: "public", expiry: "never" });

    const shared = (await chainlitGetThread(table, threadId))!;
    expect(shared.metadata).toMatchObject({ is_shared: true });
    // Chainlit shows what fits in the item (the rest is in PART items it skips), and nothing fails.
    expect(String(shared.steps.find((s) => s.id === big)!.output).length).toBeGreaterThan(1000);

    const { id: copyId } = await callerFor(services, bob).share.continue({ threadId });
    expect(await chainlitGetThreadAuthor(table, copyId)).toBe(bob.id);
    expect((await chainlitGetThread(table, copyId))!.steps.map((s) => s.type)).toEqual(shared.steps.map((s) => s.type));
    expect((await chainlitListThreads(table, bob.id)).map((row) => row.id)).toEqual([copyId]);
  });

  it("imported conversations list and open in Chainlit", async () => {
    const carol = sessionUser();
    const zip = await chatGptZip();
    const started = await startImport(services, carol, { fileName: "export.zip", contentLength: zip.length, body: new Blob([new Uint8Array(zip)]).stream() });
    if (started.status !== 202) throw new Error(started.error);
    await waitForImport(started.job.jobId);
    const rows = await chainlitListThreads(table, carol.id);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(typeof row.name).toBe("string");
      const thread = (await chainlitGetThread(table, row.id))!;
      expect(thread.steps.length).toBeGreaterThan(0);
    }
    await chainlitGetFavoriteSteps(table, carol.id);
  });

  it("tags, a pin, search, an image's preview, the 👍 filter, retention, a reply's claim and the print view: Chainlit reads the thread and its user as before", async () => {
    const erin = sessionUser();
    const asErin = callerFor(services, erin);
    await services.data.createUser({ identifier: erin.identifier, metadata: { plan: "team" } });
    const threadId = await newThread(services, erin);
    const messageId = randomUUID();
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#336699" } }).png().toBuffer();
    const upload = await uploadElement(services, erin, { threadId, elementId: randomUUID(), forId: messageId, fileName: "chart.png", mime: "image/png", contentLength: png.length, body: new Blob([new Uint8Array(png)]).stream() });
    if (upload.status !== 201) throw new Error(JSON.stringify(upload));
    // A send takes the thread's claim (a lease item of its own) for as long as the reply streams.
    await send(erin, threadId, "Lighthouse keepers of Zanzibar", messageId);
    const elementId = (await services.data.getThread(threadId))!.elements[0]!.id;
    expect(await asErin.elements.preview({ threadId, elementId })).not.toBeNull();
    await asErin.threads.addTag({ threadId, tag: "Research" });
    await asErin.threads.addTag({ threadId, tag: "later" });
    await asErin.threads.removeTag({ threadId, tag: "LATER" });
    await asErin.threads.pin({ threadId });
    const replyId = (await services.data.getThread(threadId))!.steps.find((s) => s.type === "assistant_message")!.id;
    await asErin.feedback.upsert({ threadId, forId: replyId, value: 1 });
    await asErin.search.prepare();
    expect((await asErin.search.query({ query: "zanzibar" })).data.map((hit) => hit.id)).toEqual([threadId]);
    expect((await asErin.threads.list({ feedback: 1 })).data.map((row) => row.id)).toEqual([threadId]);
    expect((await asErin.threads.list({ tag: "research" })).data.map((row) => row.id)).toEqual([threadId]);
    await asErin.user.setRetention({ days: 90 });
    expect((await readPrintedThread(services.data, erin, threadId))?.steps.length).toBe(3);

    const thread = (await chainlitGetThread(table, threadId))!;
    expect(thread).toMatchObject({ id: threadId, name: "Lighthouse keepers of Zanzibar", userId: erin.id, userIdentifier: erin.id, tags: ["Research"] });
    expect(thread.steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
    expect(thread.steps[2]!.feedback).toMatchObject({ value: 1, forId: replyId });
    // The element keeps what Chainlit reads (objectKey, url re-signed); Threadbook's preview attributes ride along.
    expect(thread.elements).toEqual([expect.objectContaining({ id: elementId, type: "image", name: "chart.png", objectKey: expect.any(String), url: expect.stringMatching(/^signed:/) })]);
    expect(await chainlitGetThreadAuthor(table, threadId)).toBe(erin.id);
    expect(await chainlitListThreads(table, erin.id)).toEqual([{ id: threadId, createdAt: expect.any(String), name: "Lighthouse keepers of Zanzibar" }]);
    // The USER item is still the one Chainlit's get_user reads: pins, retention, the catch-up's watermark and AUTH sit beside it.
    expect(await chainlitGetUser(table, erin.identifier)).toEqual({ id: erin.identifier, identifier: erin.identifier, createdAt: expect.any(String), metadata: { plan: "team" } });
    expect(await chainlitGetFavoriteSteps(table, erin.id)).toEqual([]);
  });

  it("a thread deleted here is gone for Chainlit too", async () => {
    const dave = sessionUser();
    const threadId = await newThread(services, dave);
    await send(dave, threadId, "Delete me");
    await callerFor(services, dave).threads.delete({ threadId });
    expect(await chainlitGetThread(table, threadId)).toBeNull();
    expect(await chainlitListThreads(table, dave.id)).toEqual([]);
  });

  it("after all of the above, every item Chainlit's reads can reach is one it can read", async () => {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await table.client.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    // Every owner of a thread (Threadbook's own index rows sit under `USER#{id}#…` partitions Chainlit never asks for).
    const owners = new Set(items.flatMap((item) => (item.SK?.S === "THREAD" && item.userId?.S ? [item.userId.S] : [])));
    const threads = new Set(items.flatMap((item) => (item.PK?.S?.startsWith("THREAD#") ? [item.PK.S.slice(7)] : [])));
    expect(owners.size).toBeGreaterThan(3);
    for (const owner of owners) {
      await chainlitListThreads(table, owner);
      await chainlitGetFavoriteSteps(table, owner);
    }
    for (const threadId of threads) {
      const thread = await chainlitGetThread(table, threadId);
      if (!thread) continue;
      // Chainlit's resume lets only `userIdentifier` continue a thread, and copies its metadata as a dict.
      expect(thread.userIdentifier).toBe(thread.userId);
      expect(thread.metadata === undefined || thread.metadata === null || (typeof thread.metadata === "object" && !Array.isArray(thread.metadata))).toBe(true);
    }
    for (const item of items.filter((i) => i.SK?.S === "USER")) await chainlitGetUser(table, item.PK!.S!.slice(5));
  });
});
