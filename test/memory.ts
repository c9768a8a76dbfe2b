/**
 * Peak memory growth while some work runs, for tests that must show a request or an upload stays bounded.
 *
 * V8 frees buffers whenever it next collects, which can be tens of MB later. To measure what the work *retains* rather
 * than when V8 gets round to it, each sample first forces a collection: `gc` is exposed at runtime since the test
 * runner's flags aren't ours.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

export const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Peak growth above the starting point, sampled every 10 ms while `work` runs: RSS, and the JS heap plus Buffers, which
 * is the sharper measure once an earlier test in this process has already grown RSS.
 */
export async function peakGrowth(work: () => Promise<unknown>): Promise<{ rss: number; live: number }> {
  const live = ({ heapUsed, arrayBuffers }: NodeJS.MemoryUsage) => heapUsed + arrayBuffers;
  collectGarbage();
  const start = process.memoryUsage();
  const peak = { rss: 0, live: 0 };
  const sample = () => {
    collectGarbage();
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss - start.rss);
    peak.live = Math.max(peak.live, live(now) - live(start));
  };
  const timer = setInterval(sample, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  return peak;
}
