/** RFC 9562 UUIDv5 (SHA-1, name-based): the same name always gives the same id, so a re-import finds what it wrote. */
import { createHash } from "node:crypto";

/** Threadbook's own namespace for imported ids; fixed forever, or every earlier import would duplicate on the next. */
export const IMPORT_NAMESPACE = "7d6f2c1e-5b9a-4f0e-8c3d-2a1b0e9f4c6d";

export function uuidV5(name: string, namespace: string = IMPORT_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A thread's id: the user is part of the name, so two users importing the same file get different threads and an
 * export can never name (and so write into) a thread of someone else.
 */
export const importedThreadId = (userId: string, format: string, sourceId: string) => uuidV5(`thread\n${userId}\n${format}\n${sourceId}`);
/** Steps and elements: derived from their thread's id, so they are as unique as it is. */
export const importedChildId = (threadId: string, kind: string, sourceId: string) => uuidV5(`${kind}\n${threadId}\n${sourceId}`);
