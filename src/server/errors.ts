/**
 * Data-layer errors become tRPC codes in one place; anything unexpected is logged and reaches
 * the client as a bare INTERNAL_SERVER_ERROR: no stack, no internal keys.
 */
import { TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { getLogger, isDataError, type DataError, type DataErrorCode } from "@/data";
import type { Refusal } from "@/lib/shared/refusal";

const CODES: Record<DataErrorCode, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  validation: "BAD_REQUEST",
  invalid_cursor: "BAD_REQUEST",
  conflict: "CONFLICT",
  too_large: "PAYLOAD_TOO_LARGE",
  storage: "SERVICE_UNAVAILABLE",
  unavailable: "SERVICE_UNAVAILABLE",
};

/**
 * What a client reads for each code. A DataError's own message is for the log: it names ids, keys, the bucket or the
 * check that failed ("invalid cursor (user)"), which tells an attacker how the store works and a user nothing.
 */
const PUBLIC_MESSAGES: Record<DataErrorCode, string> = {
  not_found: "Not found",
  validation: "The request could not be processed. Please check what you entered and try again.",
  invalid_cursor: "This list is out of date. Please reload it.",
  conflict: "Something changed at the same time. Please try again.",
  too_large: "This is too large to store.",
  storage: "File storage is unavailable right now; please try again.",
  unavailable: "The history store is unavailable right now; please try again.",
};

const log = getLogger("API");

/** A refusal a person meets in the UI, thrown as a TRPCError's cause: the error formatter hands it to the client. */
export class RefusalCause extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.code);
  }
}

/** A tRPC error carrying a refusal (src/lib/shared/refusal.ts) beside its English message. */
export const refusedError = (code: TRPC_ERROR_CODE_KEY, message: string, refusal: Refusal) => new TRPCError({ code, message, cause: new RefusalCause(refusal) });

/**
 * A write to a THREAD item Chainlit filled to 400 KB that still grows it after the layer's lean retry (threads.ts,
 * writeThreadFitting): said as what it is, so the owner knows a shorter name fits and nothing was lost.
 */
export async function refusingFullThread<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (!isDataError(error, "too_large")) throw error;
    throw refusedError("PAYLOAD_TOO_LARGE", "This conversation is full: a Chainlit session stored nearly 400 KB of its data in it, so it cannot take a longer name or a share.", { code: "thread-full" });
  }
}

/** The fixed, user-facing message for a data-layer failure; the internal reason goes to the log only. */
export function publicMessage(error: DataError): string {
  return PUBLIC_MESSAGES[error.code];
}

export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (isDataError(error)) {
    if (error.code === "storage" || error.code === "unavailable") log.error(error.message, { code: error.code });
    else log.debug(error.message, { code: error.code });
    return new TRPCError({ code: CODES[error.code], message: publicMessage(error) });
  }
  log.error("unexpected error", { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong" });
}
