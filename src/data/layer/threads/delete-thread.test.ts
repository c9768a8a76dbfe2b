/**
 * deleteThread removes exactly the blobs its element items name. A thread id is not a path: when one equals a user
 * identifier, `{threadId}/` is where Chainlit keeps that user's files (`{userIdentifier}/{threadId}/{elementId}`),
 * and the old prefix delete wiped them. Run on both real backends (s3rver and azurite).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StorageClient } from "../../storage/storage-client";
import { BACKENDS, freshStorage } from "../../../../test/storage-backends";
import { chainlitThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

async function stored(storage: StorageClient, objectKey: string): Promise<string | null> {
  const response = await fetch((await storage.getReadUrl(objectKey)).url);
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  expect(response.status).toBe(200);
  return response.text();
}

describe.each(BACKENDS)("deleteThread on %s", (backend) => {
  let storage: StorageClient & { close(): Promise<void> };
  beforeAll(async () => {
    storage = await freshStorage(backend);
  });
  afterAll(() => storage.close());

  it("leaves a neighbour's Chainlit files alone when a thread's id is that neighbour's identifier", async () => {
    const layer = table.layer({ storageProvider: storage });
    const alice = `alice-${uid()}@example.com`;
    const mallory = `mallory-${uid()}@example.com`;
    // Alice's Chainlit thread, its element item and blob written as Chainlit's create_element does.
    const aliceThreadId = uid();
    const chainlit = chainlitThread(alice, aliceThreadId);
    await Promise.all(chainlit.items.map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: chainlit.objectKey, data: "alice's report", mime: "application/pdf" });
    const aliceLoose = `${alice}/${uid()}/${uid()}`;
    await storage.uploadFile({ objectKey: aliceLoose, data: "alice's other file", mime: "text/plain" });
    // A thread whose id is Alice's identifier (what a client-chosen id allowed), with a file of its own.
    await layer.updateThread(alice, { userId: mallory, name: "bait" });
    const bait = await layer.createElement({ id: uid("e-"), threadId: alice, name: "bait.txt", content: "mallory" });

    const { result, byOperation } = await countOf(table, () => layer.deleteThread(alice));
    expect(result).toBe(true);
    // + the owner's pin removed beside the THREAD item (pins.ts): one conditional UpdateItem, which writes nothing here.
    expect(byOperation).toEqual({ QueryCommand: 1, BatchWriteItemCommand: 1, DeleteItemCommand: 1, UpdateItemCommand: 1 });

    expect(await stored(storage, bait.objectKey!)).toBeNull();
    expect(await stored(storage, chainlit.objectKey)).toBe("alice's report");
    expect(await stored(storage, aliceLoose)).toBe("alice's other file");
    expect((await layer.getThread(aliceThreadId))?.elements.map((e) => e.id)).toEqual([chainlit.elementId]);
  });

  it("never writes onto a Chainlit file, whatever ids the thread and element carry", async () => {
    const layer = table.layer({ storageProvider: storage });
    const alice = `alice-${uid()}@example.com`;
    const chainlit = chainlitThread(alice, uid());
    await Promise.all(chainlit.items.map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: chainlit.objectKey, data: "alice's report", mime: "application/pdf" });
    // Ids chosen to spell Alice's Chainlit key `{identifier}/{threadId}/{elementId}`: thread = her identifier,
    // element = her thread id, file name = her element id.
    const [, aliceThreadId, aliceElementId] = chainlit.objectKey.split("/") as [string, string, string];
    await layer.updateThread(alice, { userId: `mallory-${uid()}`, name: "bait" });
    const bait = await layer.createElement({ id: aliceThreadId, threadId: alice, name: aliceElementId, content: "overwritten" });
    expect(bait.objectKey).not.toBe(chainlit.objectKey);
    expect(await stored(storage, chainlit.objectKey)).toBe("alice's report");
    await layer.deleteElement(bait.id, alice);
    expect(await stored(storage, chainlit.objectKey)).toBe("alice's report");
  });

  it("deletes the Chainlit-keyed files of its own elements, each once, and nothing of a sibling thread", async () => {
    const layer = table.layer({ storageProvider: storage });
    const userId = `u-${uid()}`;
    const threadId = uid("t-");
    const sibling = `${threadId}b`;
    const chainlit = chainlitThread(userId, threadId);
    await Promise.all(chainlit.items.map((item) => table.putRaw(item)));
    await storage.uploadFile({ objectKey: chainlit.objectKey, data: "pdf", mime: "application/pdf" });
    const own = await layer.createElement({ id: uid("e-"), threadId, name: "own.txt", content: "own" });
    await layer.updateThread(sibling, { userId, name: "sibling" });
    const kept = await layer.createElement({ id: uid("e-"), threadId: sibling, name: "keep.txt", content: "keep" });

    expect(await layer.deleteThread(threadId)).toBe(true);
    expect(await stored(storage, chainlit.objectKey)).toBeNull();
    expect(await stored(storage, own.objectKey!)).toBeNull();
    expect(await stored(storage, kept.objectKey!)).toBe("keep");
  });
});
