import { describe, expect, it } from "vitest";
import { threadName } from "@/server/import/plan-thread";
import { threadNameFrom } from "./continue-thread";

/** A high surrogate with no low one after it: half an emoji, drawn as a replacement box. */
const halfEmoji = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/;

describe("names made from longer text", () => {
  it("cuts a first message to 60 characters with an ellipsis, whitespace folded", () => {
    const name = threadNameFrom(`  ${"word ".repeat(40)}\n\nmore`, []);
    expect(name).toHaveLength(60);
    expect(name.endsWith("…")).toBe(true);
    expect(name).not.toMatch(/\s{2}|\n/);
    expect(threadNameFrom("Short question?", [])).toBe("Short question?");
  });

  it("never ends a name inside an emoji (the cut falls between its two halves)", () => {
    const name = threadNameFrom(`${"a".repeat(58)}😀 and the rest of the message`, []);
    expect(name).not.toMatch(halfEmoji);
    expect(name).toBe(`${"a".repeat(58)}…`);
    const imported = threadName(`${"b".repeat(198)}😀${"c".repeat(50)}`)!;
    expect(imported).not.toMatch(halfEmoji);
    expect(imported).toBe(`${"b".repeat(198)}…`);
  });

  it("names a message of only attachments after the first, cut the same way, and an empty one New chat", () => {
    expect(threadNameFrom("   ", [{ name: "report.pdf" }])).toBe("report.pdf");
    expect(threadNameFrom("", [{ name: `${"x".repeat(100)}.csv` }])).toHaveLength(60);
    expect(threadNameFrom("", [])).toBe("New chat");
  });

  it("keeps an import's title up to 200 characters and gives none for a blank one", () => {
    expect(threadName("A  title\nacross lines")).toBe("A title across lines");
    expect(threadName("x".repeat(200))).toHaveLength(200);
    expect(threadName("x".repeat(201))).toBe(`${"x".repeat(199)}…`);
    expect(threadName("   ")).toBeNull();
    expect(threadName(null)).toBeNull();
  });
});
