/**
 * When a thread was last written, from the stamps that are true UTC in both apps. Chainlit's own stamps on the THREAD
 * item (`createdAt`, `UserThreadSK`) come from its host's local clock with a `Z` appended (docs/chainlit.md,
 * "Timestamps"), so a Chainlit host east of UTC files a thread hours ahead and one west of it hours behind. Steps'
 * `createdAt` come from Chainlit's core clock (true UTC), and Threadbook writes true UTC everywhere, its THREAD
 * item's `updatedAt` included: those decide. A thread with none of them (a Chainlit thread with no step yet) falls
 * back on its THREAD item's `createdAt`, the only time it has.
 *
 * An imported thread keeps the file's times (its place in the list, its dates), so they would date it for a retention
 * period too, and a user with "Delete conversations older than…" on would lose what they just imported at the next
 * sweep. Its THREAD item's `importedAt` (true UTC, when the import wrote it) counts as a write instead: the period
 * runs from the import (docs/security.md, "Retention").
 */
import { type Item } from "../../dynamo/codec";
import { THREAD_SK } from "../../keys";
import { timestampMicros } from "../../timestamps";

/** When an import wrote the THREAD item (Threadbook's own attribute; Chainlit never reads it). */
export const IMPORTED_AT = "importedAt";

/** The attributes `newestTrueWrite` reads, for a partition read's projection. */
export const TRUE_ACTIVITY_ATTRIBUTES = ["createdAt", "updatedAt", IMPORTED_AT] as const;

/** Microseconds since the epoch of the thread's newest true-UTC write; null when the partition has no time at all. */
export function newestTrueWrite(items: readonly Item[]): number | null {
  let newest: number | null = null;
  for (const item of items) {
    const stamps = item.SK === THREAD_SK ? [item.updatedAt, item[IMPORTED_AT]] : [item.createdAt];
    for (const micros of stamps.map(timestampMicros)) if (micros !== null && (newest === null || micros > newest)) newest = micros;
  }
  return newest ?? timestampMicros(items.find((item) => item.SK === THREAD_SK)?.createdAt);
}
