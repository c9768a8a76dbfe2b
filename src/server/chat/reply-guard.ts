/**
 * Whether a streaming reply may still write into its thread (docs/security.md, "A reply replaced under it"). A reply
 * writes under the thread's claim; one whose renewals could not land for minutes (a throttled table, a long pause, a
 * partition) loses it, the thread shows the reply as cut off, and a Retry, a Regenerate or an edit deletes it and
 * writes a new turn under a new claim. The old reply, still streaming, must then write nothing more: its later writes
 * would put the deleted answer back, or an error step under a run that is gone. Two rules, each enough where the other
 * is late: the claim as held (thread-claim.ts, HeldClaim: a renewal that found it taken over, or no renewal landed in
 * time) stops the reply before its next write; and the reply's updates of its own answer and run are written only
 * while the step exists (updateExistingStep), so a write already under way when the claim went finds the step deleted
 * and ends the reply too.
 */
import type { DynamoDBDataLayer, StepInput } from "@/data";
import { refusedError } from "../errors";
import type { HeldClaim } from "./thread-claim";

export const REPLY_REPLACED = "This reply was replaced elsewhere: the thread was taken over by another request (a retry, a regenerate or an edit) while it was being written.";

/** What ends a reply replaced under it: the client says so in the reader's language (refusal `reply-replaced`). */
export const replyReplaced = () => refusedError("CONFLICT", REPLY_REPLACED, { code: "reply-replaced" });

export class ReplyGuard {
  private readonly stepGone = new AbortController();
  /** Aborted once the reply is replaced: the model's request is called off with it. */
  readonly signal: AbortSignal;

  constructor(private readonly held: HeldClaim) {
    this.signal = AbortSignal.any([held.lost, this.stepGone.signal]);
  }

  /** Known replaced, without asking the clock again. */
  get replaced(): boolean {
    return this.signal.aborted;
  }

  /** Asked before each write: false once the claim is lost (holds() also asks the clock) or a step was found deleted. */
  mayWrite(): boolean {
    return this.held.holds() && !this.replaced;
  }

  /**
   * An update of one of the reply's own steps (its answer once created, its run): written only while the reply may
   * write and the step exists. False, with nothing written, when the reply was replaced.
   */
  async update(data: DynamoDBDataLayer, step: StepInput, options?: { owner?: string }): Promise<boolean> {
    if (!this.mayWrite()) return false;
    if (await data.updateExistingStep(step, options)) return true;
    this.stepGone.abort();
    return false;
  }
}
