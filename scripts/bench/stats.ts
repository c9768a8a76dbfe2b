/** Timing helpers for the benchmarks: nearest-rank percentiles, as the Python baseline computed them. */
export interface PhaseResult {
  phase: string;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  opsPerSec: number;
  requestsPerCall: number;
  /** The bench process's CPU (user + system) per DynamoDB request: the client's cost, DynamoDB runs elsewhere. */
  clientCpuMsPerRequest?: number;
  baseline?: { medianMs: number; p95Ms: number; opsPerSec: number; requestsPerCall: number };
}

/** Whole numbers, but one decimal below 100 per second, so a slow operation's rate (and a ratio of two) still reads. */
export const roundRate = (perSecond: number): number => (perSecond < 100 ? Math.round(perSecond * 10) / 10 : Math.round(perSecond));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(phase: string, latencies: number[], wallMs: number, requests: number): PhaseResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    phase,
    calls: latencies.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    opsPerSec: roundRate((latencies.length / wallMs) * 1000),
    requestsPerCall: round(requests / Math.max(1, latencies.length)),
  };
}

/** Runs `fn` for each i with at most `concurrency` in flight; returns each call's latency in ms and the wall time. */
export async function timeCalls(count: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies = new Array<number>(count);
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await fn(i);
      latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { latencies, wallMs: performance.now() - started };
}

/**
 * The Python layer's figures are the stored baseline from another day: shown beside ours as they were measured,
 * never divided into a ratio with figures from this run.
 */
export function formatTable(rows: PhaseResult[]): string {
  const header = ["operation", "calls", "p50 ms", "p95 ms", "p99 ms", "ops/s", "req/op", "client CPU ms/req", "stored Python p50 / ops/s / req"];
  const body = rows.map((r) => [
    r.phase,
    String(r.calls),
    r.p50Ms.toFixed(2),
    r.p95Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.opsPerSec),
    r.requestsPerCall.toFixed(2),
    r.clientCpuMsPerRequest === undefined ? "–" : r.clientCpuMsPerRequest.toFixed(3),
    r.baseline ? `${r.baseline.medianMs.toFixed(2)} / ${r.baseline.opsPerSec} / ${r.baseline.requestsPerCall}` : "–",
  ]);
  return markdownTable(header, body);
}

export function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...body.map(line)].join("\n");
}
