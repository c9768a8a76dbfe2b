/**
 * What may be attached to a message: a size limit (MAX_UPLOAD_MB) and a type allow-list, each refused with a clear message.
 * Types are checked by MIME and by extension, so a renamed executable is not let through as text.
 */
import type { Refusal } from "@/lib/shared/refusal";

export const ALLOWED_TYPES: Record<string, { extensions: string[]; elementType: "image" | "pdf" | "text" | "audio" | "video" | "file" }> = {
  "image/png": { extensions: ["png"], elementType: "image" },
  "image/jpeg": { extensions: ["jpg", "jpeg"], elementType: "image" },
  "image/gif": { extensions: ["gif"], elementType: "image" },
  "image/webp": { extensions: ["webp"], elementType: "image" },
  "application/pdf": { extensions: ["pdf"], elementType: "pdf" },
  "text/plain": { extensions: ["txt", "log", "md"], elementType: "text" },
  "text/markdown": { extensions: ["md", "markdown"], elementType: "text" },
  "text/csv": { extensions: ["csv"], elementType: "file" },
  "application/json": { extensions: ["json"], elementType: "text" },
  "audio/mpeg": { extensions: ["mp3"], elementType: "audio" },
  "audio/wav": { extensions: ["wav"], elementType: "audio" },
  "video/mp4": { extensions: ["mp4"], elementType: "video" },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { extensions: ["docx"], elementType: "file" },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { extensions: ["xlsx"], elementType: "file" },
};

export const ALLOWED_EXTENSIONS = [...new Set(Object.values(ALLOWED_TYPES).flatMap((t) => t.extensions))].sort();

/** A file name's last extension, lower case ("" without one). */
export const extensionOf = (name: string): string => (name.includes(".") ? name.split(".").pop()!.toLowerCase() : "");

export type AttachmentCheck = { ok: true; mime: string; elementType: string } | { ok: false; status: 413 | 415 | 400; message: string; refusal?: Refusal };

/** Checks a file before any byte is stored. `declaredBytes` is the Content-Length when the client sent one. */
export function checkAttachment(fileName: string, mime: string, declaredBytes: number | null, maxBytes: number): AttachmentCheck {
  const name = fileName.trim();
  if (!name || name.length > 255) return { ok: false, status: 400, message: "The file needs a name of at most 255 characters." };
  const cleanMime = mime.split(";")[0]!.trim().toLowerCase();
  const extension = extensionOf(name);
  const allowed = ALLOWED_TYPES[cleanMime];
  if (!allowed || !allowed.extensions.includes(extension)) {
    return { ok: false, status: 415, message: `“${name}” is not a supported file type. Allowed: ${ALLOWED_EXTENSIONS.join(", ")}.` };
  }
  if (declaredBytes !== null && declaredBytes > maxBytes) return { ok: false, status: 413, message: tooLargeMessage(name, maxBytes), refusal: tooLargeRefusal(maxBytes) };
  return { ok: true, mime: cleanMime, elementType: allowed.elementType };
}

/** A file whose first bytes are not its type's (content-signatures.ts): named by its extension, as the user knows it. */
export function contentMismatchMessage(fileName: string): string {
  const name = fileName.trim();
  return `“${name}” is not a ${extensionOf(name).toUpperCase()} file: its content does not match its type, so it was not saved.`;
}

export const tooLargeMessage = (name: string, maxBytes: number) => `“${name}” is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`;

/** The same two refusals, for the browser to word in the reader's language with the file's name (refusal.ts). */
export const tooLargeRefusal = (maxBytes: number): Refusal => ({ code: "file-too-large", limitMb: Math.round(maxBytes / 1024 / 1024) });
export const CONTENT_MISMATCH_REFUSAL: Refusal = { code: "file-content-mismatch" };

