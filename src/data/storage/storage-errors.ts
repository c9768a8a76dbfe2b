/**
 * SDK failures → one typed DataError("storage") that names the bucket or container, so "the bucket is missing" or
 * "the key is wrong" reads as such in logs instead of a bare `UnknownError`. A failure is always thrown, never
 * papered over: Chainlit returned the bare object key as if it were a URL (docs/chainlit.md, "Storage clients").
 */
import { DataError } from "../errors";

export type StorageFailure = "missing" | "denied" | "unreachable" | "failed";

/** What the error is about, e.g. `{ kind: "S3 bucket", name: "uploads", endpoint: "http://127.0.0.1:4569" }`. */
export interface StorageTarget {
  kind: "S3 bucket" | "Azure container";
  name: string;
  /** Where the service was expected: shown when it is unreachable. Never holds credentials. */
  endpoint: string;
}

export class StorageError extends DataError {
  constructor(
    readonly failure: StorageFailure,
    readonly target: StorageTarget,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("storage", message, options);
  }
}

const MISSING = new Set(["NoSuchBucket", "ContainerNotFound", "ContainerBeingDeleted"]);
const DENIED = new Set([
  "AccessDenied",
  "AllAccessDisabled",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AuthorizationFailure",
  "AuthenticationFailed",
  "AuthorizationPermissionMismatch",
  "InvalidAuthenticationInfo",
]);
/**
 * Socket-level codes (Node) and the SDKs' names for "no response at all". Azure's HTTP client reports its per-try
 * timeout (azure-storage.ts) as an AbortError.
 */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "REQUEST_SEND_ERROR", "TimeoutError", "AbortError"]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  statusCode?: number;
  details?: { errorCode?: string };
  $metadata?: { httpStatusCode?: number };
}

/** S3 puts the service code in `name`/`Code` and the status in `$metadata`; Azure's RestError uses `code`/`details` and `statusCode`. */
function describe(error: unknown): { code: string; status?: number } {
  const e = (error ?? {}) as SdkErrorShape;
  const code = e.details?.errorCode ?? e.Code ?? e.code ?? e.name ?? "Error";
  return { code, status: e.$metadata?.httpStatusCode ?? e.statusCode };
}

export function classify(error: unknown): StorageFailure {
  const { code, status } = describe(error);
  if (MISSING.has(code)) return "missing";
  if (DENIED.has(code) || status === 403) return "denied";
  if (UNREACHABLE.has(code) || UNREACHABLE.has((error as SdkErrorShape | null)?.name ?? "")) return "unreachable";
  return "failed";
}

/** `operation` is a verb phrase for the message, e.g. "upload" or "delete prefix". */
export function toStorageError(error: unknown, target: StorageTarget, operation: string): DataError {
  if (error instanceof DataError) return error;
  const failure = classify(error);
  const { code, status } = describe(error);
  const what = `${target.kind} "${target.name}"`;
  const message = {
    missing: `${what} does not exist (${operation})`,
    denied: `access to ${what} was denied (${operation}: ${code}); check the storage credentials and their permissions`,
    unreachable: `${what} is unreachable at ${target.endpoint} (${operation}: ${code})`,
    failed: `${operation} failed on ${what}: ${code}${status ? ` (HTTP ${status})` : ""}`,
  }[failure];
  return new StorageError(failure, target, message, { cause: error });
}
