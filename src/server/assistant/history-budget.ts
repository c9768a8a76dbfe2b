/**
 * How much of a thread the model is sent. A thread can hold 20,000 imported messages; sending all of them with every
 * turn would exceed any model's context (the request fails) and bill the whole thread each time. The newest messages
 * are kept, oldest dropped first, as chat apps do when a conversation outgrows the model.
 */
import type { ChatMessage } from "./assistant";

/** Characters a message costs: its text and what its attachments put into the request. */
function messageChars(message: ChatMessage): number {
  let chars = message.content.length;
  for (const a of message.attachments ?? []) chars += a.name.length + (a.text?.length ?? 0) + (a.imageDataUrl?.length ?? 0);
  return chars;
}

/**
 * The newest messages whose characters fit in `maxChars`. The newest message is always kept, whatever its size (it
 * is what the reader just sent; its own attachments are capped where they are read). A history that would start
 * with a reply starts at the next question instead, as some servers refuse a conversation that opens with the assistant.
 */
export function fitHistory(messages: ChatMessage[], maxChars: number): ChatMessage[] {
  if (messages.length === 0) return messages;
  let used = messageChars(messages[messages.length - 1]!);
  let start = messages.length - 1;
  while (start > 0) {
    const cost = messageChars(messages[start - 1]!);
    if (used + cost > maxChars) break;
    used += cost;
    start--;
  }
  while (start < messages.length - 1 && messages[start]!.role === "assistant") start++;
  return start === 0 ? messages : messages.slice(start);
}
