/**
 * One writer of a thread's turns at a time. Sending a message (continue-thread.ts), regenerating a reply and editing a
 * question (replace-turns.ts) each write a question and stream a reply into the thread; two of them at once (a double
 * click, two tabs, a send beside an edit) would interleave their turns, or one would delete what the other is writing.
 * So each holds the thread's claim from its gate to its last write, and a second request meanwhile gets CONFLICT before
 * it writes anything (docs/security.md, "One writer at a time").
 *
 * The claim is a lease in the table (rate-counters.ts, takeLease), taken beside the gate's read (trpc.ts: no round trip
 * of its own). Its holder gives it back when the request ends, refused, answered or left by the client (holdingClaim
 * below); a server that dies holding it frees it CLAIM_WINDOW_MS after it was last taken, and a reply streaming for
 * longer than that keeps it by renewing it every CLAIM_RENEW_MS. It was a rate counter: its window opened at the
 * first hit and stayed, so a claim taken near that window's end protected for only what was left of it, and a refused
 * request's take-back could land before its own hit and leave the thread claimed for five minutes.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { getLogger, type DynamoDBDataLayer } from "@/data";

const log = getLogger("API");

export const THREAD_CLAIMED = "This thread is busy: a reply is being written, regenerated or replaced by an edit; try again once it has ended.";

export const CLAIM_WINDOW_MS = 5 * 60_000;
/** Well inside the window: a renewal delayed by a slow table still lands before the lease runs out. */
export const CLAIM_RENEW_MS = 2 * 60_000;
// The name it has had since it was a rewrite's alone: a claim taken by an instance still running the code before sends
// took it is the same item.
const claimName = (userIdentifier: string, threadId: string) => `rewrite\n${userIdentifier}\n${threadId}`;

/** A claim this request holds (its holder token), or null when another request holds the thread. */
export type ThreadClaim = string | null;

export async function claimThread(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, now = Date.now()): Promise<ThreadClaim> {
  const holder = randomUUID();
  return (await data.takeLease(claimName(userIdentifier, threadId), holder, CLAIM_WINDOW_MS, now)) ? holder : null;
}

/** Runs a held claim's time again from `now`; false (and nothing changed) once another request has taken it over. */
export function renewThreadClaim(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, claim: string, now = Date.now()): Promise<boolean> {
  return data.renewLease(claimName(userIdentifier, threadId), claim, CLAIM_WINDOW_MS, now);
}

/**
 * Whether a request holds the thread now (its lease has not run out). A reply being written holds it to its last write
 * and renews it while it streams, so an open run of this app's (RUN_UNDER_CLAIM) while nobody holds it was left by a
 * server that died mid-reply: nobody will end it (replace-turns.ts, openReplyState).
 */
export function threadClaimed(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, now = Date.now()): Promise<boolean> {
  return data.leaseHeld(claimName(userIdentifier, threadId), now);
}

/**
 * threadClaimed's opposite, asked when needed (thread-window.ts asks only about an open run of this app's). A failed
 * read says "held": the reply then shows as being written, and the view reads again, rather than the thread failing.
 */
export const claimFreeOf = (data: DynamoDBDataLayer, user: { identifier: string }, threadId: string) => () =>
  threadClaimed(data, user.identifier, threadId).then((held) => !held, () => false);

/**
 * What every run this app writes carries in its metadata (continue-thread.ts, runStepOf): it was written under the
 * thread's claim, and whoever writes it holds the claim until the run ends. A run without it (Chainlit's, or one of
 * this app's from before the mark) says nothing about who writes it.
 */
export const RUN_UNDER_CLAIM = "threadClaim";
export const isRunUnderClaim = (run: { metadata?: Record<string, unknown> | null } | undefined) => run?.metadata?.[RUN_UNDER_CLAIM] === true;

/** Gives a held claim back (nothing for null: a refused request holds nothing). Never fails: the lease runs out anyway. */
export function releaseThreadClaim(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, claim: ThreadClaim): Promise<void> {
  if (claim === null) return Promise.resolve();
  return data.returnLease(claimName(userIdentifier, threadId), claim).catch(() => undefined);
}

export function assertClaimed(claim: ThreadClaim): void {
  if (claim === null) throw new TRPCError({ code: "CONFLICT", message: THREAD_CLAIMED });
}

/**
 * Time and a repeating timer for a held claim's renewals: the system's, or one a test moves by hand (the window is
 * minutes long). `every` returns what stops the timer.
 */
export interface ClaimClock {
  now(): number;
  every(ms: number, tick: () => Promise<void>): () => void;
}

