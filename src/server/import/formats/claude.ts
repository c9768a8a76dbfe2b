/**
 * Claude's data export: conversations.json is an array of `{ uuid, name, created_at, updated_at, chat_messages }`, each
 * message `{ uuid, sender: human|assistant, text, content[], created_at, attachments[] }`. An attachment's text is in
 * the export (`extracted_content`); its bytes are not, so it becomes a text file.
 */
import { asString, isoToMicros, isRecord, SkipConversation, type SourceAttachment, type SourceConversation, type SourceMessage } from "../source-model";

export const isClaudeConversation = (value: unknown): boolean => isRecord(value) && Array.isArray(value.chat_messages);

const TEXT_NAME = /\.(txt|md|csv|json|log)$/i;

function attachmentsOf(message: Record<string, unknown>): SourceAttachment[] {
  const list = Array.isArray(message.attachments) ? message.attachments : [];
  return list.flatMap((raw, i): SourceAttachment[] => {
    if (!isRecord(raw)) return [];
    const text = asString(raw.extracted_content);
    if (!text) return [];
    const name = asString(raw.file_name)?.trim() || `attachment-${i + 1}.txt`;
    // Only the extracted text travels: `report.pdf` is stored as `report.pdf.txt`, which is what it now is.
    return [{ sourceId: `${i}`, name: TEXT_NAME.test(name) ? name : `${name}.txt`, mime: "text/plain", source: { kind: "text", text } }];
  });
}

/** A message's parts in order: its text, and tool calls/results as their own messages. */
function messagesOf(message: Record<string, unknown>, index: number): SourceMessage[] {
  const sender = asString(message.sender);
  if (sender !== "human" && sender !== "assistant") return [];
  const sourceId = asString(message.uuid) ?? `${index}`;
  const createdAt = isoToMicros(message.created_at);
  const tools: SourceMessage[] = [];
  const texts: string[] = [];
  for (const [i, part] of (Array.isArray(message.content) ? message.content : []).entries()) {
    if (!isRecord(part)) continue;
    if (part.type === "text" && typeof part.text === "string") texts.push(part.text);
    else if (part.type === "tool_use") {
      tools.push({ sourceId: `${sourceId}:${i}`, role: "tool", name: asString(part.name) ?? "tool", input: JSON.stringify(part.input ?? {}), text: "", createdAt, attachments: [] });
    } else if (part.type === "tool_result") {
      const content = Array.isArray(part.content) ? part.content.flatMap((c) => (isRecord(c) && typeof c.text === "string" ? [c.text] : [])).join("\n") : asString(part.content) ?? "";
      tools.push({ sourceId: `${sourceId}:${i}`, role: "tool", name: asString(part.name) ?? "tool result", text: content, createdAt, attachments: [] });
    }
  }
  const text = (asString(message.text)?.trim() || texts.join("\n").trim());
  const attachments = attachmentsOf(message);
  const own: SourceMessage[] = text || attachments.length > 0 ? [{ sourceId, role: sender === "human" ? "user" : "assistant", text, createdAt, attachments }] : [];
  return sender === "human" ? [...own, ...tools] : [...tools, ...own];
}

export function readClaudeConversation(value: unknown, maxMessages: number): SourceConversation {
  if (!isRecord(value) || !Array.isArray(value.chat_messages)) throw new SkipConversation("", { code: "not-format", format: "claude" });
  const title = asString(value.name)?.trim() || null;
  const sourceId = asString(value.uuid);
  if (!sourceId) throw new SkipConversation(title ?? "", { code: "no-id", field: "uuid", unit: "conversation" });
  if (value.chat_messages.length > maxMessages) throw new SkipConversation(title ?? "", { code: "too-many", limit: maxMessages, unit: "messages" });
  const messages = value.chat_messages.flatMap((m, i) => (isRecord(m) ? messagesOf(m, i) : []));
  return { sourceId, title, createdAt: isoToMicros(value.created_at), updatedAt: isoToMicros(value.updated_at), messages };
}
