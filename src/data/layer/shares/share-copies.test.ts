/**
 * Share copies on both real backends (s3rver and azurite): a share viewer's link to a file Chainlit stored under
 * `{identifier}/{threadId}/{elementId}` is a link to a copy under a neutral key, made once, and only a copy recorded
 * under this element's own copy key is ever signed or deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StorageClient } from "../../storage/storage-client";
import { BACKENDS, freshStorage } from "../../../../test/storage-backends";
import { chainlitThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

describe.each(BACKENDS)("share copies on %s", (backend) => {
  let storage: StorageClient & { close(): Promise<void> };
  beforeAll(async () => {
    storage = await freshStorage(backend);
  });
  afterAll(() => storage.close());

  // s3rver does not decode an "@" in a copy's source (S3 does): the S3 run uses an identifier without one.
  const identifier = () => (backend === "s3" ? `owner.${uid()}` : `owner-${uid()}@example.com`);

  it("signs a copy under threadbook-shared/ that names nothing of the owner, copying once", async () => {
    const layer = table.layer({ storageProvider: storage });
    const owner = identifier();
    const threadId = uid();
    const chainlit = chainlitThread(owner, threadId);
    await Promise.all(chainlit.items.map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: chainlit.objectKey, data: "the owner's bytes", mime: "application/pdf" });
    const elements = async () => (await layer.getThread(threadId, { signElements: false }))!.elements;

    const first = await countOf(table, async () => layer.elementsForShare(await elements()));
    const [shared] = first.result;
    expect(shared!.objectKey).toBe(`threadbook-shared/${threadId}/${chainlit.elementId}/report.pdf`);
    for (const url of [shared!.url!, decodeURIComponent(shared!.url!)]) expect(url).not.toContain(owner);
    expect(await (await fetch(shared!.url!)).text()).toBe("the owner's bytes");
    expect(first.byOperation.UpdateItemCommand).toBe(1);
    // Read again, the recorded copy is signed: the Query and nothing else.
    const again = await countOf(table, async () => layer.elementsForShare(await elements()));
    expect(again.result[0]!.objectKey).toBe(shared!.objectKey);
    expect(again.byOperation).toEqual({ QueryCommand: 1 });

    // The owner's own read still signs the original.
    expect((await layer.getElement(threadId, chainlit.elementId))!.objectKey).toBe(chainlit.objectKey);
    // Deleting the thread deletes the copy with the original.
    await layer.deleteThread(threadId);
    await expect(storage.size(shared!.objectKey!)).rejects.toMatchObject({ code: "not_found" });
    await expect(storage.size(chainlit.objectKey)).rejects.toMatchObject({ code: "not_found" });
  });

  it("ignores a recorded copy key that is not this element's own: never signed, never deleted", async () => {
    const layer = table.layer({ storageProvider: storage });
    const victim = chainlitThread(identifier(), uid());
    await Promise.all(victim.items.map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: victim.objectKey, data: "someone else's", mime: "application/pdf" });
    // A hostile writer of the table points a shared element's record at another user's file.
    const threadId = uid();
    const chainlit = chainlitThread(identifier(), threadId);
    await Promise.all([...chainlit.items.slice(0, -1), { ...chainlit.element, shareCopyKey: { S: victim.objectKey } }].map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: chainlit.objectKey, data: "mine", mime: "application/pdf" });

    const [shared] = await layer.elementsForShare((await layer.getThread(threadId, { signElements: false }))!.elements);
    expect(shared!.objectKey).toBe(`threadbook-shared/${threadId}/${chainlit.elementId}/report.pdf`);
    expect(await (await fetch(shared!.url!)).text()).toBe("mine");
    await layer.deleteThread(threadId);
    expect(await storage.size(victim.objectKey)).toBe("someone else's".length);
  });
});