export const systemClaimClock: ClaimClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(() => void tick(), ms);
    // A timer must never keep a stopping server alive.
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * How long before its lease runs out (as last renewed) a reply stops writing when no renewal has landed since: the
 * clocks of two servers differ a little, and a write sent just before the end lands a moment after it.
 */
export const CLAIM_MARGIN_MS = 30_000;

/** A claim as the writer holding it sees it while its events run (holdingClaim). */
export interface HeldClaim {
  /** Aborted once the claim is lost: its writer must write nothing more. */
  readonly lost: AbortSignal;
  /** Whether the writer may still write; false (and `lost` aborted) once the claim is lost. Asked before each write. */
  holds(): boolean;
}

/** What a request that holds no claim sees (it is refused before it writes), and what callers outside a request see. */
export const NEVER_LOST: HeldClaim = { lost: new AbortController().signal, holds: () => true };

/**
 * Renews a held claim every CLAIM_RENEW_MS, and says when it is lost: a renewal that finds it taken over (its lease
 * ran out and another request took it: a Retry, a Regenerate, an edit, a send), or no renewal landing until
 * CLAIM_MARGIN_MS before the lease, as last renewed, runs out (a throttled table, a partition, a long pause: another
 * request may take it then). A renewal that fails is not retried sooner; two in a row stop the reply. Renewals go one
 * at a time: two in flight could land out of order and leave the lease shorter than the writer believes.
 */
function keepClaim(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, claim: string, takenAt: number, clock: ClaimClock): HeldClaim & { stop(): void } {
  const lost = new AbortController();
  let heldUntil = takenAt + CLAIM_WINDOW_MS;
  let renewing = false;
  // Said once: a reply stopped this way points at a table that could not be written for minutes.
  const lose = (why: string) => {
    if (lost.signal.aborted) return;
    log.warn("a reply lost its thread's claim and stops writing", { threadId, why });
    lost.abort();
  };
  const holds = () => {
    if (clock.now() >= heldUntil - CLAIM_MARGIN_MS) lose("no renewal landed in time");
    return !lost.signal.aborted;
  };
  const renew = async () => {
    if (renewing || !holds()) return;
    renewing = true;
    const at = clock.now();
    try {
      if (await renewThreadClaim(data, userIdentifier, threadId, claim, at)) heldUntil = at + CLAIM_WINDOW_MS;
      else lose("taken over");
    } catch {
      // The lease runs on as last renewed; holds() stops the writes before it runs out.
    } finally {
      renewing = false;
    }
  };
  const stopTimer = clock.every(CLAIM_RENEW_MS, renew);
  lost.signal.addEventListener("abort", stopTimer, { once: true });
  return { lost: lost.signal, holds, stop: stopTimer };
}

/**
 * A turn's events (send, regenerate, edit), then its claim on the thread given back however it ended: refused, failed,
 * answered, or left by the client. A generator's `finally` runs only once it has started, and a client that leaves
 * between the gate and the first event (a closed tab, a navigation) leaves it unstarted: the claim then held the thread
 * for five minutes. So the request's end gives it back too, and a turn whose client left before it began does nothing.
 * While the events run the claim is renewed, so a reply longer than the lease's window (a reply may stream for 30
 * minutes: REPLY_TIMEOUT_MS) keeps the thread to itself to its end; the events are handed the claim as held
 * (keepClaim), and stop writing once it is lost (docs/security.md, "A reply replaced under it").
 */
export function holdingClaim<T>(
  data: DynamoDBDataLayer,
  userIdentifier: string,
  threadId: string,
  claim: ThreadClaim,
  signal: AbortSignal | undefined,
  events: (held: HeldClaim) => AsyncGenerator<T>,
  clock: ClaimClock = systemClaimClock,
): AsyncGenerator<T> {
  // The gate took the claim a moment ago (its one round trip before this call): the margin covers that moment.
  const takenAt = clock.now();
  let held = claim !== null;
  const release = async () => {
    if (!held) return;
    held = false;
    await releaseThreadClaim(data, userIdentifier, threadId, claim);
  };
  const leftBeforeStart = () => void release();
  if (signal?.aborted) leftBeforeStart();
  else signal?.addEventListener("abort", leftBeforeStart, { once: true });
  return (async function* () {
    signal?.removeEventListener("abort", leftBeforeStart);
    // The client left before anything was done, and its claim is given back: nothing is written.
    if (claim !== null && !held) return;
    const kept = claim === null ? undefined : keepClaim(data, userIdentifier, threadId, claim, takenAt, clock);
    try {
      yield* events(kept ?? NEVER_LOST);
    } finally {
      kept?.stop();
      await release();
    }
  })();
}
