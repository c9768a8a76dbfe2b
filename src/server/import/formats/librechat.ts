/**
 * LibreChat's conversation export (the export dialog, type JSON): one object per file, `{ conversationId, title,
 * endpoint, exportAt, branches, recursive, messages }`. Each message is `{ messageId, parentMessageId, sender, text,
 * isCreatedByUser, createdAt (ISO), model, files, content }`; newer ones carry their text in `content` parts
 * (`{ type: "text", text }`, the text a string or `{ value }`). With "recursive" (the dialog's default) each message
 * holds its replies in `children`, so `messages` is a tree; older versions put it under `messagesTree`. With "all
 * branches" every edit and regeneration is there; what is imported is the branch ending at the latest message, found
 * by walking `parentMessageId` up to the root. Files are not in the export: they are listed, so the summary counts
 * them as skipped.
 */
import { branchEndingAt, latestOf } from "./branch";
import { asString, isoToMicros, isRecord, MAX_FILES_PER_MESSAGE, notExportedFile, SkipConversation, type SourceAttachment, type SourceConversation, type SourceMessage } from "../source-model";

const messagesOf = (value: Record<string, unknown>): unknown[] | null =>
  Array.isArray(value.messages) ? value.messages : Array.isArray(value.messagesTree) ? value.messagesTree : null;

export const isLibreChatExport = (value: unknown): boolean => isRecord(value) && typeof value.conversationId === "string" && messagesOf(value) !== null;

/**
 * LibreChat writes its export with `JSON.stringify`, `conversationId` first. A recursive export nests every reply one
 * level deeper (two JSON levels a message), so such a file is read with a nesting limit that fits the message limit
 * (import-source.ts); nothing here recurses over it.
 */
export const LIBRECHAT_HEAD = /^\s*\{\s*"conversationId"\s*:/;

type Node = { id: string; parent: string | null; raw: Record<string, unknown> };

/** Every message, the nested ones too, in the file's order (depth first), with an explicit stack: never recursion. */
function flatten(roots: unknown[], maxMessages: number): Node[] {
  const nodes: Node[] = [];
  const stack: Array<{ raw: unknown; enclosing: string | null }> = roots.map((raw) => ({ raw, enclosing: null })).reverse();
  while (stack.length > 0) {
    const { raw, enclosing } = stack.pop()!;
    if (!isRecord(raw)) continue;
    if (nodes.length >= maxMessages) throw new SkipConversation("", { code: "too-many", limit: maxMessages, unit: "messages" });
    const id = asString(raw.messageId) ?? `#${nodes.length}`;
    nodes.push({ id, parent: asString(raw.parentMessageId) ?? enclosing, raw });
    const children = Array.isArray(raw.children) ? raw.children : [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ raw: children[i], enclosing: id });
  }
  return nodes;
}

/** The branch ending at the latest message with no replies; a list whose messages name no parent in it is read in order. */
function shownBranch(nodes: Node[], maxMessages: number): Node[] {
  const byId = new Map<string, Node>();
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  const unique = [...byId.values()];
  const parents = new Set(unique.flatMap((node) => (node.parent !== null && byId.has(node.parent) ? [node.parent] : [])));
  if (parents.size === 0) return unique;
  const last = latestOf(unique.filter((node) => !parents.has(node.id)), (node) => isoToMicros(node.raw.createdAt));
  return branchEndingAt(last, (node) => (node.parent !== null ? (byId.get(node.parent) ?? null) : null), (node) => node.id, maxMessages);
}

/** The text parts of `content` (a string, or `{ value }`), else `text`. Reasoning, tool calls and images are not text. */
function textOf(message: Record<string, unknown>): string {
  const parts = Array.isArray(message.content) ? message.content : [];
  const texts = parts.flatMap((part) => {
    if (!isRecord(part) || part.type !== "text") return [];
    const text = isRecord(part.text) ? asString(part.text.value) : asString(part.text);
    return text ? [text] : [];
  });
  return texts.join("\n").trim() || (asString(message.text) ?? "").trim();
}

function filesOf(message: Record<string, unknown>): SourceAttachment[] {
  const files = Array.isArray(message.files) ? message.files.slice(0, MAX_FILES_PER_MESSAGE) : [];
  return files.flatMap((raw, i): SourceAttachment[] =>
    isRecord(raw) ? [notExportedFile(asString(raw.file_id) ?? `${i}`, asString(raw.filename) ?? `file-${i + 1}`, asString(raw.type))] : [],
  );
}

function libreChatMessage(node: Node): SourceMessage | null {
  const { raw } = node;
  // Who wrote it is `isCreatedByUser`; a message without it is not one LibreChat wrote.
  if (typeof raw.isCreatedByUser !== "boolean") return null;
  const text = textOf(raw);
  const attachments = filesOf(raw);
  if (!text && attachments.length === 0) return null;
  const base = { sourceId: node.id, text, createdAt: isoToMicros(raw.createdAt), attachments };
  if (raw.isCreatedByUser) return { ...base, role: "user" };
  return { ...base, role: "assistant", name: asString(raw.sender) ?? asString(raw.model) ?? undefined };
}

export function readLibreChatConversation(value: unknown, maxMessages: number): SourceConversation {
  const roots = isRecord(value) ? messagesOf(value) : null;
  if (!isRecord(value) || !roots) throw new SkipConversation("", { code: "not-format", format: "librechat" });
  const title = asString(value.title)?.trim() || null;
  const sourceId = asString(value.conversationId);
  if (!sourceId) throw new SkipConversation(title ?? "", { code: "no-id", field: "conversationId", unit: "conversation" });
  try {
    const messages = shownBranch(flatten(roots, maxMessages), maxMessages).flatMap((node) => libreChatMessage(node) ?? []);
    // The export has no times of its own (`exportAt` is a clock time without a date): the messages' times stand in.
    return { sourceId, title, createdAt: null, updatedAt: null, messages };
  } catch (error) {
    if (error instanceof SkipConversation) throw new SkipConversation(title ?? "", error.problem);
    throw error;
  }
}
