/** Image previews on real s3rver and azurite (element-previews.ts): made, stored, signed, refused and deleted. */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Element } from "../../entities/element";
import { previewKeyOf } from "../../storage/object-key";
import { type StorageClient } from "../../storage/storage-client";
import { BACKENDS, freshStorage } from "../../../../test/storage-backends";
import { chainlitThread, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { PREVIEW_BOX, PREVIEW_QUEUE, PREVIEW_RETRY } from "./element-previews";

/** A phone-sized photo: noise does not compress, so it weighs what a photo does (about 2 MB). */
const photo = (width = 2400, height = 1800) =>
  sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer();

/**
 * A decompression bomb: a valid PNG header saying 60000 × 60000 (3.6 gigapixels, about 10 GB decoded) over a few
 * bytes of data. Refused from its header, before anything is decoded.
 */
async function pngBomb(): Promise<Buffer> {
  const small = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#000" } }).png().toBuffer();
  const bomb = Buffer.from(small);
  bomb.writeUInt32BE(60000, 16); // IHDR width
  bomb.writeUInt32BE(60000, 20); // IHDR height
  const { crc32 } = await import("node:zlib");
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)) >>> 0, 29); // IHDR's CRC, so the header reads as sound
  return bomb;
}

/** A bar chart as a plotting library saves one: flat blue bars and a grey axis on white, a PNG within the preview box. */
const chart = () =>
  sharp({ create: { width: 480, height: 280, channels: 3, background: "#ffffff" } })
    .composite([
      ...[120, 200, 90, 240].map((height, i) => ({ input: { create: { width: 90, height, channels: 3 as const, background: "#2563eb" } }, left: 20 + i * 115, top: 270 - height })),
      { input: { create: { width: 480, height: 2, channels: 3 as const, background: "#78716c" } }, left: 0, top: 270 },
    ])
    .removeAlpha() // composite adds one; a plotting library's PNG is RGB
    .png()
    .toBuffer();

/** The WebP's first chunk: `VP8L` is lossless, `VP8 ` lossy (a simple file: no alpha, no animation). */
const webpKind = (bytes: Buffer) => bytes.subarray(12, 16).toString("latin1");

const fetchBytes = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
};

const exists = async (storage: StorageClient, key: string) => storage.size(key).then(() => true, () => false);

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

