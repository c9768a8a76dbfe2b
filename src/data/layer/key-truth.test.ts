/**
 * The key is the truth (docs/data-layer.md, "Reading"): an item whose `id`, `threadId` or `identifier` attribute
 * disagrees with its PK/SK (a hostile writer of the shared table, or a bug in another app on it) is read as what its
 * key says, so no operation that takes ids from a read can be pointed at another item, another thread or another user.
 * Each test fails with the item's attribute winning over its key.
 */
import { UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshStorage } from "../../../test/storage-backends";
import { chainlitCreateUser, chainlitThread, testTable, uid, type TestTable } from "../../../test/data-fixtures";
import { type S3StorageClient } from "../storage/s3-storage";

let table: TestTable;
let storage: S3StorageClient;
beforeAll(async () => {
  table = await testTable();
  storage = await freshStorage("s3");
});
afterAll(() => storage.close());

const S = (value: string): AttributeValue => ({ S: value });

/** Overwrites attributes of a stored item, as a hostile writer of the table would. */
async function setAttributes(PK: string, SK: string, values: Record<string, AttributeValue>) {
  const names = Object.keys(values);
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { PK: S(PK), SK: S(SK) },
      UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(", ")}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]!])),
    }),
  );
}

/** Alice's Chainlit thread (with a file) and Mallory's, whose items name Alice's ids in their attributes. */
async function twoThreads() {
  // s3rver does not decode an "@" in a copy's source: identifiers without one.
  const alice = chainlitThread(`alice.${uid()}`, uid());
  const mallory = chainlitThread(`mallory.${uid()}`, uid());
  await Promise.all([...alice.items, ...mallory.items].map((item) => table.putRaw(item)));
  const aliceThreadId = alice.thread.id!.S!;
  const malloryThreadId = mallory.thread.id!.S!;
  return { alice, mallory, aliceThreadId, malloryThreadId };
}

