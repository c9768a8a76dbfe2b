/**
 * Asking the server again later, bounded: a few tries at set delays, none while the tab is hidden (nobody is looking,
 * and a background tab's timers are throttled anyway). For answers that mean "not now" rather than "never": an image
 * preview the server had no room to make (use-element-preview.ts), a thread another tab is still writing
 * (busy-thread.ts).
 */

/** Resolves after `ms`, and after that only once the tab is shown; false when `signal` aborted meanwhile. */
export function waitShown(ms: number, signal?: AbortSignal, doc: Pick<Document, "visibilityState" | "addEventListener" | "removeEventListener"> | undefined = globalThis.document): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      doc?.removeEventListener("visibilitychange", shown);
      resolve(value);
    };
    const aborted = () => done(false);
    const shown = () => {
      if (doc?.visibilityState !== "hidden") done(true);
    };
    const timer = setTimeout(() => {
      if (doc?.visibilityState === "hidden") doc.addEventListener("visibilitychange", shown);
      else done(true);
    }, ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}

export type Wait = (ms: number, signal?: AbortSignal) => Promise<boolean>;

/**
 * Calls `attempt` at once, then again after each of `delays` (waitShown), until it answers something other than null.
 * Null once the tries are spent or `signal` aborted; a thrown error ends the tries and is thrown.
 */
export async function retryLater<T>(attempt: () => Promise<T | null>, delays: readonly number[], options: { signal?: AbortSignal; wait?: Wait } = {}): Promise<T | null> {
  const wait = options.wait ?? waitShown;
  for (let i = 0; ; i++) {
    if (options.signal?.aborted) return null;
    const answer = await attempt();
    if (answer !== null) return answer;
    if (i >= delays.length || !(await wait(delays[i]!, options.signal))) return null;
  }
}
