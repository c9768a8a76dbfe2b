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

  it("reads only the strings of whatever a stored `tags` holds", () => {
    expect(tagsOf(null)).toEqual([]);
    expect(tagsOf(undefined)).toEqual([]);
    expect(tagsOf(["a", 3, { b: 1 }, "c"])).toEqual(["a", "c"]);
  });
});
