/**
 * Instance work on a timer (resuming imports, ending expired shares): run now, then every `everyMs` for the life of
 * the process, never keeping it alive (unref). A failed run is passed to `onError` and tried again at the next tick.
 */
export function runPeriodically(everyMs: number, run: () => Promise<unknown>, onError: (error: unknown) => void): () => void {
  const tick = () => Promise.resolve().then(run).catch(onError);
  void tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
