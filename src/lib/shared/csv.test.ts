import { describe, expect, it } from "vitest";
import { isCsv, parseCsv } from "./csv";
import { isTextLike } from "./format";

describe("parseCsv", () => {
  it("reads plain rows and drops nothing but the final newline", () => {
    expect(parseCsv("a,b\n1,2\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("handles quotes, doubled quotes, commas and newlines inside quotes, CRLF", () => {
    expect(parseCsv('name,note\r\n"Smith, J","said ""hi""\nthen left"\r\nx,')).toEqual([
      ["name", "note"],
      ["Smith, J", 'said "hi"\nthen left'],
      ["x", ""],
    ]);
  });

  it("stops after maxRows", () => {
    expect(parseCsv("1\n2\n3\n4", 2)).toEqual([["1"], ["2"]]);
  });
});

describe("file kinds", () => {
  it("recognises CSV and text", () => {
    expect(isCsv("q3-sales.csv", null)).toBe(true);
    expect(isCsv(null, "text/csv; charset=utf-8")).toBe(true);
    expect(isTextLike("notes", "text/plain")).toBe(true);
    expect(isTextLike("chart.png", "image/png")).toBe(false);
  });
});
