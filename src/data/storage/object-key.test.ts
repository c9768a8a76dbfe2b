import { describe, expect, it } from "vitest";
import { isDataError } from "../errors";
import { checkObjectKey, elementObjectKey, importUploadKey, isElementFileOf, isOwnElementKey, isShareCopyKeyOf, parseDerivedObjectKey, previewKeyOf, safeFileName, shareCopyKey } from "./object-key";

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

describe("which recorded keys are an element's file", () => {
  it("its Threadbook key, Threadbook's older key and Chainlit's key of the same thread and element; nothing else", () => {
    for (const key of [elementObjectKey("t1", "e1", "a.pdf"), "t1/e1/a.pdf", "t1/e1/an older name.pdf", "threadbook/t1/e1/x y.pdf", "alice@example.com/t1/e1", "unknown/t1/e1", "threadbook/t1/e1", "threadbook-imports/t1/e1", "a/b/t1/e1"]) {
      expect(isElementFileOf(key, "t1", "e1"), key).toBe(true);
    }
    const foreign = [
      elementObjectKey("t2", "e1", "a.pdf"), // another thread's
      elementObjectKey("t1", "e2", "a.pdf"), // another element's
      "alice@example.com/t2/e1",
      "alice@example.com/t1/e2",
      shareCopyKey("t1", "e1", "a.pdf"), // a share copy is recorded as shareCopyKey, never as the file
      "threadbook-shared/x/t1/e1", // someone's share copy of element t1, named e1
      "threadbook/x/t1/e1", // thread x's element t1, file e1
      "/t1/e1",
      "t1/e1",
      "t1/e1/",
      "t1/e1/a/b.pdf",
      "",
      42,
      null,
    ];
    for (const key of foreign) expect(isElementFileOf(key, "t1", "e1"), String(key)).toBe(false);
  });
});

describe("which keys a share viewer may be given", () => {
  it("only the element's own Threadbook key is signed as it is; Chainlit's and anything else are not", () => {
    expect(isOwnElementKey(elementObjectKey("t1", "e1", "Résumé 2024.pdf"), "t1", "e1")).toBe(true);
    // Chainlit's `{identifier}/{threadId}/{elementId}`, even for a user whose identifier is our root.
    for (const key of ["alice@example.com/t1/e1", "threadbook/t1/e1", "threadbook/t1/e1/", "threadbook/t2/e1/a.pdf", "threadbook/t1/e1/a/b.pdf", "threadbook/t1/e1/a b.pdf", "x/threadbook/t1/e1/a.pdf"]) {
      expect(isOwnElementKey(key, "t1", "e1"), key).toBe(false);
    }
  });

  it("a share copy has four segments under its own root, and only this element's is taken as its record", () => {
    const key = shareCopyKey("t1", "e1", "Résumé 2024.pdf");
    expect(key).toBe("threadbook-shared/t1/e1/Resume-2024.pdf");
    expect(isShareCopyKeyOf(key, "t1", "e1")).toBe(true);
    expect(isOwnElementKey(key, "t1", "e1")).toBe(false);
    for (const other of [shareCopyKey("t1", "e2", "a.pdf"), "alice@example.com/t1/e1", elementObjectKey("t1", "e1", "a.pdf"), 42, null]) {
      expect(isShareCopyKeyOf(other, "t1", "e1")).toBe(false);
    }
    expect(() => shareCopyKey("t1", "../e1", "a.pdf")).toThrow(/object key/);
  });
});

describe("parseDerivedObjectKey", () => {
  it("reads back the element of every preview and share copy key, as built", () => {
    for (const version of [1, 2]) {
      expect(parseDerivedObjectKey(previewKeyOf("t1", "e1", "alice@example.com/t1/e1", version))).toEqual({ root: "threadbook-previews", threadId: "t1", elementId: "e1" });
    }
    expect(parseDerivedObjectKey(shareCopyKey("t1", "e1", "Résumé 2024.pdf"))).toEqual({ root: "threadbook-shared", threadId: "t1", elementId: "e1" });
  });

  it("takes nothing else for one: Chainlit's keys (a user named after the root too), element files, imports, odd shapes", () => {
    const hash = "0".repeat(24);
    for (const key of [
      "threadbook-previews/t1/e1",
      "threadbook-shared/t1/e1",
      "alice@example.com/t1/e1",
      elementObjectKey("t1", "e1", "a.jpg"),
      importUploadKey("0123456789-01234567-0123-0123-0123-0123456789ab"),
      `threadbook-previews/t1/e1/${hash}.png`,
      `threadbook-previews/t1/e1/${hash}0.webp`,
      `threadbook-previews/t1/e1/${hash}.webp/x`,
      `threadbook-previews//e1/${hash}.webp`,
      `threadbook-previews/../e1/${hash}.webp`,
      `threadbook-previews/t#1/e1/${hash}.webp`,
      `threadbook-previews/t 1/e1/${hash}.webp`,
      `threadbook-previews/${"t".repeat(129)}/e1/${hash}.webp`,
      "threadbook-shared/t1/e1/a b.pdf",
      "threadbook-shared/t1/e1/",
      "threadbook-shared/t1/e1/.hidden",
      `x/threadbook-previews/t1/e1/${hash}.webp`,
    ]) {
      expect(parseDerivedObjectKey(key), key).toBeNull();
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
