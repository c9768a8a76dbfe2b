/**
 * Whether a thread's newest reply is still being written or was cut off: a reply left open (its run has no end, or its
 * answer is still marked streaming) by a server that died mid-reply is never ended by anyone. Rewriting a thread
 * (replace-turns.ts) refuses while it is written and replaces it once cut off; the thread's window tells the view
 * which (thread-window.ts), so a cut-off reply offers Retry rather than looking written forever.
 */
import { timestampMicros, type Step, type StepOutline } from "@/data";
import { REPLY_TIMEOUT_MS } from "../assistant/openai-assistant";
import { isRunUnderClaim } from "./thread-claim";

/**
 * How long an open reply no claim speaks for (a Chainlit app's, or one this app wrote before it marked its runs) counts
 * as being written: longer than any reply may stream (REPLY_TIMEOUT_MS, and a minute for the writes). A server that
 * died mid-reply leaves its run open forever, and that reply must still be replaceable.
 */
export const IN_FLIGHT_MAX_MS = REPLY_TIMEOUT_MS + 60_000;

/**
 * An open newest reply (its run has no end, or its answer is still marked streaming): `writing` while someone may still
 * be writing it, `cut-off` once nobody will (null: the reply has ended, or there is none).
 */
export type OpenReply = "writing" | "cut-off";

/**
 * How the newest reply stands. One of this app's runs (RUN_UNDER_CLAIM) is written under the thread's claim, which
 * its writer holds to the run's last write and renews while it streams: with the claim free (`claimFree`: nobody
 * else holds it; true for a request that holds it itself) its writer is gone, and the run is cut off at once, where
 * it used to count as written for 31 minutes. A run no claim speaks for (Chainlit's, which takes none) is written
 * until IN_FLIGHT_MAX_MS after its newest step. `claimFree` is asked only for an open run of this app's.
 */
export async function openReplyState(reply: readonly StepOutline[], full: ReadonlyMap<string, Step>, claimFree: () => Promise<boolean>, nowMs: number): Promise<OpenReply | null> {
  const open = reply.some((s) => {
    const step = full.get(s.id);
    return (s.type === "run" && !step?.end) || (s.type === "assistant_message" && step?.streaming === true);
  });
  if (!open) return null;
  const runs = reply.filter((s) => s.type === "run").map((s) => full.get(s.id));
  if (runs.length > 0 && runs.every(isRunUnderClaim)) return (await claimFree()) ? "cut-off" : "writing";
  // A loop, not Math.max(...): a reply may hold any number of steps, and a spread of that many arguments overflows.
  const latest = reply.reduce((max, s) => Math.max(max, timestampMicros(s.createdAt) ?? timestampMicros(s.start) ?? 0), 0);
  return nowMs * 1000 - latest < IN_FLIGHT_MAX_MS * 1000 ? "writing" : "cut-off";
}
