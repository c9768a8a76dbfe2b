/**
 * ChatGPT's data export: conversations.json is an array of conversations whose messages form a tree (`mapping`: node
 * id → { message, parent, children }), because every edit or regeneration branches. What the user last saw is the
 * branch ending at `current_node`: walk its parents up to the root, then reverse.
 */
import { branchEndingAt } from "./branch";
import { asString, isRecord, secondsToMicros, SkipConversation, type SourceAttachment, type SourceConversation, type SourceMessage } from "../source-model";

export const isChatGptConversation = (value: unknown): boolean => isRecord(value) && isRecord(value.mapping);

type Node = { id: string; message: Record<string, unknown> | null; parent: string | null };

function nodeAt(mapping: Record<string, unknown>, id: string): Node | null {
  const raw = Object.hasOwn(mapping, id) ? mapping[id] : undefined;
  if (!isRecord(raw)) return null;
  return { id, message: isRecord(raw.message) ? raw.message : null, parent: asString(raw.parent) };
}

/** The last-seen branch, root first. A cycle or a branch longer than `maxNodes` ends the walk instead of looping. */
export function currentBranch(mapping: Record<string, unknown>, currentNode: string | null, maxNodes: number): Node[] {
  const start = currentNode ?? lastLeaf(mapping);
  return branchEndingAt(start ? nodeAt(mapping, start) : null, (node) => (node.parent ? nodeAt(mapping, node.parent) : null), (node) => node.id, maxNodes);
}

/** Without `current_node` (older exports): the last node that has no children. */
function lastLeaf(mapping: Record<string, unknown>): string | null {
  let leaf: string | null = null;
  for (const [id, raw] of Object.entries(mapping)) {
    if (isRecord(raw) && (!Array.isArray(raw.children) || raw.children.length === 0)) leaf = id;
  }
  return leaf;
}

/** `file-service://file-abc` and `sediment://file_00…` → `file-abc` / `file_00…`. */
const fileIdOf = (pointer: unknown) => {
  const text = asString(pointer);
  return text ? (/^[a-z-]+:\/\/(.+)$/.exec(text)?.[1] ?? null) : null;
};

/** The visible text and the images of a message's content, by content type. */
function readContent(content: Record<string, unknown>): { text: string; images: string[] } {
  const type = asString(content.content_type);
  const images: string[] = [];
  const texts: string[] = [];
  if (type === "text" || type === "multimodal_text") {
    for (const part of Array.isArray(content.parts) ? content.parts : []) {
      if (typeof part === "string") texts.push(part);
      else if (isRecord(part) && part.content_type === "image_asset_pointer") {
        const id = fileIdOf(part.asset_pointer);
        if (id) images.push(id);
      }
    }
  } else if (type === "code" || type === "execution_output" || type === "tether_quote" || type === "system_error") {
    texts.push(asString(content.text) ?? "");
  } else if (type === "tether_browsing_display") {
    texts.push(asString(content.result) ?? "");
  }
  // Everything else (thoughts, reasoning recaps, editable context) is not shown in ChatGPT's conversation either.
  return { text: texts.join("\n").trim(), images };
}

function attachmentsOf(message: Record<string, unknown>, images: string[]): SourceAttachment[] {
  const byId = new Map<string, SourceAttachment>();
  const metadata = isRecord(message.metadata) ? message.metadata : {};
  for (const raw of Array.isArray(metadata.attachments) ? metadata.attachments : []) {
    if (!isRecord(raw)) continue;
    const id = asString(raw.id);
    if (!id) continue;
    byId.set(id, { sourceId: id, name: asString(raw.name) ?? id, mime: asString(raw.mime_type) ?? asString(raw.mimeType), source: { kind: "file-id", fileId: id } });
  }
  for (const id of images) if (!byId.has(id)) byId.set(id, { sourceId: id, name: id, mime: null, source: { kind: "file-id", fileId: id } });
  return [...byId.values()];
}

/** One node's message as a source message, or null when ChatGPT does not show it (hidden, empty, internal). */
export function chatGptMessage(message: Record<string, unknown>, fallbackId: string): SourceMessage | null {
  const author = isRecord(message.author) ? message.author : {};
  const role = asString(author.role);
  const metadata = isRecord(message.metadata) ? message.metadata : {};
  if (metadata.is_visually_hidden_from_conversation === true) return null;
  const { text, images } = readContent(isRecord(message.content) ? message.content : {});
  const attachments = attachmentsOf(message, images);
  if (!text && attachments.length === 0) return null;
  const base = { sourceId: asString(message.id) ?? fallbackId, createdAt: secondsToMicros(message.create_time), attachments };
  const recipient = asString(message.recipient);
  if (role === "user") return { ...base, role: "user", text };
  if (role === "assistant" && recipient && recipient !== "all") return { ...base, role: "tool", name: recipient, input: text, text: "" };
  if (role === "assistant") return { ...base, role: "assistant", text, name: asString(metadata.model_slug) ?? undefined };
  if (role === "tool") return { ...base, role: "tool", name: asString(author.name) ?? "tool", text };
  // A visible system message is rare (custom instructions are hidden); it is kept as a step, not as a turn.
  if (role === "system") return { ...base, role: "tool", name: "system", text };
  return null;
}

export function readChatGptConversation(value: unknown, maxMessages: number): SourceConversation {
  if (!isRecord(value) || !isRecord(value.mapping)) throw new SkipConversation("", { code: "not-format", format: "chatgpt" });
  const title = asString(value.title)?.trim() || null;
  const sourceId = asString(value.conversation_id) ?? asString(value.id);
  if (!sourceId) throw new SkipConversation(title ?? "", { code: "no-id", field: "id", unit: "conversation" });
  try {
    const branch = currentBranch(value.mapping, asString(value.current_node), maxMessages);
    const messages = branch.flatMap((node) => (node.message ? (chatGptMessage(node.message, node.id) ?? []) : []));
    return { sourceId, title, createdAt: secondsToMicros(value.create_time), updatedAt: secondsToMicros(value.update_time), messages };
  } catch (error) {
    if (error instanceof SkipConversation) throw new SkipConversation(title ?? "", error.problem);
    throw error;
  }
}
