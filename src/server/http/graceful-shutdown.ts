/**
 * SIGTERM/SIGINT without losing a reply (docs/deploy.md, "Stopping"): the server stops accepting connections and
 * readiness turns 503 at once; open requests run on; when the grace period is nearly over, streaming replies are asked
 * to stop (they end as a cancel does and keep what streamed, chat/continue-thread.ts); once every request has ended,
 * or the grace period is over, the clients are closed and the process exits.
 */
import type { Server, ServerResponse } from "node:http";
import type { Logger } from "@/data/logger";
import { lifecycle } from "../lifecycle/lifecycle";

/** Time kept at the end of the grace period for stopped replies to be written: 5 s, or half of a short period. */
export const streamingStopAfterMs = (graceMs: number) => graceMs - Math.min(5_000, graceMs / 2);

export interface GracefulShutdown {
  /** Counts a request until its response has ended or its connection closed. */
  track(res: ServerResponse): void;
  shutdown(signal: string): Promise<void>;
}

export function gracefulShutdown(server: Server, options: { graceMs: number; log: Logger; exit?: (code: number) => void }): GracefulShutdown {
  const { graceMs, log, exit = (code) => process.exit(code) } = options;
  const open = new Set<ServerResponse>();
  let idle: (() => void) | null = null;
  let started = false;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

  return {
    track(res) {
      open.add(res);
      // A request that arrives on a kept-alive connection while draining is served, and its connection then closed.
      if (lifecycle().draining) res.setHeader("connection", "close");
      res.once("close", () => {
        open.delete(res);
        if (open.size === 0) idle?.();
      });
    },

    async shutdown(signal) {
      if (started) return;
      started = true;
      const state = lifecycle();
      state.draining = true;
      const deadline = Date.now() + graceMs;
      log.info("shutting down", { signal, openRequests: open.size, graceSeconds: graceMs / 1000 });
      server.close();
      server.closeIdleConnections();
      const stopStreaming = setTimeout(() => {
        if (open.size > 0) log.info("grace period nearly over: stopping streaming replies", { openRequests: open.size });
        state.stopStreaming.abort();
      }, streamingStopAfterMs(graceMs));
      const drained = open.size === 0 || (await Promise.race([new Promise<true>((resolve) => (idle = () => resolve(true))), sleep(graceMs).then(() => false)]));
      clearTimeout(stopStreaming);
      if (!drained) log.warn("grace period over: closing the requests still open", { openRequests: open.size });
      server.closeAllConnections();
      const closing = Promise.allSettled([...state.closers].map(async (close) => close()));
      await Promise.race([closing, sleep(deadline - Date.now())]);
      log.info("stopped");
      exit(0);
    },
  };
}
