/**
 * Regenerate: the newest reply of a thread is asked for again, with the history it had, and the new reply takes
 * its place. The old reply is everything the thread holds after its newest question, in reading order (the run,
 * its tool steps, answers and error steps, or, in a thread without runs, the answers and tools that follow the
 * question), plus the files attached to those steps. It is removed through the data layer's own deletes
 * (deleteStep: feedback markers, search entries, parts; deleteElement: search entries, the item, its file), so a
 * thread Chainlit wrote is cleaned up exactly as Threadbook's deletes clean up anything else (docs/security.md,
 * "Regenerate").
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { mapLimited, timestampMicros, utcNow, type DynamoDBDataLayer, type Step, type StepOutline, type ThreadOutline } from "@/data";
import { newestTurn } from "@/lib/shared/build-step-tree";
import { REPLY_TIMEOUT_MS } from "../assistant/openai-assistant";
import { answerQuestion, runStepOf, type ChatEvent, type ReplyDeps } from "./continue-thread";

export const REPLY_NOT_FOUND = "Reply not found";
export const NOT_NEWEST_REPLY = "Only the newest reply of a thread can be regenerated.";
export const REPLY_IN_FLIGHT = "This reply is still being written; regenerate it once it has ended.";
export const REPLY_CLAIMED = "This reply is already being regenerated.";

/**
 * A reply whose run has no end (or an answer still marked streaming) is being written, by this app or a Chainlit
 * app, unless it started longer ago than any reply may stream (REPLY_TIMEOUT_MS, and a minute for the writes): a
 * server that died mid-reply leaves its run open forever, and that reply must still be replaceable.
 */
const IN_FLIGHT_MAX_MS = REPLY_TIMEOUT_MS + 60_000;
/** How long a claim on one reply holds: far longer than the old reply's delete takes, after which it is gone anyway. */
const CLAIM_WINDOW_MS = 5 * 60_000;

export interface ReplyToRegenerate {
  /** The question asked again, read whole. */
  question: Step;
  /** The old reply's steps and the files attached to them: what goes. */
  stepIds: string[];
  elementIds: string[];
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
  const { reply } = newest;
  const questionId = newest.question.id;
  // The newest turn is in the gate's first page, read whole: usually no round trip.
  const full = new Map((await outline.fullSteps([questionId, ...reply.map((s) => s.id)])).map((s) => [s.id, s]));
  const question = full.get(questionId);
  if (!question) throw new TRPCError({ code: "NOT_FOUND", message: REPLY_NOT_FOUND });
  if (stillWriting(reply, full, nowMs)) throw new TRPCError({ code: "CONFLICT", message: REPLY_IN_FLIGHT });
  const stepIds = reply.map((s) => s.id);
  const going = new Set(stepIds);
  const elementIds = outline.elements.filter((e) => e.forId != null && going.has(e.forId)).map((e) => e.id);
  return { question, stepIds, elementIds };
}

function stillWriting(reply: readonly StepOutline[], full: ReadonlyMap<string, Step>, nowMs: number): boolean {
  const open = reply.some((s) => {
    const step = full.get(s.id);
    return (s.type === "run" && !step?.end) || (s.type === "assistant_message" && step?.streaming === true);
  });
  if (!open) return false;
  // A loop, not Math.max(...): a reply may hold any number of steps, and a spread of that many arguments overflows.
  const latest = reply.reduce((max, s) => Math.max(max, timestampMicros(s.createdAt) ?? timestampMicros(s.start) ?? 0), 0);
  return nowMs * 1000 - latest < IN_FLIGHT_MAX_MS * 1000;
}

/** Deletes of the old reply in flight at once: nothing bounds how many steps and files a reply (Chainlit's) holds. */
const REMOVALS_IN_FLIGHT = 8;

/** The old reply's steps and files, each through the data layer's delete of its kind, a few at a time. */
function removeReply(data: DynamoDBDataLayer, threadId: string, reply: ReplyToRegenerate): Promise<unknown> {
  const removals = [...reply.stepIds.map((id) => () => data.deleteStep(id, threadId)), ...reply.elementIds.map((id) => () => data.deleteElement(id, threadId))];
  return mapLimited(removals, REMOVALS_IN_FLIGHT, (remove) => remove());
}

/**
 * Regenerates the newest reply: checks it (replyToRegenerate), then removes it, writes a new run under the same
 * question and moves the thread to the top, side by side and beside the model request, as a sent message's first
 * writes go; the reply streams and is kept exactly as a sent message's is (answerQuestion).
 */
export async function* regenerateReply(
  deps: ReplyDeps,
  input: { outline: ThreadOutline; stepId: string; claimed: boolean },
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const { data } = deps;
  const { outline } = input;
  const { thread } = outline;
  const reply = await replyToRegenerate(outline, input.stepId);
  // Checked after the reply itself: a reply already replaced is NOT_FOUND, one being replaced right now CONFLICT.
  if (!input.claimed) throw new TRPCError({ code: "CONFLICT", message: REPLY_CLAIMED });
  const indexed = { owner: thread.userId ?? undefined };
  const runStepId = randomUUID();
  const stored = Promise.all([
    removeReply(data, thread.id, reply),
    data.updateThread(thread.id, {}, { touch: true, ...indexed }),
    data.createStep(runStepOf(reply.question, runStepId, utcNow())),
  ]);
  const leaveOut = new Set([reply.question.id, ...reply.stepIds]);
  yield* answerQuestion(deps, { outline, question: reply.question, leaveOut, runStepId, threadName: thread.name ?? null, stored }, signal);
}

/**
 * One regenerate per reply at a time: two requests for the same reply (a double click, two tabs) that both read it
 * before either removed it would both delete it and write two replies. The claim is an atomic rate counter, counted
 * beside the gate's read (no round trip of its own); the second gets CONFLICT. A request that never starts its reply
 * takes its claim back (releaseReplyClaim), so a refusal (still streaming, not the newest) can be tried again later.
 */
const claimName = (userIdentifier: string, threadId: string, stepId: string) => `regenerate\n${userIdentifier}\n${threadId}\n${stepId}`;

/** Whether this request holds the claim on the reply; the answer is given once the reply is checked (regenerateReply). */
export async function claimReply(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, stepId: string): Promise<boolean> {
  const hit = await data.countRateHit(claimName(userIdentifier, threadId, stepId), CLAIM_WINDOW_MS);
  return hit.count === 1;
}

export function releaseReplyClaim(data: DynamoDBDataLayer, userIdentifier: string, threadId: string, stepId: string): Promise<void> {
  return data.releaseRateHit(claimName(userIdentifier, threadId, stepId)).catch(() => undefined);
}
