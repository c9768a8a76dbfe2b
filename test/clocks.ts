/**
 * Clocks for tests that order writes by time: each call is one second after the last, so every item written gets a
 * time of its own and the order of writes is the order of times.
 */

/** For a layer's `clock` option: Threadbook's time, from `start` (ISO, or epoch milliseconds). */
export function tickingClock(start: string | number = "2026-03-01T00:00:00.000Z"): () => Date {
  let now = typeof start === "number" ? start : Date.parse(start);
  return () => new Date((now += 1000));
}

/** Chainlit's "now" as it writes it: microseconds, labelled Z; from `start` (ISO, or epoch milliseconds). */
export function chainlitClock(start: string | number = "2026-06-01T00:00:00.000Z"): () => string {
  const next = tickingClock(start);
  return () => next().toISOString().replace("Z", "123Z");
}
