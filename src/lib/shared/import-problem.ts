/**
 * Why an import failed, or skipped a conversation, in a form each language can word (docs/import-export.md). The job
 * item keeps the English text (`error`, a skip's `reason`: for scripts, the CLI and logs, made from these through the
 * English dictionary) and the problem beside it (`errorProblem`, a skip's `problem`); the import dialog words the
 * problem in the reader's language, or shows the English text for a problem it does not know (a job written by
 * another version). Plain data, no schema: it is read in the browser.
 */

/** Why one entry of a zip was not read. */
export type EntryRefusal = { kind: "size"; size: string; limitMb: number } | { kind: "bomb"; ratio: number | null };

/** Why an attachment of a conversation was not stored. */
export type AttachmentProblem =
  | { kind: "missing" }
  | { kind: "refused"; refusal: EntryRefusal }
  | { kind: "name" }
  | { kind: "type"; name: string; allowed: string }
  | { kind: "over"; name: string; limitMb: number }
  | { kind: "too-large" }
  | { kind: "not-stored" }
  | { kind: "entry"; problem: ImportProblem };

export type ImportProblem =
  // The whole file (the job fails).
  | { code: "not-zip"; detail: string }
  | { code: "zip-entries"; entries: number; limit: number }
  | { code: "zip-expands"; limitMb: number }
  | { code: "zip-damaged"; detail: string }
  | { code: "entry-refused"; name: string; refusal: EntryRefusal }
  | { code: "entry-unreadable"; name: string; detail: string }
  | { code: "entry-over"; name: string; limitMb: number }
  | { code: "entry-damaged"; name: string; detail: string }
  | { code: "no-index" }
  | { code: "conversations-refused"; refusal: EntryRefusal }
  | { code: "no-conversation" }
  | { code: "unknown-json" }
  | { code: "unknown-conversations" }
  | { code: "not-index" }
  | { code: "json-total"; limitMb: number }
  | { code: "json-document"; limitMb: number }
  | { code: "not-json" }
  | { code: "json-trailing" }
  | { code: "json-deep"; limit: number }
  | { code: "json-cut-off" }
  | { code: "storage-unavailable" }
  | { code: "store-unavailable" }
  | { code: "unexpected" }
  | { code: "interrupted" }
  | { code: "given-up"; times: number }
  | { code: "never-resumed" }
  | { code: "upload-budget"; limitMb: number; hours: number }
  // One conversation (it is skipped).
  | { code: "empty" }
  | { code: "item-over"; limitMb: number }
  | { code: "not-object" }
  | { code: "invalid-json" }
  | { code: "unreadable" }
  | { code: "json-missing" }
  | { code: "skipped-entry"; refusal: EntryRefusal }
  | { code: "id-taken" }
  | { code: "message-too-large" }
  | { code: "does-not-fit" }
  | { code: "too-many"; limit: number; unit: "messages" | "steps" }
  | { code: "not-format"; format: "chatgpt" | "claude" | "open-webui" | "librechat" | "threadbook" }
  | { code: "no-id"; field: "id" | "uuid" | "conversationId"; unit: "conversation" | "thread" }
  | { code: "attachment"; name: string; problem: AttachmentProblem };

export type ImportProblemCode = ImportProblem["code"];

/** Every code, so a problem read back from a job item can be told from anything else stored there. */
export const IMPORT_PROBLEM_CODES: ReadonlySet<string> = new Set<ImportProblemCode>([
  "not-zip", "zip-entries", "zip-expands", "zip-damaged", "entry-refused", "entry-unreadable", "entry-over", "entry-damaged",
  "no-index", "conversations-refused", "no-conversation", "unknown-json", "unknown-conversations", "not-index", "json-total",
  "json-document", "not-json", "json-trailing", "json-deep", "json-cut-off", "storage-unavailable", "store-unavailable",
  "unexpected", "interrupted", "given-up", "never-resumed", "upload-budget", "empty", "item-over", "not-object", "invalid-json", "unreadable", "json-missing", "skipped-entry", "id-taken",
  "message-too-large", "does-not-fit", "too-many", "not-format", "no-id", "attachment",
]);

/** A problem as stored, or null for anything that is not one (a job of another version, a damaged item). */
export function readImportProblem(value: unknown): ImportProblem | null {
  if (!value || typeof value !== "object") return null;
  const code = (value as { code?: unknown }).code;
  return typeof code === "string" && IMPORT_PROBLEM_CODES.has(code) ? (value as ImportProblem) : null;
}
