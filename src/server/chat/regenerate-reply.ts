/**
 * Regenerate: the newest reply of a thread is asked for again, with the history it had, and the new reply takes
 * its place. The old reply is everything the thread holds after its newest question, in reading order (the run,
 * its tool steps, answers and error steps, or, in a thread without runs, the answers and tools that follow the
 * question), plus the files attached to those steps. It is removed through the data layer's own deletes
 * (replace-turns.ts, shared with editing a message), so a thread Chainlit wrote is cleaned up exactly as Threadbook's
 * deletes clean up anything else (docs/security.md, "Regenerate").
 */
import { TRPCError } from "@trpc/server";
import type { Step, ThreadOutline } from "@/data";
import { newestTurn } from "@/lib/shared/build-step-tree";
import type { ChatEvent, ReplyDeps } from "./continue-thread";
import { assertNewestReplyEnded, goingWith, replaceAndAnswer, type Going } from "./replace-turns";
import { assertClaimed, type ThreadClaim } from "./thread-claim";

export const REPLY_NOT_FOUND = "Reply not found";
export const NOT_NEWEST_REPLY = "Only the newest reply of a thread can be regenerated.";

export interface ReplyToRegenerate extends Going {
  /** The question asked again, read whole. */
  question: Step;
}

/**
 * Decides from the outline the gate read whether `stepId` is the thread's newest reply, and what goes with it. A step
 * of no step of this thread is NOT_FOUND; anything but the last answer after the newest question is BAD_REQUEST; a
 * reply still streaming is CONFLICT. Nothing is written here, so a refusal deletes nothing.
 */
export async function replyToRegenerate(outline: ThreadOutline, stepId: string, nowMs = Date.now()): Promise<ReplyToRegenerate> {
  if (!outline.steps.some((s) => s.id === stepId)) throw new TRPCError({ code: "NOT_FOUND", message: REPLY_NOT_FOUND });
  const newest = newestTurn(outline.steps);
  if (!newest || newest.answer?.id !== stepId) throw new TRPCError({ code: "BAD_REQUEST", message: NOT_NEWEST_REPLY });
  // The newest turn is in the gate's first page, read whole: usually no round trip.
  const [[question]] = await Promise.all([outline.fullSteps([newest.question.id]), assertNewestReplyEnded(outline, nowMs)]);
  if (!question) throw new TRPCError({ code: "NOT_FOUND", message: REPLY_NOT_FOUND });
  return { question, ...goingWith(outline, newest.reply.map((s) => s.id)) };
}

/**
 * Regenerates the newest reply: checks it (replyToRegenerate), then removes it and answers the same question under a
 * new run (replaceAndAnswer), as a sent message is answered.
 */
export async function* regenerateReply(
  deps: ReplyDeps,
  input: { outline: ThreadOutline; stepId: string; claim: ThreadClaim },
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const { question, ...going } = await replyToRegenerate(input.outline, input.stepId);
  // Checked after the reply itself: a reply already replaced is NOT_FOUND, one being replaced right now CONFLICT.
  assertClaimed(input.claim);
  yield* replaceAndAnswer(deps, { outline: input.outline, question, going }, signal);
}
