/**
 * Why a setting was not saved, in the reader's language, keyed on the tRPC error's code (docs/conventions.md,
 * "Errors"): the server's messages are English, for scripts and logs, and never shown as they are. A refusal the
 * server words (src/lib/shared/refusal.ts) comes first; an answer without a code (the request never reached the server,
 * or its answer was cut) is a connection problem.
 */
import type { Dictionary } from "@/lib/shared/i18n/en";
import { refusalMessage } from "./refusal-message";

type SaveFailure = "saveFailedSignedOut" | "saveFailedTooFast" | "saveFailedUnavailable";
const BY_CODE: Readonly<Record<string, SaveFailure>> = {
  UNAUTHORIZED: "saveFailedSignedOut",
  TOO_MANY_REQUESTS: "saveFailedTooFast",
  SERVICE_UNAVAILABLE: "saveFailedUnavailable",
};

export function saveErrorMessage(t: Dictionary, error: unknown): string {
  const data = (error as { data?: { code?: unknown; refusal?: unknown } | null } | null)?.data;
  const refused = refusalMessage(t, data?.refusal);
  if (refused) return refused;
  if (typeof data?.code !== "string") return t.saveFailedOffline;
  const known = Object.hasOwn(BY_CODE, data.code) ? BY_CODE[data.code] : undefined;
  return known ? t[known] : t.saveFailed;
}
