import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { isLoggedFailure } from "./log-filter";

/** What fetch rejects with when its signal is aborted, as tRPC's link wraps it. */
async function abortedFetchError(): Promise<Error> {
  const error = await fetch("http://127.0.0.1:9/api/trpc/threads.list", { signal: AbortSignal.abort() }).catch((cause: unknown) => cause);
  return TRPCClientError.from(error as Error);
}

describe("isLoggedFailure", () => {
  it("logs a failed answer and a network failure", () => {
    const answered = TRPCClientError.from({ error: { message: "Something went wrong", code: -32603, data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 } } });
    expect(isLoggedFailure({ direction: "down", result: answered, signal: new AbortController().signal })).toBe(true);
    expect(isLoggedFailure({ direction: "down", result: TRPCClientError.from(new TypeError("Failed to fetch")), signal: null })).toBe(true);
  });

  it("does not log a request its caller cancelled", async () => {
    const error = await abortedFetchError();
    expect(error.cause).toMatchObject({ name: "AbortError" });
    expect(isLoggedFailure({ direction: "down", result: error, signal: null })).toBe(false);
    // However the error reads: the op's own signal says the caller went away.
    const cancelled = new AbortController();
    cancelled.abort();
    expect(isLoggedFailure({ direction: "down", result: TRPCClientError.from(new Error("Aborted")), signal: cancelled.signal })).toBe(false);
  });

  it("logs neither requests going up nor successful results", () => {
    expect(isLoggedFailure({ direction: "up" })).toBe(false);
    expect(isLoggedFailure({ direction: "down", result: { result: { data: [] } } })).toBe(false);
  });
});