describe("an item's attributes never override its key", () => {
  it("a thread's steps: id, threadId and the feedback's ids are the key's; clearing feedback clears this step's", async () => {
    const layer = table.layer();
    const { mallory, malloryThreadId, aliceThreadId, alice } = await twoThreads();
    // Mallory's rated run claims to be her user message, in Alice's thread, and its feedback names the same.
    await setAttributes(`THREAD#${malloryThreadId}`, `STEP#${mallory.stepB}`, {
      id: S(mallory.stepA),
      threadId: S(aliceThreadId),
      feedback: { M: { id: S(`THREAD#${aliceThreadId}::STEP#${alice.stepB}`), forId: S(alice.stepB), threadId: S(aliceThreadId), value: { N: "1" }, comment: { NULL: true } } },
    });
    const outline = await layer.getThreadOutline(malloryThreadId);
    for (const steps of [(await layer.getThread(malloryThreadId))!.steps, await outline!.fullSteps([mallory.stepA, mallory.stepB])]) {
      expect(steps.map((s) => s.id).sort()).toEqual([mallory.stepA, mallory.stepB].sort());
      expect(steps.every((s) => s.threadId === malloryThreadId)).toBe(true);
      expect(steps.find((s) => s.id === mallory.stepB)!.feedback).toMatchObject({ id: `THREAD#${malloryThreadId}::STEP#${mallory.stepB}`, forId: mallory.stepB, threadId: malloryThreadId });
    }
    // The page clears feedback with the id it was handed: the rated step's own, never the one its map named.
    const rated = (await layer.getThread(malloryThreadId))!.steps.find((s) => s.id === mallory.stepB)!;
    expect(await layer.deleteFeedback(rated.feedback!.id)).toBe(true);
    expect((await table.plain(`THREAD#${malloryThreadId}`, `STEP#${mallory.stepB}`))!.feedback).toBeUndefined();
    expect((await table.plain(`THREAD#${aliceThreadId}`, `STEP#${alice.stepB}`))!.feedback).toMatchObject({ value: 1 });
  });

  it("an element's share copy lands under its own thread and id, never onto another user's element or copy", async () => {
    const layer = table.layer({ storageProvider: storage });
    const { alice, mallory, aliceThreadId, malloryThreadId } = await twoThreads();
    await storage.uploadFile({ objectKey: alice.objectKey, data: "Alice's bytes", mime: "application/pdf" });
    await storage.uploadFile({ objectKey: mallory.objectKey, data: "Mallory's bytes", mime: "application/pdf" });
    // Alice shared her thread and a viewer downloaded: her copy exists and is recorded.
    const [aliceCopy] = await layer.elementsForShare((await layer.getThread(aliceThreadId, { signElements: false }))!.elements);
    expect(await (await fetch(aliceCopy!.url!)).text()).toBe("Alice's bytes");
    const aliceRecord = await table.plain(`THREAD#${aliceThreadId}`, `ELEMENT#${alice.elementId}`);

    // Mallory's element claims to be Alice's: her thread, her id, her copy on record.
    await setAttributes(`THREAD#${malloryThreadId}`, `ELEMENT#${mallory.elementId}`, {
      id: S(alice.elementId),
      threadId: S(aliceThreadId),
      shareCopyKey: S(aliceCopy!.objectKey!),
    });
    const read = (await layer.getThread(malloryThreadId, { signElements: false }))!.elements;
    expect(read.map((e) => [e.threadId, e.id])).toEqual([[malloryThreadId, mallory.elementId]]);
    expect((await layer.getElement(malloryThreadId, mallory.elementId))).toMatchObject({ id: mallory.elementId, threadId: malloryThreadId });

    const [shared] = await layer.elementsForShare(read);
    expect(shared!.objectKey).toBe(`threadbook-shared/${malloryThreadId}/${mallory.elementId}/report.pdf`);
    expect(await (await fetch(shared!.url!)).text()).toBe("Mallory's bytes");
    // Alice's copy and its record are as they were.
    expect(await (await fetch((await storage.getReadUrl(aliceCopy!.objectKey!)).url)).text()).toBe("Alice's bytes");
    expect(await table.plain(`THREAD#${aliceThreadId}`, `ELEMENT#${alice.elementId}`)).toEqual(aliceRecord);
  });

  it("an element whose objectKey names another user's file: never signed, read, copied for a share or deleted", async () => {
    const layer = table.layer({ storageProvider: storage });
    const { alice, mallory, aliceThreadId, malloryThreadId } = await twoThreads();
    // Alice's Chainlit file, and one of her Threadbook uploads.
    const aliceUpload = await layer.createElement({ id: uid("ae-"), threadId: aliceThreadId, forId: alice.stepA, name: "notes.txt", mime: "text/plain", content: Buffer.from("Alice's notes") });
    await storage.uploadFile({ objectKey: alice.objectKey, data: "Alice's bytes", mime: "application/pdf" });
    for (const foreign of [alice.objectKey, aliceUpload.objectKey!]) {
      await setAttributes(`THREAD#${malloryThreadId}`, `ELEMENT#${mallory.elementId}`, { objectKey: S(foreign) });
      const [element] = (await layer.getThread(malloryThreadId))!.elements;
      expect(element!.objectKey ?? null).toBeNull();
      expect(element!.url ?? "").not.toContain(aliceThreadId);
      expect((await layer.getElement(malloryThreadId, mallory.elementId))!.objectKey ?? null).toBeNull();
      expect((await layer.getThreadOutline(malloryThreadId))!.elements[0]!.objectKey ?? null).toBeNull();
      const [shared] = await layer.elementsForShare((await layer.getThread(malloryThreadId, { signElements: false }))!.elements);
      expect(shared!.objectKey ?? null).toBeNull();
      expect(shared!.url ?? "").not.toContain(aliceThreadId);
    }
    // Re-creating the element, deleting it, deleting the thread: Alice's files stay.
    await layer.createElement({ id: mallory.elementId, threadId: malloryThreadId, forId: mallory.stepA, name: "x.txt", url: "https://example.com/x" });
    await setAttributes(`THREAD#${malloryThreadId}`, `ELEMENT#${mallory.elementId}`, { objectKey: S(alice.objectKey) });
    await layer.deleteElement(mallory.elementId, malloryThreadId);
    await table.putRaw({ ...mallory.element, objectKey: S(aliceUpload.objectKey!) });
    await layer.deleteThread(malloryThreadId);
    expect(await storage.size(alice.objectKey)).toBe("Alice's bytes".length);
    expect(await storage.size(aliceUpload.objectKey!)).toBe("Alice's notes".length);
  });

  it("an element's recorded url is never passed off as a link signed now, to its owner or a share viewer", async () => {
    const layer = table.layer({ storageProvider: storage });
    const { mallory, malloryThreadId } = await twoThreads();
    // A writer of the table records a link of its choosing with an expiry, as if this read had just signed it:
    // the API sends an element's url only with its urlExpiresAt (public-thread.ts), so the page would draw or
    // download it, and a share page hand it to every viewer.
    const planted = { url: S("https://attacker.example/invoice.pdf"), urlExpiresAt: S("2099-01-01T00:00:00.000Z") };
    const { objectKey: _file, ...withoutFile } = mallory.element;
    for (const item of [{ ...withoutFile, ...planted }, { ...mallory.element, ...planted, objectKey: S(`someone/${uid()}/${uid()}`) }]) {
      await table.putRaw(item);
      const reads = [
        ...(await layer.getThread(malloryThreadId))!.elements,
        ...(await layer.getThread(malloryThreadId, { signElements: false }))!.elements,
        (await layer.getElement(malloryThreadId, mallory.elementId))!,
        ...(await layer.signElements((await layer.getThreadOutline(malloryThreadId))!.elements)),
        ...(await layer.elementsForShare((await layer.getThread(malloryThreadId, { signElements: false }))!.elements)),
      ];
      expect(reads).toHaveLength(5);
      for (const element of reads) expect(element.urlExpiresAt ?? null).toBeNull();
    }
    // A file of its own is signed as before: the url and its expiry are this read's.
    await table.putRaw({ ...mallory.element, ...planted });
    await storage.uploadFile({ objectKey: mallory.objectKey, data: "Mallory's bytes", mime: "application/pdf" });
    const [signed] = (await layer.getThread(malloryThreadId))!.elements;
    expect(signed!.url).not.toContain("attacker.example");
    expect(signed!.urlExpiresAt).not.toBe("2099-01-01T00:00:00.000Z");
  });

  it("a thread is listed and read under its key's id, and its share settings belong to its key's thread", async () => {
    const layer = table.layer();
    const { malloryThreadId, aliceThreadId, mallory } = await twoThreads();
    const userId = mallory.thread.userId!.S!;
    await layer.shareThread(malloryThreadId, userId, { access: "public", expiresAt: null });
    await setAttributes(`THREAD#${malloryThreadId}`, "THREAD", { id: S(aliceThreadId) });
    await setAttributes(`THREAD#${malloryThreadId}`, "SHARE", { threadId: S(aliceThreadId) });

    expect((await layer.getThread(malloryThreadId))!.id).toBe(malloryThreadId);
    expect((await layer.getThreadOutline(malloryThreadId))!.thread.id).toBe(malloryThreadId);
    expect((await layer.listThreads({ first: 10 }, { userId })).data.map((row) => row.id)).toEqual([malloryThreadId]);
    expect((await layer.getShareState(malloryThreadId))!.settings!.threadId).toBe(malloryThreadId);
    expect((await layer.listShares(userId, { first: 10 })).rows.map((r) => r.settings!.threadId)).toEqual([malloryThreadId]);
  });

  it("a user is the identifier of its key: a USER item naming somebody else signs in as nobody else", async () => {
    const layer = table.layer();
    const alice = `alice-${uid()}@example.com`;
    const mallory = `mallory-${uid()}@example.com`;
    await chainlitCreateUser(table, alice);
    await chainlitCreateUser(table, mallory);
    await setAttributes(`USER#${mallory}`, "USER", { id: S(alice), identifier: S(alice) });
    // createUser is what an OAuth sign-in turns into its session's identifier.
    expect(await layer.createUser({ identifier: mallory })).toMatchObject({ id: mallory, identifier: mallory });
    expect(await layer.getUser(mallory)).toMatchObject({ id: mallory, identifier: mallory });
    expect((await layer.listUsers()).filter((u) => u.identifier === alice).length).toBe(1);
  });

  it("an import job is the job and user of its key", async () => {
    const layer = table.layer();
    const [alice, mallory] = [uid("alice-"), uid("mallory-")];
    const jobId = `${Date.now().toString(36).padStart(10, "0")}-${uid()}`;
    const aliceJob = `${Date.now().toString(36).padStart(10, "0")}-${uid()}`;
    await layer.createImportJob(mallory, jobId, { fileName: "export.zip", upload: "storage", runner: "r" });
    await setAttributes(`USER#${mallory}`, `IMPORT#${jobId}`, { jobId: S(aliceJob), userId: S(alice) });
    expect(await layer.getImportJob(mallory, jobId)).toMatchObject({ jobId, userId: mallory });
    expect(await layer.listImportJobs(mallory)).toMatchObject([{ jobId, userId: mallory }]);
  });
});
