/**
 * Password sign-in limits that an attacker can neither dodge nor turn against the real user. Counts are failures, kept
 * in the table (rate-counters.ts) so every instance sees the same numbers; the address is the one Threadbook's server
 * took from the socket or the trusted proxy hops (server/http/client-address.ts), never a header a client rotates.
 *
 * - identifier + address: PAIR_LIMIT wrong passwords in a window, then that address waits for that identifier;
 * - address: ADDRESS_LIMIT wrong passwords for any identifiers (one address spraying many accounts);
 * - identifier: after BACKOFF_AFTER failures from anywhere, each further try from an address that has itself failed
 *   for this identifier waits an exponentially growing delay. An address with no failures for the identifier is never
 *   held back by it, so guessing from elsewhere cannot lock the real user out of their own correct password.
 */
import type { DynamoDBDataLayer, RateCounter } from "@/data";

export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  pairLimit: 10,
  addressLimit: 30,
  identifierWindowMs: 60 * 60_000,
  backoffAfter: 10,
  backoffBaseMs: 30_000,
  backoffMaxMs: 15 * 60_000,
} as const;

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface CounterNames {
  pair: string;
  address: string;
  identifier: string;
}

/** Case-insensitive per identifier, so `Alice@…` and `alice@…` share one count (the names are digested in the table). */
function counterNames(identifier: string, address: string): CounterNames {
  const id = identifier.toLowerCase();
  return { pair: `pair\n${id}\n${address}`, address: `address\n${address}`, identifier: `identifier\n${id}` };
}

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

export function identifierBackoffMs(failures: number): number {
  const { backoffAfter, backoffBaseMs, backoffMaxMs } = SIGN_IN_LIMITS;
  if (failures < backoffAfter) return 0;
  return Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(30, failures - backoffAfter));
}

function decide(counters: Map<string, RateCounter>, names: CounterNames, now: number): LimitDecision {
  const pair = counters.get(names.pair);
  if (pair && pair.count >= SIGN_IN_LIMITS.pairLimit) return { allowed: false, retryAfterSeconds: secondsUntil(pair.windowEndsAt, now) };
  const address = counters.get(names.address);
  if (address && address.count >= SIGN_IN_LIMITS.addressLimit) return { allowed: false, retryAfterSeconds: secondsUntil(address.windowEndsAt, now) };
  const identifier = counters.get(names.identifier);
  if (pair && identifier) {
    const until = identifier.lastAt + identifierBackoffMs(identifier.count);
    if (until > now) return { allowed: false, retryAfterSeconds: secondsUntil(until, now) };
  }
  return { allowed: true };
}

export interface SignInLimiter {
  /** Before checking the password: one read of the three counters. */
  check(): Promise<LimitDecision>;
  /** A wrong password: counted on all three. */
  fail(): Promise<void>;
  /** The right password: this address's and the identifier's failures are forgiven. */
  succeed(): Promise<void>;
}

/** The limiter for one attempt. */
export function signInLimiter(data: DynamoDBDataLayer, identifier: string, address: string, now: () => number = Date.now): SignInLimiter {
  const names = counterNames(identifier, address);
  let seen = new Map<string, RateCounter>();
  return {
    async check() {
      seen = await data.getRateCounters([names.pair, names.address, names.identifier], now());
      return decide(seen, names, now());
    },
    async fail() {
      const at = now();
      await Promise.all([
        data.recordRateFailure(names.pair, SIGN_IN_LIMITS.windowMs, at),
        data.recordRateFailure(names.address, SIGN_IN_LIMITS.windowMs, at),
        data.recordRateFailure(names.identifier, SIGN_IN_LIMITS.identifierWindowMs, at),
      ]);
    },
    async succeed() {
      await Promise.all([names.pair, names.identifier].filter((name) => seen.has(name)).map((name) => data.clearRateCounter(name)));
    },
  };
}
