/**
 * Open WebUI's chat export ("Export All Chats" in its settings, or a chat's "Export chat (.json)"): a JSON array of
 * chat records `{ id, title, chat: { title, history: { messages: { [id]: message }, currentId }, messages }, created_at,
 * updated_at, pinned, … }`, times in epoch seconds. Every edit, regeneration and side-by-side model answer is a sibling
 * in `history.messages` (each message names its `parentId`); what the user last saw is the branch ending at
 * `currentId`. Older exports have no `history`, only the linear `chat.messages`. Files are not in the export (they stay
 * on the Open WebUI server): they are listed so the summary counts them as skipped.
 */
import { TAG_ENTRIES_READ, tagsToImport } from "@/data";
import { branchEndingAt, latestOf } from "./branch";
import { dataUrlImage } from "../data-url";
import { asString, isRecord, MAX_FILES_PER_MESSAGE, notExportedFile, SkipConversation, type SourceAttachment, type SourceConversation, type SourceMessage } from "../source-model";

/** The chat itself: inside the record's `chat`, or the record itself in the earliest exports (a bare chat with `history`). */
function chatOf(value: unknown): Record<string, unknown> | null {
  if (!isRecord(value)) return null;
  if (isRecord(value.chat)) return value.chat;
  return isRecord(value.history) && isRecord(value.history.messages) ? value : null;
}

export function isOpenWebUiChat(value: unknown): boolean {
  const chat = chatOf(value);
  return chat !== null && ((isRecord(chat.history) && isRecord(chat.history.messages)) || Array.isArray(chat.messages));
}

/** Epoch seconds, as Open WebUI writes them; its earliest versions kept milliseconds. Microseconds, or null. */
function epochToMicros(value: unknown): number | null {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return null;
  if (value < 1e11) return Math.round(value * 1e6);
  return value < 1e14 ? Math.round(value * 1e3) : null;
}

const REASONING_OPEN = '<details type="reasoning"';
const DETAILS_CLOSE = "</details>";

/**
 * The reply without its reasoning blocks (`<details type="reasoning">…</details>`, which Open WebUI shows folded
 * away, as ChatGPT's thoughts are not imported either). indexOf, not a regular expression: a huge hostile string
 * costs one pass. Anything else in the text is kept as text.
 */
export function withoutReasoning(text: string): string {
  let kept = "";
  let from = 0;
  for (let at = text.indexOf(REASONING_OPEN); at >= 0; at = text.indexOf(REASONING_OPEN, from)) {
    const end = text.indexOf(DETAILS_CLOSE, at);
    if (end < 0) break;
    kept += text.slice(from, at);
    from = end + DETAILS_CLOSE.length;
  }
  return (kept + text.slice(from)).trim();
}

/** Uploaded files (`{ type: "file", name, file: { meta } }`) and images (`{ type: "image", url }`, often a data URL). */
function filesOf(message: Record<string, unknown>): SourceAttachment[] {
  const files = Array.isArray(message.files) ? message.files.slice(0, MAX_FILES_PER_MESSAGE) : [];
  return files.flatMap((raw, i): SourceAttachment[] => {
    if (!isRecord(raw)) return [];
    const file = isRecord(raw.file) ? raw.file : {};
    const meta = isRecord(file.meta) ? file.meta : {};
    // A pasted image travels in the file as a data URL: its bytes are there, so it is imported (run-import.ts).
    const url = raw.type === "image" ? asString(raw.url) : null;
    const image = url ? dataUrlImage(url) : null;
    if (url && image) return [{ sourceId: `${i}`, name: `image-${i + 1}${image.extension ? `.${image.extension}` : ""}`, mime: image.mime, source: { kind: "data-url", url } }];
    const name = asString(raw.name) ?? asString(meta.name) ?? asString(file.filename) ?? (raw.type === "image" ? `image-${i + 1}` : null);
    return [notExportedFile(`${i}`, name ?? `file-${i + 1}`, asString(meta.content_type))];
  });
}

