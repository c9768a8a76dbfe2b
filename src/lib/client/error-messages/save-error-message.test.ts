import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { en } from "@/lib/shared/i18n/en";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { actionErrorMessage, saveErrorMessage } from "./save-error-message";

/** A failed mutation as the tRPC client hands it over: the server's English message, its code in `data`. */
const answered = (code: string, message: string, refusal?: unknown) =>
  TRPCClientError.from({ error: { code: -32000, message, data: { code, httpStatus: 500, ...(refusal ? { refusal } : {}) } } });

describe("a setting not saved, in the reader's language", () => {
  it("words each code in both locales, never with the server's message", () => {
    const cases = [
      ["SERVICE_UNAVAILABLE", "The history store is unavailable right now; please try again.", "saveFailedUnavailable"],
      ["UNAUTHORIZED", "Sign in to continue", "saveFailedSignedOut"],
      ["TOO_MANY_REQUESTS", "Too many requests", "saveFailedTooFast"],
      ["INTERNAL_SERVER_ERROR", "Something went wrong", "saveFailed"],
      ["BAD_REQUEST", "Invalid input: expected 30 | 90 | 365 | null", "saveFailed"],
    ] as const;
    for (const [code, server, key] of cases) {
      const error = answered(code, server);
      expect(error.message).toBe(server);
      expect(saveErrorMessage(en, error)).toBe(en[key]);
      expect(saveErrorMessage(zhCN, error)).toBe(zhCN[key]);
      expect(saveErrorMessage(zhCN, error)).not.toBe(server);
    }
  });

  it("a request that never had an answer (offline, cut) is a connection problem, not the browser's English", () => {
    const offline = TRPCClientError.from(new TypeError("Failed to fetch"));
    expect(saveErrorMessage(en, offline)).toBe(en.saveFailedOffline);
    expect(saveErrorMessage(zhCN, offline)).toBe("你的选择未能保存。请检查网络后重试。");
    expect(saveErrorMessage(en, null)).toBe(en.saveFailedOffline);
  });

  it("a refusal the server words is said as the refusal", () => {
    expect(saveErrorMessage(zhCN, answered("SERVICE_UNAVAILABLE", "File storage is unavailable", { code: "storage-unavailable" }))).toBe(zhCN.storageUnavailable);
  });
});

describe("an action not done (a deletion started, cancelled or tried again), in the reader's language", () => {
  it("words each code with the action's words, never with the server's message", () => {
    const cases = [
      ["SERVICE_UNAVAILABLE", "The history store is unavailable right now; please try again.", "actionFailedUnavailable"],
      ["UNAUTHORIZED", "Sign in to continue", "actionFailedSignedOut"],
      ["TOO_MANY_REQUESTS", "Too many requests", "actionFailedTooFast"],
      ["CONFLICT", "A deletion is already running", "actionFailed"],
    ] as const;
    for (const [code, server, key] of cases) {
      const error = answered(code, server);
      expect(actionErrorMessage(en, error)).toBe(en[key]);
      expect(actionErrorMessage(zhCN, error)).toBe(zhCN[key]);
      expect(actionErrorMessage(en, error)).not.toBe(saveErrorMessage(en, error));
    }
    expect(actionErrorMessage(zhCN, TRPCClientError.from(new TypeError("Failed to fetch")))).toBe("操作未能完成。请检查网络后重试。");
  });

  it("a refusal the server words is said as the refusal", () => {
    expect(actionErrorMessage(en, answered("SERVICE_UNAVAILABLE", "File storage is unavailable", { code: "storage-unavailable" }))).toBe(en.storageUnavailable);
  });
});
