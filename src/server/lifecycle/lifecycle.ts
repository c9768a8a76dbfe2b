import { forgetProcessWide, processWide } from "@/data/process-wide";

/**
 * What the HTTP server (src/server/http/server.ts) and the app's routes share about the process's life: whether it is
 * draining for a shutdown, the signal that asks streaming replies to stop and keep what arrived, and the clients to
 * close last. One per process (src/data/process-wide.ts): the server entry and Next's compiled routes each have their
 * own copy of this module (the standalone entry is bundled apart from the routes).
 */
export interface Lifecycle {
  /** True from the first SIGTERM/SIGINT: readiness answers 503 so a load balancer sends nothing new. */
  draining: boolean;
  /** Aborted when the grace period is nearly over: streaming replies end as a cancel does, keeping what streamed. */
  readonly stopStreaming: AbortController;
  /** Run once every request has ended (or the grace period is over): the DynamoDB and storage clients. */
  readonly closers: Set<() => Promise<void> | void>;
}

export function lifecycle(): Lifecycle {
  return processWide<Lifecycle>("lifecycle", () => ({ draining: false, stopStreaming: new AbortController(), closers: new Set() }));
}

/** Back to a fresh process's state: for tests, which share one process between many "servers". */
export function resetLifecycle() {
  forgetProcessWide("lifecycle");
}
