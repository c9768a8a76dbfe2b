/**
 * Sign-in attempts limited per identifier and per client address (a sliding window in this process).
 * One Next server per deployment is the embedded default; behind several, put the same limit at the proxy.
 */
export interface RateLimiter {
  /** Records an attempt; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number;
  reset(key: string): void;
}

export function createRateLimiter({ limit, windowMs }: { limit: number; windowMs: number }): RateLimiter {
  const attempts = new Map<string, number[]>();
  return {
    hit(key) {
      const now = Date.now();
      const recent = (attempts.get(key) ?? []).filter((t) => now - t < windowMs);
      recent.push(now);
      attempts.set(key, recent);
      if (attempts.size > 10_000) {
        for (const [k, times] of attempts) if (times.every((t) => now - t >= windowMs)) attempts.delete(k);
      }
      return recent.length > limit ? Math.ceil((recent[0]! + windowMs - now) / 1000) : 0;
    },
    reset(key) {
      attempts.delete(key);
    },
  };
}
