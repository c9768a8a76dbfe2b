/**
 * What drawing a thread's image thumbnails downloads (docs/long-threads.md, "Image previews"): N phone-sized photos
 * stored as the composer stores them (createElement, which makes each preview), the thread read as the page reads it,
 * then every thumbnail's link fetched from storage as the browser would: the original's (before previews) and the
 * preview's (now). Also the time storing an image takes with its preview, against storing the same bytes as a file,
 * and the preview of the demo's chart (the seed's PNG: a graphic, made lossless) and of a photo saved as PNG.
 * On the embedded stack (dynalite, s3rver). `npx tsx scripts/bench/previews.ts` (BENCH_PREVIEW_IMAGES, default 20).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { createDynamoClient, createStorageFromConfig, DynamoDBDataLayer, dynamoSettings, parseStorageConfig } from "../../src/data";
import { barChartPng } from "../png";
import { startStack } from "../stack";

const IMAGES = Math.max(1, Number(process.env.BENCH_PREVIEW_IMAGES ?? 20));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A 12 MP photo (4032 × 3024, as most phones take them) with detail at every scale, so neither it nor its preview
 * compresses to nothing as flat noise would: coarse colour noise blown up (what survives into the preview) under fine
 * grain (what makes the original weigh what a photo does, about 3-4 MB).
 */
async function photo(seed: number): Promise<Buffer> {
  const noise = (width: number, height: number, sigma: number) =>
    sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 110 + seed * 10, sigma } } });
  const coarse = await noise(270, 200, 60).png().toBuffer();
  const grain = await noise(4032, 3024, 25).png().toBuffer();
  return sharp(coarse).resize(4032, 3024, { kernel: "cubic" }).composite([{ input: grain, blend: "soft-light" }]).jpeg({ quality: 85 }).toBuffer();
}
/** Photos to store, made once: making one takes longer than storing it. */
const PHOTOS = 4;

async function downloaded(urls: Array<string | null | undefined>): Promise<number> {
  let total = 0;
  for (const url of urls) {
    if (!url) throw new Error("a thumbnail has no link");
    total += (await (await fetch(url)).arrayBuffer()).byteLength;
  }
  return total;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-bench-previews-"));
  const stack = await startStack({ ...process.env, THREADBOOK_DATA_DIR: dataDir, DYNAMODB_TABLE: "", S3_BUCKET: "", LOG_LEVEL: "warn" }, () => {});
  const client = createDynamoClient(dynamoSettings(stack.env));
  const storage = createStorageFromConfig(parseStorageConfig(stack.env));
  const data = new DynamoDBDataLayer({ tableName: stack.env.DYNAMODB_TABLE!, client, storageProvider: storage });
  try {
    const threadId = crypto.randomUUID();
    await data.updateThread(threadId, { userId: "bench-previews@example.com", name: "photos" });
    const withPreview: number[] = [];
    const asFile: number[] = [];
    const photos = await Promise.all(Array.from({ length: PHOTOS }, (_, seed) => photo(seed)));
    for (let i = 0; i < IMAGES; i++) {
      const bytes = photos[i % PHOTOS]!;
      let started = performance.now();
      await data.createElement({ id: crypto.randomUUID(), threadId, type: "image", name: `IMG_${i}.jpg`, mime: "image/jpeg", content: bytes });
      withPreview.push(performance.now() - started);
      // The same bytes stored as a plain file (no preview), deleted again: the upload's cost alone.
      const id = crypto.randomUUID();
      started = performance.now();
      await data.createElement({ id, threadId, type: "file", name: `IMG_${i}.bin`, mime: "application/octet-stream", content: bytes });
      asFile.push(performance.now() - started);
      await data.deleteElement(id, threadId);
    }
    // The seed's chart, as scripts/seed.ts stores it, and a photo saved as PNG at 2000 px (a screenshot of one, say:
    // the 12 MP one would pass the 32 MB read limit as a PNG).
    const others = { chart: barChartPng([182, 130, 202, 98]), photoPng: await sharp(photos[0]!).resize({ width: 2000 }).png().toBuffer() };
    const otherIds: Record<string, string> = {};
    for (const [name, content] of Object.entries(others)) {
      otherIds[name] = crypto.randomUUID();
      await data.createElement({ id: otherIds[name], threadId, type: "image", name: `${name}.png`, mime: "image/png", content });
    }
    const thread = (await data.getThread(threadId))!;
    const previewOf = async (name: string) => downloaded([thread.elements.find((element) => element.id === otherIds[name])?.previewUrl]);
    const [chartPreviewBytes, photoPngPreviewKB] = [await previewOf("chart"), Math.round((await previewOf("photoPng")) / 1024)];
    const images = thread.elements.filter((element) => element.type === "image" && !Object.values(otherIds).includes(element.id));
    const before = await downloaded(images.map((element) => element.url));
    const after = await downloaded(images.map((element) => element.previewUrl));
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;
    console.log(
      JSON.stringify({
        images: images.length,
        thumbnailsBeforeMB: mb(before),
        thumbnailsAfterMB: mb(after),
        meanOriginalKB: Math.round(before / images.length / 1024),
        meanPreviewKB: Math.round(after / images.length / 1024),
        storeWithPreviewMs: Math.round(median(withPreview)),
        storeAsFileMs: Math.round(median(asFile)),
        chartPreviewBytes,
        photoPngPreviewKB,
      }),
    );
  } finally {
    await data.close();
    client.destroy();
    await storage.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
