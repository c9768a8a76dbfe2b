import { describe, expect, it } from "vitest";
import { fenced, fileKind, formatBytes, formatDuration, prettyJson, stepTextView } from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [128, "128 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [2458, "2.4 KB"],
    [46_000, "45 KB"],
    [2.4 * 1024 * 1024, "2.4 MB"],
    [1024 * 1024 - 1, "1 MB"],
    [3 * 1024 ** 3, "3 GB"],
  ])("%d → %s", (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it("shows nothing for unknown sizes", () => {
    expect(formatBytes(null)).toBe("");
    expect(formatBytes(-1)).toBe("");
    expect(formatBytes(Number.NaN)).toBe("");
  });
});

describe("formatDuration", () => {
  const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  it.each([
    [850, "850 ms"],
    [1500, "1.5 s"],
    [42_000, "42 s"],
    [125_000, "2 min 5 s"],
    [120_000, "2 min"],
    [3_780_000, "1 h 3 min"],
  ])("%d ms → %s", (ms, text) => expect(formatDuration(t(0), t(ms))).toBe(text));

  it("is null without both ends or when they are reversed", () => {
    expect(formatDuration(t(0), null)).toBeNull();
    expect(formatDuration(null, t(0))).toBeNull();
    expect(formatDuration(t(10), t(0))).toBeNull();
    expect(formatDuration("soon", t(0))).toBeNull();
  });

  it("measures between any of the stored formats, to the microsecond", () => {
    // A Chainlit step: microsecond start, end with no fraction (its microsecond was 0).
    expect(formatDuration("2026-01-01T00:00:00.999500Z", "2026-01-01T00:00:01Z")).toBe("1 ms");
    expect(formatDuration("2026-01-01T00:00:00.000100Z", "2026-01-01T00:00:00.000400Z")).toBe("0 ms");
    // Threadbook's old milliseconds against its new microseconds; a zone-less time is UTC.
    expect(formatDuration("2026-01-01T00:00:00.123Z", "2026-01-01T00:00:01.623000")).toBe("1.5 s");
  });
});

describe("fileKind / prettyJson / fenced", () => {
  it("names a file by extension, else by MIME", () => {
    expect(fileKind("q3-sales.csv", "text/csv")).toBe("CSV");
    expect(fileKind("blob", "image/png")).toBe("PNG");
    expect(fileKind(null, "application/x-tar")).toBe("TAR");
    expect(fileKind(null, null)).toBe("FILE");
  });

  it("pretty-prints JSON objects and arrays only", () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("[1]")).toBe("[\n  1\n]");
    expect(prettyJson("42")).toBeNull();
    expect(prettyJson("{nope}")).toBeNull();
  });

  it("fences code with more backticks than it contains", () => {
    expect(fenced("a ``` b", "json")).toBe("````json\na ``` b\n````");
    expect(fenced("x", "bad lang!")).toBe("```\nx\n```");
  });

  // Hostile: a tool step's text is anyone's. Each fails without its rule: 8 KB of brackets printed as 32 MB, and
  // 200,000 backtick runs spread into Math.max overflowed the stack.
  it("does not print JSON that printing would blow up, and fences any number of backtick runs", () => {
    const deep = `${"[".repeat(4_000)}${"]".repeat(4_000)}`;
    expect(prettyJson(deep)).toBeNull();
    expect(stepTextView(deep, null)).toEqual({ kind: "text" });
    // Real JSON, minified and nested a few levels, is printed as before, brackets inside strings not counted.
    const rows = JSON.stringify({ rows: Array.from({ length: 2_000 }, (_, id) => ({ id, tags: ["a", "b"], nested: { x: [1, 2, 3] } })), note: "[[[[{{{{" });
    expect(prettyJson(rows)).toBe(JSON.stringify(JSON.parse(rows), null, 2));
    expect(fenced("`a".repeat(200_000), "py")).toBe(`\`\`\`py\n${"`a".repeat(200_000)}\n\`\`\``);
  });
});