function openWebUiMessage(raw: Record<string, unknown>, id: string): SourceMessage | null {
  const role = raw.role === "user" ? "user" : raw.role === "assistant" ? "assistant" : null;
  if (!role) return null;
  const content = asString(raw.content) ?? "";
  const text = role === "assistant" ? withoutReasoning(content) : content.trim();
  const attachments = filesOf(raw);
  if (!text && attachments.length === 0) return null;
  const name = role === "assistant" ? (asString(raw.modelName) ?? asString(raw.model) ?? undefined) : undefined;
  return { sourceId: id, role, text, name, createdAt: epochToMicros(raw.timestamp), attachments };
}

type Node = { id: string; raw: Record<string, unknown> };

/** The shown branch of `history.messages`: from `currentId`, else from the latest message with no children. */
function historyBranch(history: Record<string, unknown>, messages: Record<string, unknown>, maxMessages: number): Node[] {
  const at = (id: string): Node | null => (Object.hasOwn(messages, id) && isRecord(messages[id]) ? { id, raw: messages[id] } : null);
  const current = asString(history.currentId);
  const last = (current ? at(current) : null) ?? latestLeaf(messages);
  return branchEndingAt(last, (node) => {
    const parent = asString(node.raw.parentId);
    return parent ? at(parent) : null;
  }, (node) => node.id, maxMessages);
}

function* leaves(messages: Record<string, unknown>): Generator<Node> {
  for (const [id, raw] of Object.entries(messages)) {
    if (isRecord(raw) && (!Array.isArray(raw.childrenIds) || raw.childrenIds.length === 0)) yield { id, raw };
  }
}

/**
 * A chat's tags: a list of names, or of `{ name }` (Open WebUI's Tag rows), on the record, in its `meta` (newer
 * versions) or in its `chat` (older ones); the first list found. Checked as a tag added in Threadbook (tagsToImport).
 */
function openWebUiTags(value: Record<string, unknown>, chat: Record<string, unknown>): string[] {
  const lists = [value.tags, isRecord(value.meta) ? value.meta.tags : undefined, chat.tags];
  const list = lists.find((tags): tags is unknown[] => Array.isArray(tags) && tags.length > 0) ?? [];
  return tagsToImport(list.slice(0, TAG_ENTRIES_READ).map((tag) => (isRecord(tag) ? tag.name : tag)));
}

const latestLeaf = (messages: Record<string, unknown>) => latestOf(leaves(messages), (node) => epochToMicros(node.raw.timestamp));

export function readOpenWebUiConversation(value: unknown, maxMessages: number): SourceConversation {
  const chat = chatOf(value);
  if (!isRecord(value) || !chat) throw new SkipConversation("", { code: "not-format", format: "open-webui" });
  const title = (asString(value.title) ?? asString(chat.title))?.trim() || null;
  const sourceId = asString(value.id) ?? asString(chat.id);
  if (!sourceId) throw new SkipConversation(title ?? "", { code: "no-id", field: "id", unit: "conversation" });
  try {
    const history = isRecord(chat.history) ? chat.history : {};
    const tree = isRecord(history.messages) && Object.keys(history.messages).length > 0 ? history.messages : null;
    let nodes: Node[];
    if (tree) nodes = historyBranch(history, tree, maxMessages);
    else {
      const linear = Array.isArray(chat.messages) ? chat.messages : [];
      if (linear.length > maxMessages) throw new SkipConversation("", { code: "too-many", limit: maxMessages, unit: "messages" });
      const seen = new Set<string>();
      nodes = linear.flatMap((raw, i) => {
        const id = isRecord(raw) ? (asString(raw.id) ?? `#${i}`) : null;
        // A message listed twice would name the same step twice.
        if (!isRecord(raw) || id === null || seen.has(id)) return [];
        seen.add(id);
        return [{ id, raw }];
      });
    }
    const messages = nodes.flatMap((node) => openWebUiMessage(node.raw, node.id) ?? []);
    const createdAt = epochToMicros(value.created_at) ?? epochToMicros(chat.timestamp);
    return { sourceId, title, createdAt, updatedAt: epochToMicros(value.updated_at), messages, pinned: value.pinned === true, tags: openWebUiTags(value, chat) };
  } catch (error) {
    if (error instanceof SkipConversation) throw new SkipConversation(title ?? "", error.problem);
    throw error;
  }
}
