/** The StorageClient contract, run unchanged against real s3rver and azurite. */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachmentDisposition } from "./content-disposition";
import { elementObjectKey } from "./object-key";
import { MAX_RANGE_BYTES } from "./storage-client";
import { StorageError } from "./storage-errors";
import { BACKENDS, containerOf, freshStorage, sleep } from "../../../test/storage-backends";

const NAME = "报告 résumé.csv";
const CSV = "region,total\nnord,12\nsüd,7\n";

describe.each(BACKENDS)("%s storage", (backend) => {
  let storage: Awaited<ReturnType<typeof freshStorage>>;
  const key = (fileName = NAME, threadId = `thread-${randomUUID()}`) => elementObjectKey(threadId, randomUUID(), fileName);

  beforeAll(async () => {
    storage = await freshStorage(backend);
  });
  afterAll(() => storage.close());

  it("uploads, signs a link, and the link downloads the same bytes under the original name", async () => {
    const objectKey = key();
    const bytes = new TextEncoder().encode(CSV);
    expect(await storage.uploadFile({ objectKey, data: bytes, mime: "text/csv", fileName: NAME })).toEqual({ objectKey });

    const before = Date.now();
    const { url, expiresAt } = await storage.getReadUrl(objectKey, { downloadName: NAME });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toBe(attachmentDisposition(NAME));
    // Default 300 s, measured from a signing time truncated to the second.
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(298_000);
    expect(Date.parse(expiresAt) - before).toBeLessThanOrEqual(300_000);
  });

  it("without downloadName, serves the disposition stored at upload; `mime` overrides the type", async () => {
    const objectKey = key("notes.md");
    await storage.uploadFile({ objectKey, data: "# hi", mime: "text/markdown", fileName: "Notes – v2.md" });
    const stored = await fetch((await storage.getReadUrl(objectKey)).url);
    expect(stored.headers.get("content-disposition")).toBe(attachmentDisposition("Notes – v2.md"));
    expect(stored.headers.get("content-type")).toMatch(/^text\/markdown/);
    await stored.body?.cancel();
    const overridden = await fetch((await storage.getReadUrl(objectKey, { mime: "text/plain" })).url);
    expect(overridden.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await overridden.text()).toBe("# hi");
  });

  it("uploads a stream and reports progress up to the total", async () => {
    const objectKey = key("stream.bin");
    const events: [number, number | undefined][] = [];
    const chunks = [Buffer.from("stream "), Buffer.from("of "), Buffer.from("bytes")];
    await storage.uploadFile({ objectKey, data: Readable.from(chunks), mime: "application/octet-stream", onProgress: (loaded, total) => events.push([loaded, total]) });
    expect(events.at(-1)).toEqual([15, 15]);
    expect(events.map(([loaded]) => loaded)).toEqual([...events.map(([loaded]) => loaded)].sort((x, y) => x - y));
    expect(await (await fetch((await storage.getReadUrl(objectKey)).url)).text()).toBe("stream of bytes");
  });

  it("reads an object's bytes back, up to a cap; over it is too_large, missing is not_found", async () => {
    const objectKey = key();
    const bytes = new TextEncoder().encode(CSV);
    await storage.uploadFile({ objectKey, data: bytes, mime: "text/csv" });
    expect(await storage.read(objectKey, { maxBytes: bytes.byteLength })).toEqual(Buffer.from(bytes));
    expect(await storage.read(objectKey, { maxBytes: 1024 * 1024 })).toEqual(Buffer.from(bytes));
    await expect(storage.read(objectKey, { maxBytes: bytes.byteLength - 1 })).rejects.toMatchObject({ code: "too_large" });

    const big = key("big.bin");
    await storage.uploadFile({ objectKey: big, data: new Uint8Array(3 * 1024 * 1024).fill(7), mime: "application/octet-stream" });
    await expect(storage.read(big, { maxBytes: 64 * 1024 })).rejects.toMatchObject({ code: "too_large", message: expect.stringContaining("65536 bytes") });

    const empty = key("empty.txt");
    await storage.uploadFile({ objectKey: empty, data: "", mime: "text/plain" });
    expect((await storage.read(empty, { maxBytes: 10 })).byteLength).toBe(0);

    await expect(storage.read(key("missing.txt"), { maxBytes: 10 })).rejects.toMatchObject({ code: "not_found" });
    await expect(storage.read("/etc/passwd", { maxBytes: 10 })).rejects.toMatchObject({ code: "validation" });
  });

  it("reads a byte range: exactly the bytes asked for; a range past the end, empty, reversed or too long is refused", async () => {
    const objectKey = key("range.bin");
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await storage.uploadFile({ objectKey, data: bytes, mime: "application/octet-stream" });
    expect(Buffer.from(await storage.readRange(objectKey, { start: 0, end: 4 }))).toEqual(bytes.subarray(0, 4));
    expect(Buffer.from(await storage.readRange(objectKey, { start: 990, end: 1000 }))).toEqual(bytes.subarray(990));
    expect(Buffer.from(await storage.readRange(objectKey, { start: 123, end: 124 }))).toEqual(bytes.subarray(123, 124));
    // Past the end: storage answers fewer bytes (or s3rver a wrong count); either way nothing is returned as if whole.
    await expect(storage.readRange(objectKey, { start: 990, end: 1001 })).rejects.toMatchObject({ code: "validation" });
    await expect(storage.readRange(objectKey, { start: 1000, end: 1010 })).rejects.toMatchObject({ code: "validation" });
    for (const range of [{ start: 5, end: 5 }, { start: 6, end: 5 }, { start: -1, end: 5 }, { start: 0.5, end: 5 }, { start: 0, end: MAX_RANGE_BYTES + 1 }]) {
      await expect(storage.readRange(objectKey, range)).rejects.toMatchObject({ code: "validation" });
    }
    await expect(storage.readRange(key("missing.bin"), { start: 0, end: 4 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses an expired link", async () => {
    const objectKey = key("soon.txt");
    await storage.uploadFile({ objectKey, data: "short-lived", mime: "text/plain" });
    const { url, expiresAt } = await storage.getReadUrl(objectKey, { expiresInSeconds: 1 });
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(1_000);
    await sleep(2_100);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    await response.body?.cancel();
  });

  it("deletes a file: true once, false after, and its link stops working (404)", async () => {
    const objectKey = key();
    await storage.uploadFile({ objectKey, data: CSV, mime: "text/csv" });
    const { url } = await storage.getReadUrl(objectKey);
    expect(await storage.deleteFile(objectKey)).toBe(true);
    expect(await storage.deleteFile(objectKey)).toBe(false);
    const response = await fetch(url);
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it("rejects a failing source stream and leaves no object behind", async () => {
    const objectKey = key("broken.bin");
    const broken = new Readable({
      read() {
        this.destroy(new Error("source went away"));
      },
    });
    await expect(storage.uploadFile({ objectKey, data: broken, mime: "application/octet-stream" })).rejects.toMatchObject({ code: "storage" });
    expect(await storage.deleteFile(objectKey)).toBe(false);
  });

  it("copies an object server side: same bytes, type and download name, its size readable; the copy outlives the original; a missing source is not_found", async () => {
    const source = key();
    await storage.uploadFile({ objectKey: source, data: CSV, mime: "text/csv", fileName: NAME });
    const target = key();
    await storage.copyFile(source, target);
    expect(await storage.size(target)).toBe(Buffer.byteLength(CSV));
    expect(await storage.deleteFile(source)).toBe(true);
    const copied = await fetch((await storage.getReadUrl(target)).url);
    expect(copied.status).toBe(200);
    expect(copied.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(copied.headers.get("content-disposition")).toBe(attachmentDisposition(NAME));
    expect(await copied.text()).toBe(CSV);
    await expect(storage.copyFile(key("missing.csv"), key())).rejects.toMatchObject({ code: "not_found" });
    await expect(storage.size(key("missing.csv"))).rejects.toMatchObject({ code: "not_found" });
  });

  it("copies an object Chainlit keyed by its user's identifier ({email}/{threadId}/{elementId}: an @ and no extension)", async () => {
    const source = `alice.martin@example.com/${randomUUID()}/${randomUUID()}`;
    await storage.uploadFile({ objectKey: source, data: CSV, mime: "text/csv" });
    const target = key();
    await storage.copyFile(source, target);
    expect(await (await fetch((await storage.getReadUrl(target)).url)).text()).toBe(CSV);
  });

  it("lists the keys under a prefix page by page, in order, with their last-modified times; nothing outside it", async () => {
    const prefix = `list-${randomUUID()}/`;
    const keys = ["a/1", "a/2", "b", "c/d/e", "z"].map((name) => `${prefix}${name}`);
    const before = Date.now();
    for (const objectKey of [...keys].reverse()) await storage.uploadFile({ objectKey, data: "x", mime: "text/plain" });
    await storage.uploadFile({ objectKey: `${prefix.slice(0, -1)}-beside/x`, data: "x", mime: "text/plain" });
    const after = Date.now();
    const listed: string[] = [];
    let continuation: string | undefined;
    let pages = 0;
    do {
      const page = await storage.listObjects(prefix, { pageSize: 2, continuation });
      expect(page.objects.length).toBeLessThanOrEqual(2);
      for (const { key: listedKey, lastModified } of page.objects) {
        listed.push(listedKey);
        // Storage stamps in whole seconds (S3 rounds down): within a second of the uploads.
        expect(lastModified.getTime()).toBeGreaterThanOrEqual(before - 1_000);
        expect(lastModified.getTime()).toBeLessThanOrEqual(after + 1_000);
      }
      continuation = page.continuation;
    } while (continuation && ++pages < 10);
    expect(listed).toEqual(keys);
    expect(await storage.listObjects(prefix, { pageSize: 1000 })).toMatchObject({ objects: keys.map((listedKey) => ({ key: listedKey })), continuation: undefined });
    expect(await storage.listObjects(`empty-${randomUUID()}/`, { pageSize: 10 })).toEqual({ objects: [] });
    for (const pageSize of [0, 1001, 1.5, Number.NaN]) await expect(storage.listObjects(prefix, { pageSize })).rejects.toMatchObject({ code: "validation" });
    for (const bad of ["", "/etc"]) await expect(storage.listObjects(bad, { pageSize: 10 })).rejects.toMatchObject({ code: "validation" });
  });

  it("names the bucket or container when it is missing", async () => {
    const missing = await freshStorage(backend, { create: false });
    const name = containerOf(missing);
    const expectMissing = async (operation: Promise<unknown>) => {
      const error = await operation.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ code: "storage", failure: "missing" });
      expect((error as Error).message).toContain(`"${name}" does not exist`);
    };
    await expectMissing(missing.uploadFile({ objectKey: key(), data: "x", mime: "text/plain" }));
    await expectMissing(missing.deleteFile(key()));
    await expectMissing(missing.listObjects("threadbook-previews/", { pageSize: 10 }));
    expect(await missing.exists()).toBe(false);
    expect(await missing.ensureExists()).toBe(true);
    expect(await missing.ensureExists()).toBe(false);
    await missing.close();
  });
});
