import { describe, expect, it } from "vitest";
import { en } from "@/lib/shared/i18n/en";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { IMPORT_PROBLEM_CODES, type ImportProblem } from "@/lib/shared/import-problem";
import { importProblemMessage } from "./import-problem-message";

const bomb = { kind: "bomb", ratio: 4000 } as const;
/** One problem of every code, with parameters where it takes them. */
const SAMPLES: ImportProblem[] = [
  { code: "not-zip", detail: "end of central directory record signature not found" },
  { code: "zip-entries", entries: 300_000, limit: 200_000 },
  { code: "zip-expands", limitMb: 4096 },
  { code: "zip-damaged", detail: "invalid relative offset" },
  { code: "entry-refused", name: "conversations.json", refusal: { kind: "size", size: "2.0 GB", limitMb: 1024 } },
  { code: "entry-unreadable", name: "a.json", detail: "x" },
  { code: "entry-over", name: "a.json", limitMb: 64 },
  { code: "entry-damaged", name: "a.json", detail: "x" },
  { code: "no-index" },
  { code: "conversations-refused", refusal: bomb },
  { code: "no-conversation" },
  { code: "unknown-json" },
  { code: "unknown-conversations" },
  { code: "not-index" },
  { code: "json-total", limitMb: 1024 },
  { code: "json-document", limitMb: 64 },
  { code: "not-json" },
  { code: "json-trailing" },
  { code: "json-deep", limit: 64 },
  { code: "json-cut-off" },
  { code: "storage-unavailable" },
  { code: "store-unavailable" },
  { code: "unexpected" },
  { code: "interrupted" },
  { code: "given-up", times: 4 },
  { code: "never-resumed" },
  { code: "upload-budget", limitMb: 2048, hours: 3 },
  { code: "empty" },
  { code: "item-over", limitMb: 64 },
  { code: "not-object" },
  { code: "invalid-json" },
  { code: "unreadable" },
  { code: "json-missing" },
  { code: "skipped-entry", refusal: bomb },
  { code: "id-taken" },
  { code: "message-too-large" },
  { code: "does-not-fit" },
  { code: "too-many", limit: 20_000, unit: "steps" },
  { code: "not-format", format: "claude" },
  { code: "not-format", format: "open-webui" },
  { code: "not-format", format: "librechat" },
  { code: "no-id", field: "uuid", unit: "conversation" },
  { code: "attachment", name: "map.png", problem: { kind: "entry", problem: { code: "entry-over", name: "map.png", limitMb: 20 } } },
];

describe("import problems in the reader's language", () => {
  it("every code is worded in English and in Chinese, differently", () => {
    expect(new Set(SAMPLES.map((p) => p.code))).toEqual(IMPORT_PROBLEM_CODES);
    for (const problem of SAMPLES) {
      const [english, chinese] = [en.importProblem(problem), zhCN.importProblem(problem)];
      expect(english.length, problem.code).toBeGreaterThan(0);
      expect(chinese, problem.code).not.toBe(english);
      expect(chinese, problem.code).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it("keeps the English the job stores word for word (scripts and the CLI read it)", () => {
    expect(en.importProblem({ code: "too-many", limit: 20_000, unit: "steps" })).toBe("more than 20000 steps");
    expect(en.importProblem({ code: "attachment", name: "map.png", problem: { kind: "refused", refusal: bomb } })).toBe("attachment “map.png”: it expands 4000 times (a zip bomb)");
    expect(en.importProblem({ code: "entry-refused", name: "c.json", refusal: { kind: "size", size: "2.0 GB", limitMb: 1024 } })).toBe("“c.json” was not read: 2.0 GB is over the 1024 MB limit.");
  });

  it("words a stored problem for the dialog; anything else, or a problem missing its parameters, shows the English kept", () => {
    expect(importProblemMessage(zhCN, { code: "empty" }, "empty conversation")).toBe("空对话");
    for (const stored of [undefined, null, "empty", {}, { code: "from-a-newer-version" }]) expect(importProblemMessage(zhCN, stored, "the English")).toBe("the English");
    expect(importProblemMessage(zhCN, { code: "attachment", name: "x" }, "the English")).toBe("the English");
  });
});
