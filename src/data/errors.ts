/** Typed data-layer failures; the API maps each code to one HTTP status (server/errors.ts). */
export type DataErrorCode = "not_found" | "validation" | "conflict" | "invalid_cursor" | "too_large" | "storage" | "unavailable";

/**
 * What makes an error a DataError, whichever copy of this module made it. A built server holds this module more than
 * once (Next bundles instrumentation.ts, which builds the shared services and so the data layer, apart from the
 * routes), and `instanceof` against one copy's class is false for another's: every DataError the layer threw reached
 * the API's isDataError as "unexpected", so a stale cursor, a bad input or storage being down was a 500 "Something
 * went wrong" instead of its 400 or 503 (docs/security.md, "Errors name no internal reason"). A registered symbol is
 * the same in every copy.
 */
const DATA_ERROR: unique symbol = Symbol.for("threadbook.DataError");

export class DataError extends Error {
  /** `instanceof DataError` holds for an instance of any copy of the class; a subclass's own test is the usual one. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== DataError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as { [DATA_ERROR]?: unknown })[DATA_ERROR] === true;
  }
  readonly [DATA_ERROR] = true;
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
