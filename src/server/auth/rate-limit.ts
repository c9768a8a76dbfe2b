/**
 * Password sign-in limits that an attacker can neither dodge nor turn against the real user. Counts are failures (an
 * attempt counts as it starts and is taken back unless its password was wrong), kept in the table (rate-counters.ts) so every instance sees the same numbers; the address is the one Threadbook's server
 * took from the socket or the trusted proxy hops (server/http/client-address.ts), never a header a client rotates.
 *
 * - identifier + address: PAIR_LIMIT wrong passwords in a window, then that address waits for that identifier;
 * - address: ADDRESS_LIMIT wrong passwords for any identifiers (one address spraying many accounts);
 * - identifier: after BACKOFF_AFTER failures from anywhere, each further try from an address that has itself failed
 *   for this identifier waits an exponentially growing delay. An address with no failures for the identifier is never
 *   held back by it, so guessing from elsewhere cannot lock the real user out of their own correct password.
 */
import type { DynamoDBDataLayer, RateHit } from "@/data";

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

interface Hits {
  pair: RateHit;
  address: RateHit;
  identifier: RateHit;
}

/** Decides on an attempt whose hit is already counted in `hits` (so each count includes this attempt). */
function decide(hits: Hits, now: number): LimitDecision {
  const { pair, address, identifier } = hits;
  if (pair.count > SIGN_IN_LIMITS.pairLimit) return { allowed: false, retryAfterSeconds: secondsUntil(pair.windowEndsAt, now) };
  if (address.count > SIGN_IN_LIMITS.addressLimit) return { allowed: false, retryAfterSeconds: secondsUntil(address.windowEndsAt, now) };
  // Only an address that has itself tried this identifier in the window waits for the identifier's backoff.
  // No backoff below the threshold, whatever the times: a concurrent attempt's failure can be marked after this
  // attempt's clock was read, and must not refuse it.
  const backoff = identifierBackoffMs(identifier.count - 1);
  if (pair.count > 1 && backoff > 0) {
    const until = identifier.previousLastAt + backoff;
    if (until > now) return { allowed: false, retryAfterSeconds: secondsUntil(until, now) };
  }
  return { allowed: true };
}

export interface SignInLimiter {
  /**
   * Before the password is checked: the attempt is counted on all three counters at once and refused if that puts it
   * over a limit. Counting first is what makes the limits hold for attempts sent in parallel: each gets its own
   * number from the atomic ADD, where a read-then-check would let a burst through on the same old counts. A refused
   * attempt is taken back, so refusals never extend a lockout.
   */
  begin(): Promise<LimitDecision>;
  /** A wrong password: it stays counted, and the identifier's backoff runs from now. */
  fail(): Promise<void>;
  /** The right password: this address's and the identifier's failures are forgiven; the address's hit taken back. */
  succeed(): Promise<void>;
  /** The check itself failed (the table was unreachable): the hit is taken back, best effort. */
  abandon(): Promise<void>;
}

/** The limiter for one attempt. */
export function signInLimiter(data: DynamoDBDataLayer, identifier: string, address: string, now: () => number = Date.now): SignInLimiter {
  const names = counterNames(identifier, address);
  const all = [names.pair, names.address, names.identifier];
  const release = (list: string[]) => Promise.all(list.map((name) => data.releaseRateHit(name, now()))).then(() => undefined);
  return {
    async begin() {
      const at = now();
      const [pair, address, identifierHit] = await Promise.all([
        data.countRateHit(names.pair, SIGN_IN_LIMITS.windowMs, at),
        data.countRateHit(names.address, SIGN_IN_LIMITS.windowMs, at),
        data.countRateHit(names.identifier, SIGN_IN_LIMITS.identifierWindowMs, at),
      ]);
      const decision = decide({ pair, address, identifier: identifierHit }, at);
      if (!decision.allowed) await release(all);
      return decision;
    },
    async fail() {
      await data.markRateFailure(names.identifier, now());
    },
    async succeed() {
      await Promise.all([data.clearRateCounter(names.pair), data.clearRateCounter(names.identifier), release([names.address])]);
    },
    async abandon() {
      await release(all).catch(() => undefined);
    },
  };
}
