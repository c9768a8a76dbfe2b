/**
 * Rendered output kept between page views, per process, in compartments per user (the thread page's Markdown:
 * prerenderWindow in its read-thread.ts). An entry is found only under the user it was made for: the key is a digest of the user
 * id, the kind and the source text, so no view of one user ever reads what another user's view left, and the cache
 * holds no text in its keys. The values are what rendering the same text would give again (a pure function of it), so
 * a hit changes the time a view takes, never what it shows. Bounded by entries and by source characters (oldest
 * used goes first), so memory levels off under any load: a rendered Markdown tree holds about 140–150 bytes of heap
 * per source character (measured), so the default 256,000 characters are ≈ 36 MB at most.
 */
import { createHash } from "node:crypto";

export interface UserRenderCacheOptions {
  /** Entries kept at most, over all users. */
  maxEntries?: number;
  /** Source characters (the texts the entries were rendered from) kept at most, over all users. */
  maxChars?: number;
  /** A text longer than this is rendered every time and never kept (one entry must not evict the rest). */
  maxEntryChars?: number;
}

/** One user's compartment, as a view uses it. */
export interface RenderCompartment<V> {
  get(kind: string, text: string): V | undefined;
  set(kind: string, text: string, value: V): void;
}

export interface UserRenderCache<V> {
  forUser(userId: string): RenderCompartment<V>;
  /** Entries and source characters held (tests and the bench's memory question). */
  size(): { entries: number; chars: number };
}

export function createUserRenderCache<V>({ maxEntries = 2_000, maxChars = 256_000, maxEntryChars = 32_000 }: UserRenderCacheOptions = {}): UserRenderCache<V> {
  const entries = new Map<string, { value: V; chars: number }>();
  let chars = 0;
  // Length-prefixed fields: no user id, however it is spelled, can make its key run into another user's.
  const keyOf = (userId: string, kind: string, text: string) => createHash("sha256").update(`${userId.length}:${userId}\u0000${kind.length}:${kind}\u0000`).update(text).digest("base64url");
  const evict = () => {
    while (entries.size > maxEntries || chars > maxChars) {
      const [oldest, entry] = entries.entries().next().value!;
      entries.delete(oldest);
      chars -= entry.chars;
    }
  };
  return {
    forUser(userId) {
      return {
        get(kind, text) {
          if (text.length > maxEntryChars) return undefined;
          const key = keyOf(userId, kind, text);
          const entry = entries.get(key);
          if (!entry) return undefined;
          // Most recently used last: Map keeps insertion order, so eviction takes the least recently used first.
          entries.delete(key);
          entries.set(key, entry);
          return entry.value;
        },
        set(kind, text, value) {
          if (text.length > maxEntryChars) return;
          const key = keyOf(userId, kind, text);
          const previous = entries.get(key);
          if (previous) {
            entries.delete(key);
            chars -= previous.chars;
          }
          entries.set(key, { value, chars: text.length });
          chars += text.length;
          evict();
        },
      };
    },
    size: () => ({ entries: entries.size, chars }),
  };
}
