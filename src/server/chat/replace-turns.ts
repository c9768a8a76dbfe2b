/**
 * What regenerating a reply (regenerate-reply.ts) and editing a question (edit-message.ts) share: both decide from the
 * gate's outline which steps of a thread go, refuse while its newest reply is still being written, hold the thread's
 * claim while they rewrite it (thread-claim.ts, taken by the gate as a send's is), then remove what goes through the
 * data layer's own deletes and answer a question again under a new run (answerQuestion, as a sent message is
 * answered). docs/security.md, "Regenerate" and "Edit".
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { mapLimited, utcNow, type DynamoDBDataLayer, type Step, type StepOutline, type ThreadOutline } from "@/data";
import { newestTurn } from "@/lib/shared/thread/build-step-tree";
import { answerQuestion, keptName, runStepOf, type ChatEvent, type ReplyDeps } from "./continue-thread";
import { openReplyState } from "./open-reply";
import type { ThreadClaim } from "./thread-claim";

export const REPLY_IN_FLIGHT = "This reply is still being written; try again once it has ended.";

/** The newest turn's reply, read whole (it is in the gate's first page: usually no round trip). */
async function newestReply(outline: ThreadOutline): Promise<{ reply: StepOutline[]; full: Map<string, Step> }> {
  const reply = newestTurn(outline.steps)?.reply ?? [];
  return { reply, full: new Map((await outline.fullSteps(reply.map((s) => s.id))).map((s) => [s.id, s])) };
}

/**
 * CONFLICT while the newest reply is being written (openReplyState). `claim`: the rewriting request's own, taken by
 * the gate; held, nobody else writes the thread; null, another request does, and an open run of this app's is its.
 */
export async function assertNewestReplyEnded(outline: ThreadOutline, claim: ThreadClaim, nowMs = Date.now()): Promise<void> {
  const { reply, full } = await newestReply(outline);
  if ((await openReplyState(reply, full, async () => claim !== null, nowMs)) === "writing") throw new TRPCError({ code: "CONFLICT", message: REPLY_IN_FLIGHT });
}

/** What a rewrite removes: steps, and the files attached to them. */
export interface Going {
  stepIds: string[];
  elementIds: string[];
}

/** `stepIds` and the outline's files attached to them. */
export function goingWith(outline: ThreadOutline, stepIds: string[]): Going {
  const going = new Set(stepIds);
  return { stepIds, elementIds: outline.elements.filter((e) => e.forId != null && going.has(e.forId)).map((e) => e.id) };
}

/** Deletes in flight at once: nothing bounds how many steps and files the turns removed (Chainlit's) hold. */
const REMOVALS_IN_FLIGHT = 8;

/**
 * Each step and file through the data layer's delete of its kind (deleteStep: feedback markers, search entries,
 * parts; deleteElement: search entries, the item, its file), a few at a time, so a thread Chainlit wrote is cleaned
 * up exactly as Threadbook's deletes clean up anything else.
 */
function remove(data: DynamoDBDataLayer, threadId: string, going: Going): Promise<unknown> {
  const removals = [...going.stepIds.map((id) => () => data.deleteStep(id, threadId)), ...going.elementIds.map((id) => () => data.deleteElement(id, threadId))];
  return mapLimited(removals, REMOVALS_IN_FLIGHT, (removal) => removal());
}

/**
 * Removes `going`, writes a new run under `question` (and whatever else the caller writes: `alsoStored`) and moves the
 * thread to the top (renamed to `rename` when an edit gives it a name: edit-message.ts, nameAfterEdit), side by side
 * and beside the model request, as a sent message's first writes go; the reply to `question` (as it reads after the
 * rewrite) streams and is kept exactly as a sent message's is.
 */
export async function* replaceAndAnswer(
  deps: ReplyDeps,
  input: { outline: ThreadOutline; question: Step; going: Going; alsoStored?: Promise<unknown>; rename?: string },
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const { data } = deps;
  const { outline, question, going } = input;
  const { thread } = outline;
  const runStepId = randomUUID();
  // An edit's new name is written only while the name is still the one the gate read (nameAfterEdit decided from it):
  // a rename landing meanwhile wins, and the start event carries it.
  const touched = data.updateThread(thread.id, input.rename ? { name: input.rename } : {}, { touch: true, nameWas: thread.name ?? null, owner: thread.userId ?? undefined });
  const stored = Promise.all([remove(data, thread.id, going), touched, data.createStep(runStepOf(question, runStepId, utcNow())), input.alsoStored]);
  const leaveOut = new Set([question.id, ...going.stepIds]);
  const threadName = input.rename ? keptName(touched, input.rename) : (thread.name ?? null);
  yield* answerQuestion(deps, { outline, question, leaveOut, runStepId, threadName, stored }, signal);
}
