/**
 * The role/content history an assistant reads: a thread's newest user and assistant messages in reading order (a
 * turn's reply is nested under its run, the run under the question; conversationOrder walks that tree in the outline).
 */
import type { Element, Step, StepOutline } from "@/data";
import { attachElements, conversationOrder } from "@/lib/shared/thread/build-step-tree";
import type { AssistantAttachment, ChatMessage } from "../assistant/assistant";

/** Steps already in reading order (those newestMessageIds named, read whole) as messages. */
export function messagesInOrder(ordered: readonly Step[], elements: readonly Element[], attachmentsOf: (elements: Element[]) => AssistantAttachment[] = describeOnly): ChatMessage[] {
  const { byStep } = attachElements(elements, new Set(ordered.map((s) => s.id)));
  return ordered
    .filter(isHistoryMessage)
    .map((s) => {
      const elements = byStep.get(s.id) ?? [];
      const message: ChatMessage = { role: s.type === "user_message" ? "user" : "assistant", content: s.output ?? "" };
      if (elements.length > 0) message.attachments = attachmentsOf(elements);
      return message;
    });
}

const isMessage = (s: Pick<Step, "type">) => s.type === "user_message" || s.type === "assistant_message";
/** A message the model is sent: a question or a reply, never a failed one. */
export const isHistoryMessage = (s: Step) => isMessage(s) && !s.isError;

/**
 * The ids of a thread's newest messages, oldest first, from its outline: what a turn reads whole of a long thread.
 * The assistant then keeps as many of them as fit its character budget (assistant/history-budget.ts); this bound
 * only keeps a 10,000-step thread from being read and decoded whole before every reply.
 */
export function newestMessageIds(steps: readonly StepOutline[], max: number, leaveOut: ReadonlySet<string>): string[] {
  return conversationOrder(steps)
    .filter((s) => isMessage(s) && !leaveOut.has(s.id))
    .slice(-max)
    .map((s) => s.id);
}

/** Older attachments travel by name only; the current message's are read in full (continue-thread.ts). */
export function describeOnly(elements: Element[]): AssistantAttachment[] {
  return elements.map((e) => ({ name: e.name ?? "file", mime: e.mime ?? "application/octet-stream" }));
}
