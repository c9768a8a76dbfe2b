/**
 * A thread as a file the user keeps: Markdown to read, JSON to re-import or process. Pure functions of the thread as
 * the layer returns it. Signed links expire within minutes and object keys are storage internals, so neither is
 * written; attachments appear by name.
 */
import { threadNameShown, timestampDate, type Element, type Step, type ThreadWithContent } from "@/data";
import { attachElements, buildStepTree, conversationOrder, feedbackTargets } from "@/lib/shared/thread/build-step-tree";
import { fenced } from "@/lib/shared/format";
import { toPublicThread } from "../thread/public-thread";

export type ThreadExportFormat = "json" | "markdown";

export interface ThreadExport {
  fileName: string;
  mime: string;
  content: string;
}

export const EXPORT_VERSION = 1;
const FILE_STEM_MAX = 80;
const UNTITLED = "Untitled thread";

export function exportThread(thread: ThreadWithContent, format: ThreadExportFormat): ThreadExport {
  return format === "json"
    ? { fileName: exportFileName(thread, "json"), mime: "application/json", content: threadToJson(thread) }
    : { fileName: exportFileName(thread, "md"), mime: "text/markdown; charset=utf-8", content: threadToMarkdown(thread) };
}

/** `plan-a-trip-to-kyoto.md`: ASCII letters, digits and dashes only, so every OS and browser keeps the name. */
export function exportFileName(thread: Pick<ThreadWithContent, "id" | "name">, extension: string): string {
  const stem = (threadNameShown(thread.name) ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, FILE_STEM_MAX)
    .replace(/^-+|-+$/g, "");
  return `${stem || `thread-${thread.id.slice(0, 8).replace(/[^A-Za-z0-9_-]/g, "")}`}.${extension}`;
}

// ---------------------------------------------------------------- JSON

function exportElement({ url: _url, urlExpiresAt: _expires, objectKey: _key, shareCopyKey: _copy, previewKey: _preview, previewRefused: _refused, previewRetry: _retry, previewUrl: _link, previewUrlExpiresAt: _linkExpiry, ...element }: Element) {
  return element;
}

export function threadToJson(thread: ThreadWithContent): string {
  const document = { threadbookExport: EXPORT_VERSION, thread: toPublicThread(thread, exportElement) };
  return `${JSON.stringify(document, null, 2)}\n`;
}

// ---------------------------------------------------------------- Markdown

const SPEAKERS: Record<string, string> = { user_message: "You", assistant_message: "Assistant", system_message: "System" };

/** `2025-03-04 09:15 UTC`: stored times are UTC ISO strings (any precision, timestamps.ts); anything else is written as stored. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "unknown";
  const date = timestampDate(value);
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : value;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

function feedbackLine(feedback: NonNullable<Step["feedback"]>): string {
  const verdict = feedback.value === 1 ? "👍 helpful" : "👎 not helpful";
  const comment = feedback.comment ? `: “${oneLine(feedback.comment)}”` : "";
  return `> Feedback: ${verdict}${comment}`;
}

function attachmentLines(elements: readonly Element[]): string[] {
  return elements.map((e) => `- 📎 ${oneLine(e.name ?? e.id)}${e.mime ? ` (${e.mime})` : ""}`);
}

/**
 * Messages speak in their own Markdown; every other step (tool, llm, retrieval…) is shown as its input and output.
 * A run only wraps its turn (its input repeats the question): it adds its attachments, nothing else. `feedback` is
 * what this block shows: a run's rating goes under its answer, as the thread view shows it.
 */
function stepBlock(step: Step, attachments: readonly Element[], feedback: Step["feedback"]): string | null {
  const speaker = step.type ? SPEAKERS[step.type] : undefined;
  const parts: string[] = [];
  if (speaker) {
    parts.push(`**${speaker}** · ${formatTime(step.createdAt ?? step.start)}`, step.output?.trim() || step.input?.trim() || "_(no text)_");
  } else if (step.type === "run") {
    if (attachments.length === 0 && !feedback) return null;
  } else {
    if (!step.input && !step.output && attachments.length === 0 && !feedback) return null;
    parts.push(`**${step.type === "tool" ? "Tool" : "Step"}: ${oneLine(step.name ?? step.type ?? "step")}**`);
    if (step.input) parts.push(`Input:\n\n${fenced(step.input, step.language ?? "")}`);
    if (step.output) parts.push(`Output:\n\n${fenced(step.output, step.language ?? "")}`);
  }
  if (attachments.length > 0) parts.push(attachmentLines(attachments).join("\n"));
  const line = feedback ? feedbackLine(feedback) : null;
  if (line) parts.push(line);
  return parts.join("\n\n");
}

export function threadToMarkdown(thread: ThreadWithContent): string {
  const { byStep, orphans: loose } = attachElements(thread.elements, new Set(thread.steps.map((s) => s.id)));
  const title = threadNameShown(thread.name) ?? UNTITLED;
  const header = `# ${title}\n\nCreated ${formatTime(thread.createdAt)} · Last activity ${formatTime(thread.updatedAt ?? thread.createdAt)}`;
  // Reading order and feedback placement are the thread view's (build-step-tree.ts): a run's rating is shown under
  // its last answer; a rating no answer shows stays on its own step.
  const ordered = conversationOrder(thread.steps);
  const rated = feedbackTargets(buildStepTree(ordered));
  const shown = new Set([...rated.values()].map((s) => s.id));
  const feedbackOf = (step: Step) => rated.get(step.id)?.feedback ?? (shown.has(step.id) ? null : step.feedback);
  const sections = [header, ...ordered.flatMap((step) => stepBlock(step, byStep.get(step.id) ?? [], feedbackOf(step)) ?? [])];
  if (loose.length > 0) sections.push(`## Attachments\n\n${attachmentLines(loose).join("\n")}`);
  return `${sections.join("\n\n---\n\n")}\n`;
}
