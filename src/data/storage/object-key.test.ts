import { describe, expect, it } from "vitest";
import { isDataError } from "../errors";
import { checkObjectKey, elementObjectKey, safeFileName } from "./object-key";

describe("elementObjectKey", () => {
  it("is {threadId}/{elementId}/{safe name}", () => {
    expect(elementObjectKey("thread-1", "el-9", "report.csv")).toBe("threadbook/thread-1/el-9/report.csv");
  });

  it("refuses ids that would shift the segments", () => {
    for (const [threadId, elementId] of [["", "e"], ["a/b", "e"], ["t", ""], ["t", "x/y"], ["t", ".."], ["..", "e"], ["t", "."], ["t", "x\\y"]] as const) {
      expect(() => elementObjectKey(threadId, elementId, "f.txt")).toThrow(/object key/);
    }
  });
});

describe("safeFileName", () => {
  it.each([
    ["报告 résumé.csv", "resume.csv"],
    ["Quarterly report (final).xlsx", "Quarterly-report-final-.xlsx"],
    ["a  b\t\nc.txt", "a-b-c.txt"],
    ["../../etc/passwd", "etc-passwd"],
    ["..", "file"],
    ["", "file"],
    ["报告", "file"],
    ["my_file-v2.tar.gz", "my_file-v2.tar.gz"],
  ])("%j → %j", (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it("bounds the length and keeps the extension", () => {
    const name = safeFileName(`${"x".repeat(300)}.parquet`);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name.endsWith(".parquet")).toBe(true);
    expect(safeFileName("y".repeat(300)).length).toBe(100);
  });

  it("only ever yields characters that need no escaping in a URL path", () => {
    for (const input of ["Ωmega/../x?.pdf", "%2F..%2F", "a#b&c=d.txt", " .hidden", "\u0000\ud800.bin"]) {
      expect(safeFileName(input)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
    }
  });
});

describe("key guards", () => {
  it("refuses blank and absolute keys", () => {
    expect(() => checkObjectKey("")).toThrow();
    expect(() => checkObjectKey("/abs")).toThrow();
    try {
      checkObjectKey("");
    } catch (error) {
      expect(isDataError(error, "validation")).toBe(true);
    }
  });
});
