/**
 * Which steps the user can edit (Edit on their own messages): the server decides with this before it writes anything
 * (server/chat/edit-message.ts), the thread view where the pencil goes. A user_message whose text is the user's plain
 * message: not an error step, not a code/JSON message (`language`: Chainlit draws it as such; the editor is plain
 * text), and not an answer given inside a reply (a user_message nested under another step of the thread, as
 * Chainlit's AskUserMessage writes one: editing it would cut its own reply in half).
 */
import { conversationOrder, type TreeStepLike } from "./build-step-tree";

export interface QuestionLike {
  type?: string | null;
  parentId?: string | null;
  isError?: boolean | null;
  language?: string | null;
}

export const isQuestion = (step: Pick<QuestionLike, "type">) => step.type === "user_message";

export function isEditableQuestion(step: QuestionLike, hasStep: (id: string) => boolean): boolean {
  return isQuestion(step) && !step.isError && !step.language && !(step.parentId && hasStep(step.parentId));
}

/**
 * What a save of each editable question would remove, from the steps of a block that runs to the newest turn: every
 * step after it in reading order (the server removes the same: edit-message.ts). `removesMore`: more than the newest
 * answer goes (a later question), which the user confirms first.
 */
export function questionEdits<S extends TreeStepLike & QuestionLike>(steps: readonly S[]) {
  const ordered = conversationOrder(steps);
  const ids = new Set(steps.map((s) => s.id));
  const editable = new Set(ordered.filter((s) => isEditableQuestion(s, (id) => ids.has(id))).map((s) => s.id));
  const indexOf = new Map(ordered.map((s, i) => [s.id, i]));
  const after = (stepId: string) => ordered.slice((indexOf.get(stepId) ?? ordered.length) + 1);
  return {
    editable,
    /** The steps a save removes. */
    later: (stepId: string) => after(stepId).map((s) => s.id),
    laterQuestions: (stepId: string) => after(stepId).filter(isQuestion).length,
    removesMore: (stepId: string) => after(stepId).some(isQuestion),
  };
}
