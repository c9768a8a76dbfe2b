/** Turning an UploadInput's data and progress callback into what the SDKs accept, identically for both backends. */
import { Readable } from "node:stream";
import type { UploadData, UploadInput } from "./storage-client";

export type PreparedData = { kind: "bytes"; bytes: Uint8Array } | { kind: "stream"; stream: Readable };

export function prepareData(data: UploadData): PreparedData {
  if (typeof data === "string") return { kind: "bytes", bytes: Buffer.from(data, "utf8") };
  if (data instanceof Uint8Array) return { kind: "bytes", bytes: data };
  // Old-style streams (NodeJS.ReadableStream without Readable's API) are wrapped, not drained into memory.
  return { kind: "stream", stream: data instanceof Readable ? data : new Readable().wrap(data) };
}

export const byteLength = (data: PreparedData): number | undefined => (data.kind === "bytes" ? data.bytes.byteLength : undefined);

/**
 * Both SDKs upload parts in parallel and can report them out of order; callers get a counter that only ever goes up.
 * `total` is known for bytes; for streams it is known only at the end, when `finish` reports the final count as the total.
 */
export function progressReporter(onProgress: UploadInput["onProgress"], total: number | undefined) {
  let loadedSoFar = -1;
  let totalSoFar: number | undefined;
  const emit = (loaded: number, knownTotal: number | undefined) => {
    loadedSoFar = loaded;
    totalSoFar = knownTotal;
    onProgress?.(loaded, knownTotal);
  };
  return {
    report(loaded: number) {
      if (loaded > loadedSoFar) emit(loaded, total);
    },
    /** After success: closes the series with (final, final) unless the last event already said exactly that. */
    finish(finalLoaded = total ?? Math.max(loadedSoFar, 0)) {
      if (finalLoaded > loadedSoFar || totalSoFar !== finalLoaded) emit(finalLoaded, finalLoaded);
    },
  };
}
