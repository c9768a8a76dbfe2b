import { describe, expect, it } from "vitest";
import { en } from "@/lib/shared/i18n/en";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { refusedJson } from "@/server/http/route-answers";
import { refusalMessage } from "./refusal-message";

describe("refusals in the reader's language", () => {
  it("words each refusal the server names, with its limit and when to retry", () => {
    expect(refusalMessage(en, { code: "upload-budget", limitMb: 2048, retryAfterSeconds: 5 * 3600 - 10 })).toBe(
      "You have uploaded the 2048 MB of files this app accepts from one account in a day. Try again in 5 hours.",
    );
    expect(refusalMessage(zhCN, { code: "upload-budget", limitMb: 2048, retryAfterSeconds: 3600 })).toBe("你在一天内上传的文件已达到每个账户每天 2048 MB 的上限。请 1 小时后再试。");
    expect(refusalMessage(zhCN, { code: "storage-unavailable" })).toBe(zhCN.storageUnavailable);
    expect(refusalMessage(zhCN, { code: "import-running" })).toBe(zhCN.importAlreadyRunning);
    expect(refusalMessage(en, { code: "deletion-running" })).toBe("Your conversations are being deleted; import again once that has finished.");
    expect(refusalMessage(zhCN, { code: "import-too-large", limitMb: 512 })).toBe("文件超过了导入允许的 512 MB 上限。");
  });

  it("words a refused file with the name the browser knows, and leaves it to the caller without one", () => {
    expect(refusalMessage(zhCN, { code: "file-content-mismatch" }, "photo.png")).toBe("“photo.png”不是 PNG 文件：内容与文件类型不符，因此未保存。");
    expect(refusalMessage(en, { code: "file-content-mismatch" }, "photo.png")).toBe("“photo.png” is not a PNG file: its content does not match its type, so it was not saved.");
    expect(refusalMessage(zhCN, { code: "file-too-large", limitMb: 6 }, "big.txt")).toBe(zhCN.fileTooLarge("big.txt", 6));
    expect(refusalMessage(en, { code: "file-content-mismatch" })).toBeNull();
    expect(refusalMessage(en, { code: "file-too-large" }, "big.txt")).toBeNull();
  });

  it("is null for anything that is not a refusal, so the caller keeps its own words; odd numbers are left out", () => {
    for (const value of [null, undefined, "upload-budget", 42, {}, { code: "nope" }, { code: ["upload-budget"] }]) expect(refusalMessage(en, value)).toBeNull();
    expect(refusalMessage(en, { code: "upload-budget", limitMb: -1, retryAfterSeconds: Number.NaN })).toBe("You have uploaded all the files this app accepts from one account in a day.");
  });

  it("goes out of the routes as JSON with Retry-After, and plain refusals stay `{ error }` alone", async () => {
    const limited = refusedJson({ status: 429, error: "over", refusal: { code: "upload-budget", retryAfterSeconds: 120, limitMb: 1 } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("120");
    expect(await limited.json()).toEqual({ error: "over", refusal: { code: "upload-budget", retryAfterSeconds: 120, limitMb: 1 } });
    const plain = refusedJson({ status: 400, error: "The file is empty." });
    expect(plain.headers.get("retry-after")).toBeNull();
    expect(await plain.json()).toEqual({ error: "The file is empty." });
  });
});
