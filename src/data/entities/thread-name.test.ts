import { describe, expect, it } from "vitest";
import { THREAD_NAME_SHOWN_MAX, threadNameShown } from "./thread-name";

describe("threadNameShown", () => {
  it("keeps a name Threadbook may write as it is, up to THREAD_NAME_SHOWN_MAX", () => {
    expect(threadNameShown("Trip to Kyoto")).toBe("Trip to Kyoto");
    expect(threadNameShown("x".repeat(THREAD_NAME_SHOWN_MAX))).toBe("x".repeat(THREAD_NAME_SHOWN_MAX));
  });

  it("makes one line of a Markdown message: fences and line markers gone, whitespace collapsed, inline marks kept", () => {
    expect(threadNameShown("## Plan\n\n> quoted\n- item one\n1. item two\n```python\nprint(1)\n```\n**bold**\ttab")).toBe("Plan quoted item one item two print(1) **bold** tab");
  });

  it("is null when nothing is left to show (no name, empty, whitespace or marks only)", () => {
    for (const name of [null, undefined, "", "  \n\t ", "```\n```", "# "]) expect(threadNameShown(name), JSON.stringify(name)).toBeNull();
  });

  it("cuts a long name at a word's end, between graphemes, with an ellipsis", () => {
    const words = threadNameShown("word ".repeat(100), 20);
    expect(words).toBe("word word word word…");
    // No space near the end: cut inside, never through a flag (two code points), an emoji or a combining accent.
    expect(threadNameShown(`${"a".repeat(17)}🇯🇵b`, 20)).toBe(`${"a".repeat(17)}…`);
    expect(threadNameShown(`${"a".repeat(17)}e\u0301\u0301b`, 20)).toBe(`${"a".repeat(17)}…`);
    expect(threadNameShown("中".repeat(50), 20)).toBe(`${"中".repeat(19)}…`);
  });

  it("reads only the start of a huge name, and still says it was cut", () => {
    expect(threadNameShown(`short${" ".repeat(5_000)}${"x".repeat(400_000)}`, 20)).toBe("short…");
  });
});
