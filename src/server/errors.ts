/**
 * Data-layer errors become tRPC codes in one place; anything unexpected is logged and reaches
 * the client as a bare INTERNAL_SERVER_ERROR: no stack, no internal keys (issue 5).
 */
import { TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { getLogger, isDataError, type DataErrorCode } from "@/data";

const CODES: Record<DataErrorCode, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  validation: "BAD_REQUEST",
  invalid_cursor: "BAD_REQUEST",
  conflict: "CONFLICT",
  too_large: "PAYLOAD_TOO_LARGE",
  storage: "SERVICE_UNAVAILABLE",
  unavailable: "SERVICE_UNAVAILABLE",
};

const PUBLIC_MESSAGES: Partial<Record<DataErrorCode, string>> = {
  not_found: "Not found",
  storage: "File storage is unavailable right now; please try again.",
  unavailable: "The history store is unavailable right now; please try again.",
};

const log = getLogger("API");

export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (isDataError(error)) {
    if (error.code === "storage" || error.code === "unavailable") log.error(error.message, { code: error.code });
    return new TRPCError({ code: CODES[error.code], message: PUBLIC_MESSAGES[error.code] ?? error.message });
  }
  log.error("unexpected error", { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong" });
}
