/**
 * A 50 MB upload from a generated stream: it must stream (memory bounded by the part/block buffers, not the file size),
 * arrive intact, and report progress that only grows, up to the total. Its own file so no other test shares this
 * worker's memory while it is measured.
 */
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { describe, expect, it } from "vitest";
import { MiB, peakGrowth } from "../../../test/memory";
import { elementObjectKey } from "./object-key";
import { BACKENDS, freshStorage, generatedStream } from "../../../test/storage-backends";

const TOTAL = 50 * 1024 * 1024;
/** Well under the file size: what the part/block buffers may hold (S3 ≈ 2 parts in flight + 1 filling, ~22 MiB measured). */
const MAX_GROWTH = 40 * 1024 * 1024;

/** Passes chunks through while hashing them, so the digest of what was sent needs no copy of it. */
function hashing(hash: ReturnType<typeof createHash>) {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

describe.each(BACKENDS)("%s: 50 MB streamed upload", (backend) => {
  it("keeps memory bounded, reports monotonic progress to the total, and round-trips intact", async () => {
    const storage = await freshStorage(backend);
    const objectKey = elementObjectKey("thread-big", backend, "big.bin");
    const sent = createHash("sha256");
    const events: [number, number | undefined][] = [];

    const growth = await peakGrowth(() =>
      storage.uploadFile({
        objectKey,
        data: generatedStream(TOTAL).pipe(hashing(sent)),
        mime: "application/octet-stream",
        fileName: "big.bin",
        onProgress: (loaded, total) => events.push([loaded, total]),
      }),
    );
    expect(growth.rss, `peak RSS growth ${MiB(growth.rss)}`).toBeLessThan(MAX_GROWTH);
    expect(growth.live, `peak heap + Buffer growth ${MiB(growth.live)}`).toBeLessThan(MAX_GROWTH);

    const loaded = events.map(([n]) => n);
    expect(loaded.length).toBeGreaterThan(5);
    expect(loaded.every((n, i) => i === 0 || n >= loaded[i - 1]!)).toBe(true);
    expect(events.at(-1)).toEqual([TOTAL, TOTAL]);

    const response = await fetch((await storage.getReadUrl(objectKey)).url);
    expect(Number(response.headers.get("content-length"))).toBe(TOTAL);
    const received = createHash("sha256");
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) received.update(read.value);
    expect(received.digest("hex")).toBe(sent.digest("hex"));

    await storage.deleteFile(objectKey);
    await storage.close();
  });
});
