import { Readable } from "node:stream";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDataError } from "../../errors";
import { type S3StorageClient } from "../../storage/s3-storage";
import { freshStorage } from "../../../../test/storage-backends";
import { mapLimited } from "../batch";
import { safeObjectName } from "./elements";
import { chainlitThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
let storage: S3StorageClient;
beforeAll(async () => {
  [table, storage] = await Promise.all([testTable(), freshStorage("s3")]);
});
afterAll(() => storage.close());

/** What s3rver really holds under a prefix (a real ListObjectsV2, not the client under test). */
async function objectKeys(prefix: string): Promise<string[]> {
  const out = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function newThread(userId = uid("u-")) {
  const threadId = uid("t-");
  await table.layer().updateThread(threadId, { userId, name: "files" });
  return threadId;
}

describe("safeObjectName", () => {
  it.each([
    ["report.pdf", "report.pdf"],
    ["Résumé final (2).docx", "Resume-final-2-.docx"],
    ["../../etc/passwd", "etc-passwd"],
    ["日本語.txt", "txt"],
    ["", "file"],
  ])("%s → %s", (name, expected) => {
    expect(safeObjectName(name)).toBe(expected);
  });

  it("bounds the length and keeps the extension", () => {
    const name = safeObjectName(`${"a".repeat(300)}.csv`);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name.endsWith(".csv")).toBe(true);
  });
});

describe("elements", () => {
  it("uploads first, then stores the item; getElement signs a fresh URL that serves the bytes", async () => {
    const layer = table.layer({ storageProvider: storage });
    const threadId = await newThread();
    const id = uid("e-");
    const created = await layer.createElement({ id, threadId, type: "file", name: "Q3 sales.csv", display: "inline", content: "region,revenue\nEast,1\n" });
    const objectKey = `threadbook/${threadId}/${id}/Q3-sales.csv`;
    expect(created).toMatchObject({ id, threadId, objectKey, mime: "application/octet-stream", bytes: 22, name: "Q3 sales.csv" });
    expect(await objectKeys(`threadbook/${threadId}/`)).toEqual([objectKey]);
    const raw = await table.plain(`THREAD#${threadId}`, `ELEMENT#${id}`);
    expect(raw).toMatchObject({ PK: `THREAD#${threadId}`, SK: `ELEMENT#${id}`, id, threadId, objectKey, bytes: 22, createdAt: created.createdAt });
    expect(raw).not.toHaveProperty("urlExpiresAt");

    const { result, count } = await countOf(table, () => layer.getElement(threadId, id));
    expect(count).toBe(1);
    expect(result?.urlExpiresAt).toEqual(expect.any(String));
    const response = await fetch(result!.url!);
    expect(await response.text()).toBe("region,revenue\nEast,1\n");
    expect(response.headers.get("content-disposition")).toContain("Q3 sales.csv");
    expect(await layer.getElement(threadId, uid("missing-"))).toBeNull();
  });

  it("signs every link as a download, even for an item with no name whose type says HTML (hostile)", async () => {
    const layer = table.layer({ storageProvider: storage });
    const threadId = uid("t-");
    const chainlit = chainlitThread(uid("u-"), threadId);
    // Chainlit uploads with no Content-Disposition; the item names no file and claims text/html.
    await storage.client.send(new PutObjectCommand({ Bucket: storage.bucket, Key: chainlit.objectKey, Body: "<script>alert(document.domain)</script>" }));
    await Promise.all([...chainlit.items.slice(0, -1), { ...chainlit.element, name: { NULL: true }, mime: { S: "text/html" } }].map((item) => table.putRaw(item)));
    for (const element of [await layer.getElement(threadId, chainlit.elementId), (await layer.getThread(threadId))!.elements[0]]) {
      const response = await fetch(element!.url!);
      expect(response.headers.get("content-disposition")).toMatch(/^attachment/);
      await response.body?.cancel();
    }
  });

  it("counts the bytes of a streamed upload", async () => {
    const layer = table.layer({ storageProvider: storage });
    const threadId = await newThread();
    const created = await layer.createElement({ id: uid("e-"), threadId, name: "blob.bin", mime: "image/png", content: Readable.from([Buffer.alloc(1000), Buffer.alloc(234)]) });
    expect(created).toMatchObject({ bytes: 1234, mime: "image/png" });
  });

  it("refuses content without a storage provider, writing nothing; stores url-only elements as items", async () => {
    const layer = table.layer();
    const threadId = await newThread();
    const id = uid("e-");
    await expect(layer.createElement({ id, threadId, name: "a.txt", content: "x" })).rejects.toSatisfy((e) => isDataError(e, "storage"));
    expect(await table.raw(`THREAD#${threadId}`, `ELEMENT#${id}`)).toBeUndefined();
    const linked = await layer.createElement({ id, threadId, type: "image", url: "https://example.com/cat.png", name: "cat" });
    expect(linked).toMatchObject({ url: "https://example.com/cat.png", mime: "application/octet-stream" });
    expect(await layer.getElement(threadId, id)).toMatchObject({ url: "https://example.com/cat.png" });
  });

  it("deleteElement removes the item and its blob", async () => {
    const layer = table.layer({ storageProvider: storage });
    const threadId = await newThread();
    const id = uid("e-");
    await layer.createElement({ id, threadId, name: "x.txt", content: "bytes" });
    expect(await layer.deleteElement(id, threadId)).toBe(true);
    expect(await table.raw(`THREAD#${threadId}`, `ELEMENT#${id}`)).toBeUndefined();
    expect(await objectKeys(`threadbook/${threadId}/`)).toEqual([]);
    expect(await layer.deleteElement(id, threadId)).toBe(false);
  });
});

describe("deleteThread", () => {
  it("deletes 300 steps, 30 elements with their blobs, parts and markers, the THREAD item last", async () => {
    const layer = table.layer({ storageProvider: storage });
    const userId = uid("u-");
    const threadId = await newThread(userId);
    const stepIds = Array.from({ length: 300 }, (_, i) => `s${i}-${uid()}`);
    await mapLimited(stepIds, 16, (id) => layer.createStep({ id, threadId, output: "o" }));
    await layer.createStep({ id: uid("big-"), threadId, output: "b".repeat(500_000) });
    await layer.upsertFeedback({ forId: stepIds[0]!, threadId, value: 1 });
    const elementIds = Array.from({ length: 30 }, () => uid("e-"));
    await mapLimited(elementIds, 8, (id) => layer.createElement({ id, threadId, name: `${id}.txt`, content: id }));
    // An element Chainlit uploaded, under its `{user}/{threadId}/{elementId}` key.
    const chainlit = chainlitThread(userId, threadId);
    await table.putRaw(chainlit.element);
    await storage.client.send(new PutObjectCommand({ Bucket: storage.bucket, Key: chainlit.objectKey, Body: "pdf" }));
    const other = await newThread(userId);
    await layer.createElement({ id: uid("e-"), threadId: other, name: "keep.txt", content: "keep" });
    expect(await objectKeys(`threadbook/${threadId}/`)).toHaveLength(30);

    const { result, byOperation } = await countOf(table, () => layer.deleteThread(threadId));
    expect(result).toBe(true);
    expect(byOperation.QueryCommand).toBe(1);
    expect(byOperation.DeleteItemCommand).toBe(1);
    expect(byOperation.BatchWriteItemCommand).toBeGreaterThanOrEqual(14);

    expect(await layer.getThread(threadId)).toBeNull();
    expect(await table.partitionSks(threadId)).toEqual([]);
    expect(await objectKeys(`threadbook/${threadId}/`)).toEqual([]);
    expect(await objectKeys(`${userId}/`)).toEqual([]);
    expect(await objectKeys(`threadbook/${other}/`)).toHaveLength(1);
    expect((await layer.listThreads({ first: 10 }, { userId })).data.map((t) => t.id)).toEqual([other]);
    expect((await layer.listThreads({ first: 10 }, { userId, feedback: 1 })).data).toEqual([]);
    expect(await layer.deleteThread(threadId)).toBe(false);
  });

  it("finishes an interrupted delete when repeated (the THREAD item is still there)", async () => {
    const layer = table.layer({ storageProvider: storage });
    const threadId = await newThread();
    await layer.createStep({ id: uid("s-"), threadId, output: "x" });
    const element = await layer.createElement({ id: uid("e-"), threadId, name: "a.txt", content: "a" });
    await storage.deleteFile(element.objectKey!); // as if the first attempt died after the blobs
    expect(await layer.deleteThread(threadId)).toBe(true);
    expect(await layer.getThread(threadId)).toBeNull();
  });
});
