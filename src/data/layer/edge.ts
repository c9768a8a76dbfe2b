/**
 * The layer's error edge. Chainlit caught nothing: boto3 ClientErrors (a ValidationException on a 400 KB item, #1776)
 * reached the server as 500s. Here every failure leaves the layer as a DataError with a code the API maps to a
 * status, the original kept as `cause`; anything unrecognised (a bug) is rethrown untouched.
 */
import { ZodError } from "zod";
import { DataError, isConditionalCheckFailed } from "../errors";
import { type LayerContext } from "./context";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Throttling, timeouts and server faults: retrying later can succeed. A missing table is a deployment fault. */
const UNAVAILABLE_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "InternalServerError",
  "ResourceNotFoundException",
]);

type SdkLikeError = { name?: string; code?: string; message?: string; $fault?: string; errors?: unknown[] };

function isUnavailable(error: unknown): boolean {
  const e = error as SdkLikeError | null;
  if (!e || typeof e !== "object") return false;
  if ((e.code && NETWORK_CODES.has(e.code)) || (e.name && UNAVAILABLE_NAMES.has(e.name)) || e.$fault === "server") return true;
  // Node's happy-eyeballs connect throws an AggregateError whose members carry the codes.
  return Array.isArray(e.errors) && e.errors.some(isUnavailable);
}

export function toDataError(error: unknown, operation: string): unknown {
  if (error instanceof DataError) return error;
  if (error instanceof ZodError) {
    const detail = error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
    return new DataError("validation", `${operation}: ${detail}`, { cause: error });
  }
  if (isConditionalCheckFailed(error)) return new DataError("conflict", `${operation}: the item changed meanwhile`, { cause: error });
  const e = error as SdkLikeError | null;
  if (e?.name === "ValidationException") {
    const tooLarge = /size has exceeded|item size|too large/i.test(e.message ?? "");
    return new DataError(tooLarge ? "too_large" : "validation", `${operation}: ${e.message ?? "rejected by DynamoDB"}`, { cause: error });
  }
  if (isUnavailable(error)) return new DataError("unavailable", `${operation}: DynamoDB is unavailable`, { cause: error });
  return error;
}

/** Runs one public operation: a debug line with ids and counts (never secrets or URLs), then the error edge. */
export async function atEdge<T>(ctx: LayerContext, operation: string, fields: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  ctx.logger.debug(operation, fields);
  try {
    return await run();
  } catch (error) {
    const mapped = toDataError(error, operation);
    if (mapped instanceof DataError) ctx.logger.debug(`${operation} failed`, { ...fields, code: mapped.code });
    throw mapped;
  }
}

/** Runs a conditional write; when its condition fails, returns `otherwise()` instead (which may throw). */
export async function onConditionFailed<T, F>(run: () => Promise<T>, otherwise: () => F): Promise<T | F> {
  try {
    return await run();
  } catch (error) {
    if (isConditionalCheckFailed(error)) return otherwise();
    throw error;
  }
}

export const notFound = (what: string): never => {
  throw new DataError("not_found", `${what} not found`);
};
