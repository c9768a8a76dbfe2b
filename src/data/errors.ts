/** Typed data-layer failures; the API maps each code to one HTTP status (server/errors.ts). */
export type DataErrorCode = "not_found" | "validation" | "conflict" | "invalid_cursor" | "too_large" | "storage" | "unavailable";

export class DataError extends Error {
  override readonly name = "DataError";
  constructor(
    readonly code: DataErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isDataError = (error: unknown, code?: DataErrorCode): error is DataError =>
  error instanceof DataError && (code === undefined || error.code === code);

export const isConditionalCheckFailed = (error: unknown): boolean =>
  (error as { name?: string } | null)?.name === "ConditionalCheckFailedException";
