/**
 * Why the server refused a request, in a form the browser can say in the reader's language. The routes and tRPC
 * errors keep their English `error`/`message` for scripts and logs; a refusal a person meets in the UI (a limit, the
 * storage being down, an import already running) also carries one of these, and the client words it
 * (src/lib/client/error-messages/refusal-message.ts). Plain data, no schema: it is read in the browser.
 */
export type RefusalCode = "upload-budget" | "storage-unavailable" | "import-running" | "import-too-large" | "thread-not-found" | "too-many-pins" | "too-many-tags" | "thread-full" | "deletion-running" | "deletion-not-cancellable" | "message-already-sent" | "reply-replaced" | "file-too-large" | "file-content-mismatch";

export interface Refusal {
  code: RefusalCode;
  /** For limits: when the request would be accepted again. */
  retryAfterSeconds?: number;
  /** For size limits: the limit, in MB. */
  limitMb?: number;
  /** For count limits (pins, tags): the most allowed. */
  limit?: number;
}

const CODES: ReadonlySet<string> = new Set<RefusalCode>(["upload-budget", "storage-unavailable", "import-running", "import-too-large", "thread-not-found", "too-many-pins", "too-many-tags", "thread-full", "deletion-running", "deletion-not-cancellable", "message-already-sent", "reply-replaced", "file-too-large", "file-content-mismatch"]);

const positive = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined);

/** The refusal in a response body or tRPC error data, or null: the server is trusted, but its answer is not assumed to be one. */
export function readRefusal(value: unknown): Refusal | null {
  if (!value || typeof value !== "object") return null;
  const { code, retryAfterSeconds, limitMb, limit } = value as Record<string, unknown>;
  if (typeof code !== "string" || !CODES.has(code)) return null;
  return { code: code as RefusalCode, retryAfterSeconds: positive(retryAfterSeconds), limitMb: positive(limitMb), limit: positive(limit) };
}
