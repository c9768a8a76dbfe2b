/**
 * Why a setting was not saved, or an action not done, in the reader's language, keyed on the tRPC error's code (docs/conventions.md,
 * "Errors"): the server's messages are English, for scripts and logs, and never shown as they are. A refusal the
 * server words (src/lib/shared/refusal.ts) comes first; an answer without a code (the request never reached the server,
 * or its answer was cut) is a connection problem.
 */
import type { Dictionary } from "@/lib/shared/i18n/en";
import { refusalMessage } from "./refusal-message";

/** The dictionary's five words for one kind of failure: any other code, no answer, and the three codes worded. */
interface FailureWords {
  failed: keyof Dictionary;
  offline: keyof Dictionary;
  UNAUTHORIZED: keyof Dictionary;
  TOO_MANY_REQUESTS: keyof Dictionary;
  SERVICE_UNAVAILABLE: keyof Dictionary;
}
const CODES = ["UNAUTHORIZED", "TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE"] as const;

function failureMessage(t: Dictionary, error: unknown, words: FailureWords): string {
  const data = (error as { data?: { code?: unknown; refusal?: unknown } | null } | null)?.data;
  const refused = refusalMessage(t, data?.refusal);
  if (refused) return refused;
  if (typeof data?.code !== "string") return t[words.offline] as string;
  const code = CODES.find((known) => known === data.code);
  return t[code ? words[code] : words.failed] as string;
}

const SAVE: FailureWords = {
  failed: "saveFailed",
  offline: "saveFailedOffline",
  UNAUTHORIZED: "saveFailedSignedOut",
  TOO_MANY_REQUESTS: "saveFailedTooFast",
  SERVICE_UNAVAILABLE: "saveFailedUnavailable",
};
const ACTION: FailureWords = {
  failed: "actionFailed",
  offline: "actionFailedOffline",
  UNAUTHORIZED: "actionFailedSignedOut",
  TOO_MANY_REQUESTS: "actionFailedTooFast",
  SERVICE_UNAVAILABLE: "actionFailedUnavailable",
};

/** A setting that was not saved. */
export const saveErrorMessage = (t: Dictionary, error: unknown): string => failureMessage(t, error, SAVE);

/** A button's action that did not happen (start, cancel or retry a deletion…). */
export const actionErrorMessage = (t: Dictionary, error: unknown): string => failureMessage(t, error, ACTION);
