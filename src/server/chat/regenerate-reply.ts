/**
 * Regenerate: the newest reply of a thread is asked for again, with the history it had, and the new reply takes
 * its place. The old reply is everything the thread holds after its newest question, in reading order (the run,
 * its tool steps, answers and error steps, or, in a thread without runs, the answers and tools that follow the
 * question), plus the files attached to those steps. It is removed through the data layer's own deletes
 * (replace-turns.ts, shared with editing a message), so a thread Chainlit wrote is cleaned up exactly as Threadbook's
 * deletes clean up anything else (docs/security.md, "Regenerate"). Retry on a failed answer is a regenerate of its
 * error step, and a message sent again under an id the thread already holds is answered again the same way
 * (resendMessage): the question is stored and shown once, whatever failed the first time (docs/security.md, "Retry").
 */
import { TRPCError } from "@trpc/server";
import type { Step, StepOutline, ThreadOutline } from "@/data";
import { newestTurn } from "@/lib/shared/thread/build-step-tree";
import { continueThread, threadNameFrom, type ChatEvent, type ContinueInput, type ReplyDeps } from "./continue-thread";
import { editMessage } from "./edit-message";
import { assertNewestReplyEnded, goingWith, replaceAndAnswer, type Going } from "./replace-turns";
import { assertClaimed, type ThreadClaim } from "./thread-claim";
import { refusedError } from "../errors";

export const REPLY_NOT_FOUND = "Reply not found";
export const NOT_NEWEST_REPLY = "Only the newest reply of a thread can be regenerated.";
export const ALREADY_SENT = "This message is already in the thread.";

export interface ReplyToRegenerate extends Going {
  /** The question asked again, read whole. */
  question: Step;
}

/**
 * Decides from the outline the gate read whether `stepId` is the thread's newest reply, and what goes with it. A step
 * of no step of this thread is NOT_FOUND; anything but the last answer after the newest question (or the run of a
 * reply with no answer: replyTarget) is BAD_REQUEST (a failed answer's error step is that last answer: Retry asks again
 * here too); a reply still being written is CONFLICT (open-reply.ts).
 * Nothing is written here, so a refusal deletes nothing.
 */
export async function replyToRegenerate(outline: ThreadOutline, stepId: string, claim: ThreadClaim, nowMs = Date.now()): Promise<ReplyToRegenerate> {
  if (!outline.steps.some((s) => s.id === stepId)) throw new TRPCError({ code: "NOT_FOUND", message: REPLY_NOT_FOUND });
  const newest = newestTurn(outline.steps);
  if (!newest || replyTarget(newest)?.id !== stepId) throw new TRPCError({ code: "BAD_REQUEST", message: NOT_NEWEST_REPLY });
  return askedAgain(outline, newest, claim, nowMs);
}

/**
 * The step a regenerate names: the reply's last answer, or, for a reply that holds none (a run that failed, or was cut
 * off, before its first token), its run. The thread view offers Retry on the same step (thread-view.tsx, lastAnswer).
 */
function replyTarget(newest: NonNullable<ReturnType<typeof newestTurn<StepOutline>>>): StepOutline | null {
  return newest.answer ?? newest.reply.find((s) => s.type === "run") ?? null;
}

/** The newest turn's question, read whole, and its whole reply as what goes; CONFLICT while that reply is written. */
async function askedAgain(outline: ThreadOutline, newest: NonNullable<ReturnType<typeof newestTurn<StepOutline>>>, claim: ThreadClaim, nowMs: number): Promise<ReplyToRegenerate> {
  // The newest turn is in the gate's first page, read whole: usually no round trip.
  const [[question]] = await Promise.all([outline.fullSteps([newest.question.id]), assertNewestReplyEnded(outline, claim, nowMs)]);
  if (!question) throw new TRPCError({ code: "NOT_FOUND", message: REPLY_NOT_FOUND });
  return { question, ...goingWith(outline, newest.reply.map((s) => s.id)) };
}

/**
 * Regenerates the newest reply: checks it (replyToRegenerate), then removes it and answers the same question under a
 * new run (replaceAndAnswer), as a sent message is answered. Retry on a failed answer is this same request.
 */
export async function* regenerateReply(
  deps: ReplyDeps,
  input: { outline: ThreadOutline; stepId: string; claim: ThreadClaim },
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const { question, ...going } = await replyToRegenerate(input.outline, input.stepId, input.claim);
  // Checked after the reply itself: a reply already replaced is NOT_FOUND, one being replaced right now CONFLICT.
  assertClaimed(input.claim);
  yield* replaceAndAnswer(deps, { outline: input.outline, question, going }, signal);
}

/**
 * chat.send: a message the thread does not hold yet is continued (continueThread); one it already holds is sent again
 * (resendMessage), never stored a second time.
 */
export function sendMessage(deps: ReplyDeps, input: ContinueInput, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  return input.outline.steps.some((s) => s.id === input.messageId) ? resendMessage(deps, input, signal) : continueThread(deps, input, signal);
}

/**
 * A send of a message id the thread already holds. The composer sends a message again under its own id when the first
 * send failed before its reply started (composer.tsx), and that send may have reached the server and stored the
 * question (and part of a turn) before the connection went: the question is then kept once and its turn answered
 * again, as a regenerate does (what its reply left goes: a run left open, an error step, a stopped answer). Only the
 * newest question can be sent again (BAD_REQUEST otherwise, nothing written): an id naming an older step would
 * otherwise overwrite it, and the turns after it are another send's. With other text than the stored one (the draft
 * changed before the send again) it is an edit of that question (editMessage, its rules and its rename).
 */
export async function* resendMessage(deps: ReplyDeps, input: ContinueInput, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const { outline, messageId, content, claim } = input;
  const newest = newestTurn(outline.steps);
  // Said as a refusal the composer knows (message-already-sent): the message is in the thread, so the box lets it go
  // rather than keep offering the same id, refused each time.
  if (newest?.question.id !== messageId) throw refusedError("BAD_REQUEST", ALREADY_SENT, { code: "message-already-sent" });
  const { question, ...going } = await askedAgain(outline, newest, claim, Date.now());
  if ((question.output ?? "") !== content) {
    yield* editMessage(deps, { outline, stepId: messageId, content, claim }, signal);
    return;
  }
  assertClaimed(claim);
  // A first send whose name write never landed leaves the thread unnamed: named now, as that send would have.
  const files = outline.elements.filter((e) => e.forId === messageId);
  const rename = outline.thread.name ? undefined : threadNameFrom(content, files);
  yield* replaceAndAnswer(deps, { outline, question, going, rename }, signal);
}
