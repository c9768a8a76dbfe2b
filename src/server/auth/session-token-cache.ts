/**
 * Session tokens already decoded, by the exact headers they came in. Decoding a session cookie is a key derivation
 * (HKDF) and an authenticated decryption: 1–3 ms of CPU, a top cost per request in a profile of the server under 32
 * signed-in users (bench/HISTORY.md), while a browser sends the same cookie with every request. A hit needs the very
 * same header text that decoded before, so nothing that did not verify is ever served from here; only tokens that
 * decoded are kept, and each only until its `exp` (the decoder allowed a few seconds more). The session version is
 * still checked on every request (session-versions.ts): revocation is unchanged.
 */
import type { JWT } from "next-auth/jwt";

export interface SessionTokenCache {
  /** The cached token for `key` while unexpired, else `decode()`'s answer (kept when it is an unexpired token). */
  decode(key: string, decode: () => Promise<JWT | null>): Promise<JWT | null>;
}

export interface SessionTokenCacheOptions {
  /** Bounds the memory (oldest entries go first): one entry per browser seen recently. */
  maxEntries?: number;
  /** Milliseconds since the epoch (tests move a clock instead of sleeping). */
  now?: () => number;
}

const unexpired = (token: JWT | null | undefined, nowMs: number): token is JWT => typeof token?.exp === "number" && token.exp * 1000 > nowMs;

export function createSessionTokenCache({ maxEntries = 2_000, now = Date.now }: SessionTokenCacheOptions = {}): SessionTokenCache {
  const entries = new Map<string, JWT>();
  return {
    async decode(key, decode) {
      const hit = entries.get(key);
      if (unexpired(hit, now())) return hit;
      entries.delete(key);
      const token = await decode();
      if (unexpired(token, now())) {
        entries.set(key, Object.freeze(token));
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      return token;
    },
  };
}
