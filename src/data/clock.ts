/**
 * Where every timestamp Threadbook writes comes from (steps, threads, elements, feedback markers, users).
 *
 * Microseconds, as Chainlit writes its steps, and strictly increasing within the process: each value is
 * max(now in µs, previous + 1 µs). The system clock only has milliseconds, so the last three digits count the
 * writes made within one millisecond; two steps written back to back therefore never share a timestamp, and
 * sorting by time is sorting by write order. If the system clock steps back, values keep increasing from the last
 * one until the clock has caught up. Across processes (two app instances, or Chainlit) only the clocks order writes.
 */
import { processWide } from "./process-wide";
import { isoFromMicros } from "./timestamps";

/** Returns a new timestamp on every call, each later than the one before. */
export type Clock = () => string;

/** A clock over `source` (milliseconds since the epoch, e.g. a seed's past dates); its own sequence. */
export function createClock(source: () => number = () => Date.now()): Clock {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Math.floor(source() * 1000);
    if (!Number.isFinite(now)) throw new RangeError("clock: the time source returned an invalid time");
    last = Math.max(now, last + 1);
    return isoFromMicros(last);
  };
}

/**
 * The process's clock: one sequence shared by every layer and the chat, so no two of its writes tie. One per process
 * (process-wide.ts), not per copy of this module: in a built server the data layer runs the startup hook's copy and
 * the chat the routes' one, and two sequences gave a step the chat wrote and an item the layer wrote the same time.
 */
export const utcNow: Clock = processWide("clock", () => createClock());
