import { describe, expect, it } from "vitest";
import { hasTag, normaliseTag, tagsOf, withTag, withoutTag } from "./tag-text";

describe("tag text", () => {
  it("normalises white space and compares without case, keeping the first spelling", () => {
    expect(normaliseTag("  a \t b\n ")).toBe("a b");
    expect(withTag(["Work"], " work ")).toEqual(["Work"]);
    expect(withTag(["Work"], " new  one ")).toEqual(["Work", "new one"]);
    expect(withoutTag(["Work", "odd  spacing", "x"], "ODD SPACING")).toEqual(["Work", "x"]);
    expect(hasTag(["Größe"], "größe")).toBe(true);
  });

  it("drops controls and invisible format characters (bidi overrides, zero-width), keeping emoji sequences", () => {
    expect(normaliseTag("\u202Ekrow")).toBe("krow");
    expect(normaliseTag("wo\u200Brk\u2066 \u0000\u001b[31m")).toBe("work [31m");
    expect(normaliseTag("\u202E\u200B\uFEFF\u00AD")).toBe("");
    expect(normaliseTag("a\u2028b")).toBe("a b");
    expect(normaliseTag("👩‍👩‍👧 family")).toBe("👩\u200D👩\u200D👧 family");
    expect(hasTag(["in\u202Evoice"], "invoice")).toBe(true);
    expect(withoutTag(["in\u202Evoice", "x"], "invoice")).toEqual(["x"]);
  });

  it("reads only the strings of whatever a stored `tags` holds", () => {
    expect(tagsOf(null)).toEqual([]);
    expect(tagsOf(undefined)).toEqual([]);
    expect(tagsOf(["a", 3, { b: 1 }, "c"])).toEqual(["a", "c"]);
  });
});
