/**
 * A source conversation as the items a Chainlit app writes for the same conversation, so Chainlit can resume it and
 * Threadbook shows it like any other: per user turn a `user_message` step, an `on_message` run under it, and the
 * replies (`assistant_message`) and tool calls (`tool`) under the run. Ids are UUIDv5 of the user, the format and the
 * source ids (uuid-v5.ts); times are the original ones, made strictly increasing so the order never depends on ties.
 */
import { clipThreadName, isoFromMicros, type ImportedThread, type StepInput } from "@/data";
import type { AttachmentSource, SourceConversation } from "./source-model";
import { importedChildId, importedThreadId } from "./uuid-v5";

export type ImportFormat = "chatgpt" | "claude" | "open-webui" | "librechat" | "threadbook";

export interface PlannedElement {
  id: string;
  forId: string;
  name: string;
  mime: string | null;
  type?: string | null;
  display?: string | null;
  size?: string | null;
  source: AttachmentSource;
}

export interface PlannedThread {
  sourceId: string;
  title: string;
  thread: ImportedThread;
  elements: PlannedElement[];
  /** Pinned in the account it was exported from (a Threadbook "Export all" lists `pinnedAt`): pinned once written. */
  pinned?: boolean;
}

export const ASSISTANT_NAMES: Record<ImportFormat, string> = { chatgpt: "ChatGPT", claude: "Claude", "open-webui": "Open WebUI", librechat: "LibreChat", threadbook: "Assistant" };
/** Self-hosted apps answer with whichever model the user picked, and show its name on the reply: so does the import. */
const NAMED_BY_MODEL: ReadonlySet<ImportFormat> = new Set(["open-webui", "librechat"]);
const MODEL_NAME_MAX = 80;
export const UNTITLED = "Untitled conversation";

export const threadName = (title: string | null | undefined) => clipThreadName(title?.replace(/\s+/g, " ").trim() ?? "") || null;

/** Hands out times in order: the source's when it moves forward, else one microsecond after the last. */
export function monotonicClock(start: number) {
  let last = start - 1;
  return {
    next(at: number | null): number {
      last = at !== null && at > last ? at : last + 1;
      return last;
    },
    get last() {
      return last;
    },
  };
}

/** Null when nothing in the conversation would be shown (the summary says "empty conversation"). */
export function planConversation(conversation: SourceConversation, userId: string, format: ImportFormat, now: number): PlannedThread | null {
  if (conversation.messages.length === 0) return null;
  const threadId = importedThreadId(userId, format, conversation.sourceId);
  const childId = (kind: string, sourceId: string) => importedChildId(threadId, kind, sourceId);
  const firstTime = conversation.createdAt ?? conversation.messages.find((m) => m.createdAt !== null)?.createdAt ?? now;
  const clock = monotonicClock(firstTime);
  const steps: StepInput[] = [];
  const elements: PlannedElement[] = [];
  let run: StepInput | null = null;
  const closeRun = () => {
    if (run) run.end = isoFromMicros(clock.last);
  };
  // A file may give two messages one id (Claude's export is read message by message, whatever it holds): each must
  // still be a step of its own, not the second written over the first. The n-th use of an id is `{id}#n`, the same at
  // every import of the same file.
  const uses = new Map<string, number>();
  const uniqueId = (sourceId: string) => {
    const n = (uses.get(sourceId) ?? 0) + 1;
    uses.set(sourceId, n);
    return n === 1 ? sourceId : `${sourceId}#${n}`;
  };
  for (const message of conversation.messages) {
    // A new question ends the previous turn's run at its last reply, before the clock moves on.
    if (message.role === "user") closeRun();
    const at = isoFromMicros(clock.next(message.createdAt));
    const sourceId = uniqueId(message.sourceId);
    const id = childId("step", sourceId);
    if (message.role === "user") {
      steps.push({ id, threadId, type: "user_message", name: userId, output: message.text, createdAt: at, start: at, end: at });
      const runAt = isoFromMicros(clock.next(null));
      run = { id: childId("run", sourceId), threadId, type: "run", name: "on_message", parentId: id, input: message.text, createdAt: runAt, start: runAt, end: runAt };
      steps.push(run);
    } else if (message.role === "assistant") {
      const model = NAMED_BY_MODEL.has(format) ? message.name?.trim().slice(0, MODEL_NAME_MAX) : undefined;
      const name = model || ASSISTANT_NAMES[format];
      steps.push({ id, threadId, type: "assistant_message", name, parentId: run?.id ?? null, output: message.text, createdAt: at, start: at, end: at });
    } else {
      steps.push({ id, threadId, type: "tool", name: message.name ?? "tool", parentId: run?.id ?? null, input: message.input ?? "", output: message.text, createdAt: at, start: at, end: at });
    }
    for (const attachment of message.attachments) {
      elements.push({ id: childId("element", `${sourceId}:${attachment.sourceId}`), forId: id, name: attachment.name, mime: attachment.mime, source: attachment.source });
    }
  }
  closeRun();
  const createdAt = isoFromMicros(firstTime);
  const updatedAt = isoFromMicros(Math.max(conversation.updatedAt ?? 0, clock.last));
  const name = threadName(conversation.title);
  return {
    sourceId: conversation.sourceId,
    title: name ?? UNTITLED,
    thread: {
      id: threadId,
      name,
      createdAt,
      updatedAt,
      metadata: { importedFrom: format, sourceId: conversation.sourceId.slice(0, 200) },
      ...(conversation.tags && conversation.tags.length > 0 ? { tags: conversation.tags } : {}),
      steps,
    },
    elements,
    ...(conversation.pinned ? { pinned: true } : {}),
  };
}
