/**
 * Threadbook's own exports: a thread's JSON (`{ threadbookExport, thread }`, src/server/export/thread-export.ts) and
 * the account export (export-all.ts: a zip with `index.json` naming each thread's JSON and attachments). Steps keep their
 * types, names, texts and times; every id is re-derived for the importing user, so the file's ids (another account's,
 * or crafted ones) never name what gets written.
 */
import { FEEDBACK_COMMENT_MAX, isoFromMicros, tagsToImport, timestampMicros, type ImportedFeedback, type StepInput } from "@/data";
import { type PlannedElement, type PlannedThread, monotonicClock, threadName, UNTITLED } from "../plan-thread";
import { asString, isRecord, SkipConversation } from "../source-model";
import { importedChildId, importedThreadId } from "../uuid-v5";

export const THREADBOOK_INDEX = "index.json";
export const isThreadbookThreadExport = (value: unknown): boolean => isRecord(value) && typeof value.threadbookExport === "number" && isRecord(value.thread);
export const isThreadbookAccountIndex = (value: unknown): boolean => isRecord(value) && typeof value.threadbookAccountExport === "number" && Array.isArray(value.threads);

/** Step fields carried over as they are (strings, booleans, JSON bags); ids, parents, times and feedback are rebuilt. */
const TEXT_FIELDS = ["type", "name", "input", "output", "language", "icon", "command"] as const;
const FLAG_FIELDS = ["isError", "defaultOpen", "autoCollapse", "waitForAnswer"] as const;
const BAG_FIELDS = ["metadata", "generation"] as const;

export interface ThreadbookAttachments {
  /** element id in the file → zip entry holding its bytes */
  get(elementId: string): string | undefined;
}

export function planThreadbookThread(document: unknown, userId: string, attachments: ThreadbookAttachments, now: number, maxMessages: number): PlannedThread | null {
  const thread = isRecord(document) && isRecord(document.thread) ? document.thread : null;
  if (!thread) throw new SkipConversation("", { code: "not-format", format: "threadbook" });
  const title = threadName(asString(thread.name));
  const sourceId = asString(thread.id);
  if (!sourceId) throw new SkipConversation(title ?? "", { code: "no-id", field: "id", unit: "thread" });
  const rawSteps = (Array.isArray(thread.steps) ? thread.steps : []).filter(isRecord);
  if (rawSteps.length === 0) return null;
  if (rawSteps.length > maxMessages) throw new SkipConversation(title ?? "", { code: "too-many", limit: maxMessages, unit: "steps" });
  const threadId = importedThreadId(userId, "threadbook", sourceId);
  const stepIds = new Set(rawSteps.map((s) => asString(s.id)).filter((id): id is string => Boolean(id)));
  const idOf = (kind: string, id: string) => importedChildId(threadId, kind, id);
  const clock = monotonicClock(timestampMicros(thread.createdAt) ?? now);
  const time = (value: unknown) => isoFromMicros(clock.next(timestampMicros(value)));
  const feedback: ImportedFeedback[] = [];
  const steps = rawSteps.flatMap((raw, index): StepInput[] => {
    const sourceStepId = asString(raw.id) ?? `#${index}`;
    const step: Record<string, unknown> = { id: idOf("step", sourceStepId), threadId };
    const rating = feedbackOf(raw.feedback);
    if (rating) feedback.push({ forId: step.id as string, ...rating });
    for (const field of TEXT_FIELDS) if (typeof raw[field] === "string") step[field] = raw[field];
    for (const field of FLAG_FIELDS) if (typeof raw[field] === "boolean") step[field] = raw[field];
    for (const field of BAG_FIELDS) if (isRecord(raw[field])) step[field] = raw[field];
    if (typeof raw.showInput === "boolean" || typeof raw.showInput === "string") step.showInput = raw.showInput;
    const parent = asString(raw.parentId);
    step.parentId = parent && stepIds.has(parent) ? idOf("step", parent) : null;
    // The author of a user message is whoever imports it now (Chainlit names user messages by identifier).
    if (step.type === "user_message") step.name = userId;
    step.createdAt = time(raw.createdAt ?? raw.start);
    step.start = step.createdAt;
    const end = timestampMicros(raw.end);
    step.end = end !== null ? isoFromMicros(Math.max(end, clock.last)) : null;
    return [step as StepInput];
  });
  const elements = (Array.isArray(thread.elements) ? thread.elements : []).filter(isRecord).flatMap((raw): PlannedElement[] => {
    const elementId = asString(raw.id);
    const entryName = elementId ? attachments.get(elementId) : undefined;
    const forId = asString(raw.forId);
    // Only files whose bytes travel with the export (the account zip) can be restored.
    if (!elementId || !entryName || !forId || !stepIds.has(forId)) return [];
    return [{
      id: idOf("element", elementId),
      forId: idOf("step", forId),
      name: asString(raw.name) ?? elementId,
      mime: asString(raw.mime),
      type: asString(raw.type),
      display: asString(raw.display),
      size: asString(raw.size),
      source: { kind: "entry", entryName },
    }];
  });
  const last = Math.max(timestampMicros(thread.updatedAt) ?? 0, clock.last);
  return {
    sourceId,
    title: title ?? UNTITLED,
    thread: {
      id: threadId,
      name: title,
      createdAt: isoFromMicros(timestampMicros(thread.createdAt) ?? clock.last),
      updatedAt: isoFromMicros(last),
      metadata: { importedFrom: "threadbook", sourceId: sourceId.slice(0, 200) },
      // Its tags (the export's `tags`, Chainlit's attribute), checked as the tags router checks an add.
      ...(Array.isArray(thread.tags) ? { tags: tagsToImport(thread.tags) } : {}),
      // The thread it was exported from: still this user's, it is not imported again (importThreads).
      sameAs: sourceId,
      steps,
      feedback,
    },
    elements,
  };
}

/** A step's 👍/👎 as the export carries it (Chainlit's FeedbackDict: value 1 or 0, maybe 1.0, and a comment). */
function feedbackOf(raw: unknown): Pick<ImportedFeedback, "value" | "comment"> | null {
  if (!isRecord(raw)) return null;
  const value = Number(raw.value);
  if (value !== 0 && value !== 1) return null;
  const comment = typeof raw.comment === "string" && raw.comment.trim() ? raw.comment.slice(0, FEEDBACK_COMMENT_MAX) : null;
  return { value, comment };
}
