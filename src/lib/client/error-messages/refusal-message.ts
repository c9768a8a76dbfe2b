/**
 * A server refusal in the reader's language (src/lib/shared/refusal.ts), or null when the answer carries none and
 * the caller falls back to its own words or the server's message. A refusal of one file is worded with that file's name,
 * which the browser knows (the server's answer is not trusted to carry it); without one it is left to the caller.
 */
import type { Dictionary } from "@/lib/shared/i18n/en";
import { readRefusal } from "@/lib/shared/refusal";
import { extensionOf } from "../transfers/upload";

export function refusalMessage(t: Dictionary, value: unknown, fileName?: string): string | null {
  const refusal = readRefusal(value);
  if (!refusal) return null;
  const hours = refusal.retryAfterSeconds ? Math.ceil(refusal.retryAfterSeconds / 3600) : null;
  switch (refusal.code) {
    case "upload-budget":
      return t.uploadBudgetReached(refusal.limitMb ?? null, hours);
    case "storage-unavailable":
      return t.storageUnavailable;
    case "import-running":
      return t.importAlreadyRunning;
    case "import-too-large":
      return t.importTooLarge(refusal.limitMb ?? null);
    case "thread-not-found":
      return t.notFoundTitle;
    case "too-many-pins":
      return t.tooManyPins(refusal.limit ?? null);
    case "too-many-tags":
      return t.tooManyTags(refusal.limit ?? null);
    case "thread-full":
      return t.threadFull;
    case "deletion-running":
      return t.deletionRunningRefusal;
    case "deletion-not-cancellable":
      return t.deletionNotCancellable;
    case "message-already-sent":
      return t.messageAlreadySent;
    case "reply-replaced":
      return t.replyReplaced;
    case "file-too-large":
      return fileName && refusal.limitMb ? t.fileTooLarge(fileName, refusal.limitMb) : null;
    case "file-content-mismatch":
      return fileName ? t.fileContentMismatch(fileName, extensionOf(fileName).toUpperCase()) : null;
  }
}
