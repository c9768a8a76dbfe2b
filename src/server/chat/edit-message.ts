/**
 * Edit: one of the user's own questions gets new text, every turn after it goes, and the question is answered again
 * with the history before it. The edited step keeps its id, its place and every field Chainlit gave it; only `output`
 * is written (and its search entry with it, so search finds the new words and not the old). Its attachments stay.
 * What goes is every step after it in reading order (its own reply, the later questions, their runs, tool steps and
 * answers) and the files attached to those, through the same deletes as a regenerate (replace-turns.ts;
 * docs/security.md, "Edit").
 */
import { TRPCError } from "@trpc/server";
import { utcNow, type Element, type Step, type ThreadOutline } from "@/data";
import { conversationOrder } from "@/lib/shared/thread/build-step-tree";
import { isEditableQuestion, isQuestion } from "@/lib/shared/thread/editable-question";
import { threadNameFrom, type ChatEvent, type ReplyDeps } from "./continue-thread";
import { assertNewestReplyEnded, goingWith, replaceAndAnswer, type Going } from "./replace-turns";
import { assertClaimed, type ThreadClaim } from "./thread-claim";

export const MESSAGE_NOT_FOUND = "Message not found";
export const NOT_A_QUESTION = "Only your own messages can be edited.";
export const NOT_EDITABLE = "This message cannot be edited here.";
export const EMPTY_EDIT = "Write a message or attach a file.";

export interface MessageToEdit extends Going {
  /** The question as it reads once edited. */
  question: Step;
  /** The thread's new name, when it was named after this question and never renamed (nameAfterEdit). */
  rename?: string;
}

/**
 * The name a thread takes when its first question is edited, or undefined when it keeps its own. It follows the edit
 * while it is still the name made from the question's old text: Threadbook's (threadNameFrom, as the first send and
 * `doctor --fix` make it), or Chainlit's, which is the whole first message as sent (docs/chainlit.md, "Threads:
 * update_thread"); or when the thread has none (Chainlit names no thread whose first message was only a file, #2623).
 * A name the user gave (a rename here or in Chainlit) or an import's title differs from both and stays. The new name is
 * made as a first send makes it, so a Chainlit-named thread gets the same short name as one of Threadbook's.
 */
export function nameAfterEdit(threadName: string | null | undefined, before: string, after: string, files: Pick<Element, "name">[]): string | undefined {
  const derived = !threadName || threadName === before || threadName === threadNameFrom(before, files);
  if (!derived) return undefined;
  const renamed = threadNameFrom(after, files);
  return renamed === threadName ? undefined : renamed;
}

/**
 * Decides from the outline the gate read whether `stepId` is a question of this thread Threadbook can edit, and what
 * goes after it. No step of this thread: NOT_FOUND. Not a user_message, or one whose text is not the user's plain
 * message (an error step, a code/JSON message, an answer given inside a reply: a user_message nested under another
 * step, as Chainlit's AskUserMessage writes one): BAD_REQUEST. The thread's newest reply still streaming: CONFLICT.
 * Nothing is written here, so a refusal changes nothing.
 */
export async function messageToEdit(outline: ThreadOutline, stepId: string, content: string, claim: ThreadClaim, nowMs = Date.now()): Promise<MessageToEdit> {
  const ordered = conversationOrder(outline.steps);
  const at = ordered.findIndex((s) => s.id === stepId);
  if (at === -1) throw new TRPCError({ code: "NOT_FOUND", message: MESSAGE_NOT_FOUND });
  const outlined = ordered[at]!;
  if (!isQuestion(outlined)) throw new TRPCError({ code: "BAD_REQUEST", message: NOT_A_QUESTION });
  const [[stored]] = await Promise.all([outline.fullSteps([stepId]), assertNewestReplyEnded(outline, claim, nowMs)]);
  if (!stored) throw new TRPCError({ code: "NOT_FOUND", message: MESSAGE_NOT_FOUND });
  // The parent as the outline read it (a field of another type than Chainlit writes counts as absent).
  const hasStep = (id: string) => outline.steps.some((s) => s.id === id);
  if (!isEditableQuestion({ ...stored, parentId: outlined.parentId }, hasStep)) throw new TRPCError({ code: "BAD_REQUEST", message: NOT_EDITABLE });
  const hasFiles = outline.elements.some((e) => e.forId === stepId);
  if (!content.trim() && !hasFiles) throw new TRPCError({ code: "BAD_REQUEST", message: EMPTY_EDIT });
  const question = { ...stored, output: content };
  const first = ordered.find(isQuestion)?.id === stepId;
  const files = outline.elements.filter((e) => e.forId === stepId);
  const rename = first ? nameAfterEdit(outline.thread.name, stored.output ?? "", content, files) : undefined;
  return { question, rename, ...goingWith(outline, ordered.slice(at + 1).map((s) => s.id)) };
}

/**
 * Edits a question: checks it (messageToEdit), then writes its new text, removes every later turn and answers it
 * under a new run (replaceAndAnswer), as a sent message is answered.
 */
export async function* editMessage(
  deps: ReplyDeps,
  input: { outline: ThreadOutline; stepId: string; content: string; claim: ThreadClaim },
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const { outline } = input;
  const { question, rename, ...going } = await messageToEdit(outline, input.stepId, input.content, input.claim);
  assertClaimed(input.claim);
  // `output` (and when: a share made before leaves the question out, share-snapshot.ts) only: the rest of the item
  // (Chainlit's name, times, metadata, parts) stays as it was written.
  const edited = deps.data.updateStep(
    { id: question.id, threadId: question.threadId, type: question.type, output: question.output, editedAt: utcNow() },
    { owner: outline.thread.userId ?? undefined },
  );
  yield* replaceAndAnswer(deps, { outline, question, going, alsoStored: edited, rename }, signal);
}
