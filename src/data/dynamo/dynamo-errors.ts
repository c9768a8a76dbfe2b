/**
 * DynamoDB's error answers as the SDK's own exceptions, and which of them are worth another attempt, for the direct
 * sender (dynamo/dynamo-direct.ts). The layer and the API tell errors apart by `name` and `$fault` (edge.ts); the classes
 * are the SDK's, so `instanceof ConditionalCheckFailedException` holds too, and the retry classes follow the SDK's
 * (@smithy/service-error-classification) so both paths retry the same answers.
 */
import * as sdk from "@aws-sdk/client-dynamodb";
import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import type { ResponseMetadata, RetryErrorType } from "@smithy/types";

type ExceptionClass = new (options: { message?: string; $metadata: ResponseMetadata }) => DynamoDBServiceException;

/** The exceptions the layer's operations can meet, by the name DynamoDB gives them. */
const MODELED = new Map<string, ExceptionClass>(
  (
    [
      "ConditionalCheckFailedException",
      "InternalServerError",
      "ItemCollectionSizeLimitExceededException",
      "LimitExceededException",
      "ProvisionedThroughputExceededException",
      "ReplicatedWriteConflictException",
      "RequestLimitExceeded",
      "ResourceInUseException",
      "ResourceNotFoundException",
      "ThrottlingException",
      "TransactionConflictException",
    ] as const
  ).map((name) => [name, sdk[name] as unknown as ExceptionClass]),
);

const THROTTLING = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);
const CLOCK_SKEW = new Set(["AuthFailure", "InvalidSignatureException", "RequestExpired", "RequestInTheFuture", "RequestTimeTooSkewed", "SignatureDoesNotMatch"]);
const TRANSIENT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** The exception an error answer stands for: `{"__type": "…#Name", "message": "…"}` with its other members kept. */
export function serviceError(statusCode: number, body: string, $metadata: ResponseMetadata): DynamoDBServiceException {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // A proxy's HTML page or an empty body: the status alone names it.
  }
  const type = typeof parsed.__type === "string" ? parsed.__type : "";
  const name = type.slice(type.lastIndexOf("#") + 1) || (statusCode >= 500 ? "InternalServerError" : `HTTP${statusCode}`);
  const message = String(parsed.message ?? parsed.Message ?? name);
  const { __type: _type, message: _m, Message: _M, ...members } = parsed;
  const Known = MODELED.get(name);
  const error = Known
    ? new Known({ message, $metadata })
    : new DynamoDBServiceException({ name, $fault: statusCode >= 500 ? "server" : "client", message, $metadata });
  return Object.assign(error, members);
}

export const isClockSkewError = (name: string): boolean => CLOCK_SKEW.has(name);

/** How the SDK's standard retry strategy should treat a failed attempt, or null when it is final. */
export function retryType(error: unknown, statusCode: number | undefined): RetryErrorType | null {
  const e = error as { name?: string; code?: string; $retryable?: { throttling?: boolean } } | null;
  const name = e?.name ?? "";
  if (THROTTLING.has(name) || statusCode === 429 || e?.$retryable?.throttling) return "THROTTLING";
  if (TRANSIENT_NAMES.has(name) || (e?.code && TRANSIENT_CODES.has(e.code)) || (statusCode !== undefined && TRANSIENT_STATUS.has(statusCode))) return "TRANSIENT";
  if (statusCode !== undefined && statusCode >= 500) return "SERVER_ERROR";
  return null;
}
