/**
 * Turns a stored thread into the role/content history an assistant reads: user and assistant messages in reading
 * order (a turn's reply is nested under its run, the run under the question; conversationOrder walks that tree).
 */
import type { Element, Step, ThreadWithContent } from "@/data";
import { attachElements, conversationOrder } from "@/lib/shared/build-step-tree";
import type { AssistantAttachment, ChatMessage } from "../assistant/assistant";

export function threadToMessages(thread: Pick<ThreadWithContent, "steps" | "elements">, attachmentsOf: (elements: Element[]) => AssistantAttachment[] = describeOnly): ChatMessage[] {
  const { byStep } = attachElements(thread.elements, new Set(thread.steps.map((s) => s.id)));
  return conversationOrder(thread.steps)
    .filter((s: Step) => (s.type === "user_message" || s.type === "assistant_message") && !s.isError)
    .map((s) => {
      const elements = byStep.get(s.id) ?? [];
      const message: ChatMessage = { role: s.type === "user_message" ? "user" : "assistant", content: s.output ?? "" };
      if (elements.length > 0) message.attachments = attachmentsOf(elements);
      return message;
    });
}

/** Older attachments travel by name only; the current message's are read in full (continue-thread.ts). */
export function describeOnly(elements: Element[]): AssistantAttachment[] {
  return elements.map((e) => ({ name: e.name ?? "file", mime: e.mime ?? "application/octet-stream" }));
}