describe.each(BACKENDS)("image previews on %s", (backend) => {
  let storage: StorageClient;
  beforeAll(async () => {
    storage = await freshStorage(backend);
  });
  afterAll(() => storage.close());
  const layer = () => table.layer({ storageProvider: storage });

  async function newThread() {
    const threadId = uid("t-");
    await layer().updateThread(threadId, { userId: uid("u-"), name: "photos" });
    return threadId;
  }

  it("an uploaded photo gets a small WebP preview, recorded and signed beside the original", async () => {
    const threadId = await newThread();
    const id = uid("e-");
    const original = await photo();
    const created = await layer().createElement({ id, threadId, type: "image", name: "IMG_0001.jpg", mime: "image/jpeg", content: original });
    const key = previewKeyOf(threadId, id, created.objectKey!);
    expect(created.previewKey).toBe(key);
    expect(await table.plain(`THREAD#${threadId}`, `ELEMENT#${id}`)).toMatchObject({ previewKey: key });
    const read = (await layer().getElement(threadId, id))!;
    expect(read.url).not.toBe(read.previewUrl);
    const preview = await fetchBytes(read.previewUrl!);
    const meta = await sharp(preview).metadata();
    expect(meta).toMatchObject({ format: "webp", height: PREVIEW_BOX.height, width: 533 });
    expect(preview.byteLength * 10).toBeLessThan(original.byteLength);
    // The original is still what the dialog and the download get.
    expect((await fetchBytes(read.url!)).equals(original)).toBe(true);
  });

  it("an image Chainlit wrote gets its preview on the first ask, stored under a key that names no user; later asks reuse it", async () => {
    const userId = `someone-${uid()}@example.com`;
    const threadId = uid("t-");
    const fixture = chainlitThread(userId, threadId);
    await storage.uploadFile({ objectKey: fixture.objectKey, data: await photo(1200, 1600), mime: "image/jpeg" });
    for (const item of fixture.items) await table.putRaw(item === fixture.element ? { ...item, type: { S: "image" }, mime: { S: "image/jpeg" }, name: { S: "cat.jpg" } } : item);
    const before = (await layer().getElement(threadId, fixture.elementId))!;
    expect(before.previewUrl).toBeNull();
    const first = await layer().elementPreview(before);
    const key = previewKeyOf(threadId, fixture.elementId, fixture.objectKey);
    expect(key).not.toContain(userId);
    expect(first!.url).not.toContain(encodeURIComponent(userId));
    expect(await sharp(await fetchBytes(first!.url)).metadata()).toMatchObject({ format: "webp", width: 300, height: 400 });
    const after = (await layer().getElement(threadId, fixture.elementId))!;
    expect(after.previewKey).toBe(key);
    // Signed from the record: the original is not read again (it is gone now, and the preview still comes).
    await storage.deleteFile(fixture.objectKey);
    expect(await layer().elementPreview(after)).toMatchObject({ url: expect.any(String) });
  });

  it.each([
    ["a text file named as a PNG", () => Promise.resolve(Buffer.from("not an image at all"))],
    ["a truncated JPEG", async () => (await photo(800, 600)).subarray(0, 2000)],
    ["an SVG", () => Promise.resolve(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))],
    ["a 60000 × 60000 PNG bomb", pngBomb],
  ])("%s is refused once, recorded, and shown as the original", async (_label, bytes) => {
    const threadId = await newThread();
    const id = uid("e-");
    const rssBefore = process.memoryUsage().rss;
    const created = await layer().createElement({ id, threadId, type: "image", name: "x.png", mime: "image/png", content: await bytes() });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    const key = previewKeyOf(threadId, id, created.objectKey!);
    expect(created).toMatchObject({ previewRefused: key });
    expect(created.previewKey).toBeUndefined();
    expect(await exists(storage, key)).toBe(false);
    const read = (await layer().getElement(threadId, id))!;
    expect(read).toMatchObject({ previewUrl: null, url: expect.any(String) });
    expect(await layer().elementPreview(read)).toBeNull();
  });

  it("non-images get no preview and cost no work", async () => {
    const threadId = await newThread();
    const created = await layer().createElement({ id: uid("e-"), threadId, type: "file", name: "notes.txt", mime: "text/plain", content: "hello" });
    expect(created.previewKey).toBeUndefined();
    expect(created.previewRefused).toBeUndefined();
    expect(await layer().elementPreview(created)).toBeNull();
  });

  it("deleting the element, or its thread, deletes its preview (a Chainlit-written image's too)", async () => {
    const threadId = await newThread();
    const id = uid("e-");
    const created = await layer().createElement({ id, threadId, type: "image", name: "a.jpg", mime: "image/jpeg", content: await photo(600, 400) });
    expect(await exists(storage, created.previewKey!)).toBe(true);
    await layer().deleteElement(id, threadId);
    expect(await exists(storage, created.previewKey!)).toBe(false);

    const userId = `u-${uid()}`;
    const chainlitThreadId = uid("t-");
    const fixture = chainlitThread(userId, chainlitThreadId);
    await storage.uploadFile({ objectKey: fixture.objectKey, data: await photo(600, 400), mime: "image/jpeg" });
    for (const item of fixture.items) await table.putRaw(item === fixture.element ? { ...item, type: { S: "image" }, mime: { S: "image/jpeg" } } : item);
    await layer().elementPreview((await layer().getElement(chainlitThreadId, fixture.elementId))!);
    const key = previewKeyOf(chainlitThreadId, fixture.elementId, fixture.objectKey);
    expect(await exists(storage, key)).toBe(true);
    await layer().deleteThread(chainlitThreadId);
    expect(await exists(storage, key)).toBe(false);
    expect(await exists(storage, fixture.objectKey)).toBe(false);
  });

  it("a recorded previewKey other than the one derived from the item's own file is never signed", async () => {
    const threadId = await newThread();
    const victim = await layer().createElement({ id: uid("e-"), threadId: await newThread(), type: "image", name: "v.jpg", mime: "image/jpeg", content: await photo(600, 400) });
    const id = uid("e-");
    const created = await layer().createElement({ id, threadId, type: "image", name: "m.jpg", mime: "image/jpeg", content: await photo(600, 400) });
    // A writer of the shared table points this element's record at another element's preview.
    const raw = (await table.raw(`THREAD#${threadId}`, `ELEMENT#${id}`))!;
    await table.putRaw({ ...raw, previewKey: { S: victim.previewKey! }, previewUrl: { S: "https://evil.example/x.webp" }, previewUrlExpiresAt: { S: "2999-01-01T00:00:00Z" } });
    const read = (await layer().getElement(threadId, id))!;
    expect(read.previewUrl).toBeNull();
    // Asked for, it is made again under its own key, never the recorded one.
    const link = await layer().elementPreview(read);
    expect(link!.url).toContain(previewKeyOf(threadId, id, created.objectKey!).split("/").pop());
    expect(link!.url).not.toContain(victim.previewKey!.split("/").pop());
  });

  it("a preview made while its element is deleted is not left behind", async () => {
    const threadId = await newThread();
    const id = uid("e-");
    const created = await layer().createElement({ id, threadId, type: "file", name: "b.jpg", mime: "image/jpeg", content: await photo(600, 400) });
    const element: Element = { ...created, previewKey: null, previewRefused: null };
    await storage.deleteFile(created.previewKey!);
    // The item goes (its file stays, as another writer might leave it) before the preview's record is written.
    await table.deleteRaw(`THREAD#${threadId}`, `ELEMENT#${id}`);
    await expect(layer().elementPreview(element)).rejects.toMatchObject({ code: "not_found" });
    expect(await exists(storage, created.previewKey!)).toBe(false);
  });

  it("a chart (few colours, lossless source) gets a lossless preview, its flat colours exact; photos stay lossy", async () => {
    const threadId = await newThread();
    const source = await chart();
    const made = await layer().createElement({ id: uid("e-"), threadId, type: "image", name: "chart.png", mime: "image/png", content: source });
    const preview = await fetchBytes((await layer().getElement(threadId, made.id))!.previewUrl!);
    expect(webpKind(preview)).toBe("VP8L");
    // Lossy WebP at quality 75 moved these pixels by up to 72 levels (speckle on the flat blue).
    const [shown, original] = await Promise.all([sharp(preview).raw().toBuffer(), sharp(source).raw().toBuffer()]);
    expect(shown.equals(original)).toBe(true);
    expect(preview.byteLength).toBeLessThan(2048);
    // Saved with 16 bits a channel (some tools do), it is the same chart.
    const deep = await layer().createElement({ id: uid("e-"), threadId, type: "image", name: "chart16.png", mime: "image/png", content: await sharp(source).toColourspace("rgb16").png().toBuffer() });
    expect(webpKind(await fetchBytes((await layer().getElement(threadId, deep.id))!.previewUrl!))).toBe("VP8L");

    const jpeg = await layer().createElement({ id: uid("e-"), threadId, type: "image", name: "a.jpg", mime: "image/jpeg", content: await photo(1200, 900) });
    // A photo saved as PNG: many colours, so lossy too (lossless would be several times larger).
    const png = await layer().createElement({ id: uid("e-"), threadId, type: "image", name: "b.png", mime: "image/png", content: await sharp(await photo(1200, 900)).png().toBuffer() });
    for (const element of [jpeg, png]) {
      const bytes = await fetchBytes((await layer().getElement(threadId, element.id))!.previewUrl!);
      expect(webpKind(bytes)).toBe("VP8 ");
    }
  });

  it("a preview made with earlier settings is not signed: the first ask makes it anew and deletes the old one; deletes find old ones", async () => {
    const threadId = await newThread();
    const id = uid("e-");
    const created = await layer().createElement({ id, threadId, type: "image", name: "chart.png", mime: "image/png", content: await chart() });
    const current = created.previewKey!;
    // As version 1 left it: its key recorded, its file stored, nothing under the current key.
    const old = previewKeyOf(threadId, id, created.objectKey!, 1);
    expect(old).not.toBe(current);
    await storage.uploadFile({ objectKey: old, data: await fetchBytes((await layer().getElement(threadId, id))!.previewUrl!), mime: "image/webp" });
    await storage.deleteFile(current);
    const raw = (await table.raw(`THREAD#${threadId}`, `ELEMENT#${id}`))!;
    await table.putRaw({ ...raw, previewKey: { S: old } });
    const read = (await layer().getElement(threadId, id))!;
    expect(read.previewUrl).toBeNull();
    const link = await layer().elementPreview(read);
    expect(link!.url).toContain(current.split("/").pop());
    expect(await table.plain(`THREAD#${threadId}`, `ELEMENT#${id}`)).toMatchObject({ previewKey: current });
    expect(await exists(storage, old)).toBe(false);

    // One never replaced (its element not viewed since) still goes with its element.
    await storage.uploadFile({ objectKey: old, data: Buffer.from("old"), mime: "image/webp" });
    await layer().deleteElement(id, threadId);
    expect([await exists(storage, old), await exists(storage, current)]).toEqual([false, false]);
  });

  /** An image Chainlit wrote (no preview yet), in a thread of its own. */
  async function chainlitImage(bytes: Buffer) {
    const threadId = uid("t-");
    const fixture = chainlitThread(`u-${uid()}`, threadId);
    await storage.uploadFile({ objectKey: fixture.objectKey, data: bytes, mime: "image/jpeg" });
    for (const item of fixture.items) await table.putRaw(item === fixture.element ? { ...item, type: { S: "image" }, mime: { S: "image/jpeg" } } : item);
    return { threadId, id: fixture.elementId, key: previewKeyOf(threadId, fixture.elementId, fixture.objectKey), read: async () => (await layer().getElement(threadId, fixture.elementId))! };
  }

  it("a making that ran out of time is not refused: it waits out a back-off (no work meanwhile), then is made", async () => {
    const image = await chainlitImage(await photo(600, 400));
    // sharp's own error when `.timeout()` stops a pipeline, from the first pipeline the making runs.
    const toBuffer = vi.spyOn(sharp.prototype, "toBuffer").mockRejectedValueOnce(new Error("timeout: 37% complete"));
    try {
      const started = Date.now();
      expect(await layer().elementPreview(await image.read())).toBeNull();
      const item = (await table.plain(`THREAD#${image.threadId}`, `ELEMENT#${image.id}`))!;
      expect(item.previewRefused).toBeUndefined();
      expect(item.previewKey).toBeUndefined();
      const [key, retryAt, timeouts] = String(item.previewRetry).split(" ");
      expect([key, timeouts]).toEqual([image.key, "1"]);
      expect(Number(retryAt)).toBeGreaterThanOrEqual(started + PREVIEW_RETRY.firstMs);
      expect((await image.read()).previewRefused ?? null).toBeNull();
      // Until then a view costs no making: sharp is not run again.
      const calls = toBuffer.mock.calls.length;
      expect(await layer().elementPreview(await image.read())).toBeNull();
      expect(toBuffer.mock.calls.length).toBe(calls);
    } finally {
      toBuffer.mockRestore();
    }
    // The back-off over (as a minute later), the next view makes it.
    const raw = (await table.raw(`THREAD#${image.threadId}`, `ELEMENT#${image.id}`))!;
    await table.putRaw({ ...raw, previewRetry: { S: `${image.key} ${Date.now() - 1} 1` } });
    expect(await layer().elementPreview(await image.read())).toMatchObject({ url: expect.any(String) });
    expect(await exists(storage, image.key)).toBe(true);
  });

  it("asks past the process's queue are turned away unrecorded, and a later ask makes theirs", async () => {
    const images = await Promise.all(Array.from({ length: 4 }, async () => chainlitImage(await photo(600, 400))));
    const elements = await Promise.all(images.map((image) => image.read()));
    const waiting = PREVIEW_QUEUE.waiting;
    PREVIEW_QUEUE.waiting = 1;
    let links;
    try {
      // Two are made at once and one waits: the fourth finds the queue full.
      links = await Promise.all(elements.map((element) => layer().elementPreview(element)));
    } finally {
      PREVIEW_QUEUE.waiting = waiting;
    }
    expect(links.filter((link) => link === null)).toHaveLength(1);
    const turnedAway = images[links.indexOf(null)]!;
    const item = (await table.plain(`THREAD#${turnedAway.threadId}`, `ELEMENT#${turnedAway.id}`))!;
    expect([item.previewRefused, item.previewRetry, item.previewKey]).toEqual([undefined, undefined, undefined]);
    expect(await layer().elementPreview(await turnedAway.read())).toMatchObject({ url: expect.any(String) });
  });
});
