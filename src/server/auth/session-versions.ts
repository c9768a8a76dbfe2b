/**
 * Each user's current session version, read from their AUTH item at most once per TTL per instance: one DynamoDB
 * read per active user per TTL, never one per request. Concurrent requests for one user share a read in flight,
 * and a failed read is not cached (the next request asks again).
 */
export interface SessionVersions {
  /** True when `version` (a token's `sv` claim, anything at all) is the user's current session version. */
  isCurrent(identifier: string, version: unknown): Promise<boolean>;
  /** Forgets the cached version, so this instance sees a revocation it just made at once. */
  forget(identifier: string): void;
}

export interface SessionVersionsOptions {
  ttlMs: number;
  /** Where "now" comes from (tests pass a clock they move instead of sleeping). */
  now?: () => number;
  /** Bounds the memory one instance spends on this (oldest entries go first). */
  maxEntries?: number;
}

export function createSessionVersions(
  read: (identifier: string) => Promise<string | null>,
  { ttlMs, now = Date.now, maxEntries = 10_000 }: SessionVersionsOptions,
): SessionVersions {
  const cache = new Map<string, { version: Promise<string | null>; expires: number }>();

  function current(identifier: string): Promise<string | null> {
    const hit = cache.get(identifier);
    if (hit && hit.expires > now()) return hit.version;
    cache.delete(identifier);
    const version = read(identifier);
    cache.set(identifier, { version, expires: now() + ttlMs });
    version.catch(() => {
      if (cache.get(identifier)?.version === version) cache.delete(identifier);
    });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return version;
  }

  return {
    async isCurrent(identifier, version) {
      if (typeof version !== "string" || version === "") return false;
      return (await current(identifier)) === version;
    },
    forget(identifier) {
      cache.delete(identifier);
    },
  };
}
