/**
 * Which tRPC results the development logger prints (react.tsx): failures only, and never a request its caller
 * cancelled. A search typed over, or a query whose page went away, ends with the fetch aborted: tRPC hands the
 * logger that as an error ("signal is aborted without reason"), which is no fault of the app and drowned real ones.
 */
export interface LoggedOp {
  direction: "up" | "down";
  result?: unknown;
  signal?: AbortSignal | null;
}

export function isLoggedFailure(op: LoggedOp): boolean {
  if (op.direction !== "down" || !(op.result instanceof Error)) return false;
  return !(op.signal?.aborted || isAbort(op.result));
}

/** An AbortError itself, or an error caused by one (TRPCClientError keeps the fetch's error as its cause). */
function isAbort(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  return error.name === "AbortError" || isAbort(error.cause, depth + 1);
}
