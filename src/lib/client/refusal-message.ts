/**
 * A server refusal in the reader's language (src/lib/shared/refusal.ts), or null when the answer carries none and
 * the caller falls back to its own words or the server's message.
 */
import type { Dictionary } from "@/lib/shared/i18n/en";
import { readRefusal } from "@/lib/shared/refusal";

export function refusalMessage(t: Dictionary, value: unknown): string | null {
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
  }
}
