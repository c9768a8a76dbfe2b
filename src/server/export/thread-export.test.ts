import { describe, expect, it } from "vitest";
import type { ThreadWithContent } from "@/data";
import { fenced } from "@/lib/shared/format";
import { exportFileName, exportThread, formatTime, threadToJson, threadToMarkdown } from "./thread-export";

const thread: ThreadWithContent = {
  id: "0f8e6c1a-1111-4222-8333-444455556666",
  name: "Plan a trip to Kyōto / Ōsaka!",
  createdAt: "2025-03-04T09:15:00.000Z",
  updatedAt: "2025-03-05T10:00:30.000Z",
  userId: "alice@example.com",
  userIdentifier: "alice@example.com",
  tags: ["travel"],
  metadata: { chat_profile: "default" },
  steps: [
    { id: "s1", threadId: "t", type: "user_message", name: "alice", output: "Plan **three** days", createdAt: "2025-03-04T09:15:01.000Z" },
    { id: "run", threadId: "t", type: "run", name: "on_message", createdAt: "2025-03-04T09:15:02.000Z" },
    { id: "s2", threadId: "t", type: "tool", name: "web_search", input: '{"q":"kyoto"}', output: "a ``` b", language: "json", createdAt: "2025-03-04T09:15:03.000Z" },
    {
      id: "s3",
      threadId: "t",
      type: "assistant_message",
      name: "Assistant",
      output: "Day 1: *Fushimi Inari*",
      createdAt: "2025-03-04T09:15:04.000Z",
      feedback: { id: "THREAD#t::STEP#s3", forId: "s3", threadId: "t", value: 0, comment: "Too\nshort" },
    },
  ],
  elements: [
    { id: "e1", threadId: "t", name: "itinerary.pdf", mime: "application/pdf", forId: "s3", objectKey: "t/e1/itinerary.pdf", url: "https://signed.example/x?sig=1", urlExpiresAt: "2025-03-05T10:05:00.000Z" },
    { id: "e2", threadId: "t", name: "map.png", mime: "image/png", forId: "gone" },
  ],
};

describe("exportFileName", () => {
  it("keeps ASCII letters, digits and dashes, folding accents", () => {
    expect(exportFileName(thread, "md")).toBe("plan-a-trip-to-kyoto-osaka.md");
  });

  it("falls back to the thread id when the name has nothing usable", () => {
    expect(exportFileName({ id: thread.id, name: "日本語 🙂" }, "json")).toBe("thread-0f8e6c1a.json");
    expect(exportFileName({ id: thread.id, name: null }, "json")).toBe("thread-0f8e6c1a.json");
  });

  it("bounds the length", () => {
    expect(exportFileName({ id: "x", name: "a".repeat(500) }, "md")).toBe(`${"a".repeat(80)}.md`);
  });
});

describe("threadToMarkdown", () => {
  const md = threadToMarkdown(thread);

  it("has the title, the dates and each message with its speaker", () => {
    expect(md.startsWith("# Plan a trip to Kyōto / Ōsaka!\n\nCreated 2025-03-04 09:15 UTC · Last activity 2025-03-05 10:00 UTC")).toBe(true);
    expect(md).toContain("**You** · 2025-03-04 09:15 UTC\n\nPlan **three** days");
    expect(md).toContain("**Assistant** · 2025-03-04 09:15 UTC\n\nDay 1: *Fushimi Inari*");
  });

  it("fences tool steps with a fence longer than any backticks inside", () => {
    expect(md).toContain('**Tool: web_search**\n\nInput:\n\n```json\n{"q":"kyoto"}\n```');
    expect(md).toContain("Output:\n\n````json\na ``` b\n````");
  });

  it("skips run steps that only wrap their children", () => {
    expect(md).not.toContain("on_message");
  });

  it("notes feedback and names attachments without their links", () => {
    expect(md).toContain("> Feedback: 👎 not helpful: “Too short”");
    expect(md).toContain("- 📎 itinerary.pdf (application/pdf)");
    expect(md).toContain("## Attachments\n\n- 📎 map.png (image/png)");
    expect(md).not.toContain("signed.example");
    expect(md).not.toContain("t/e1/");
  });

  it("titles an unnamed thread", () => {
    expect(threadToMarkdown({ ...thread, name: null, steps: [], elements: [] })).toMatch(/^# Untitled thread\n/);
  });
});

describe("threadToMarkdown with turns nested as Chainlit nests them", () => {
  // user_message → run (input repeats the question, the rating lives here) → reply. The browser that sent the
  // second question ran fast, so its time is after its own reply's; the run's rating belongs under the reply.
  const nested: ThreadWithContent = {
    ...thread,
    steps: [
      { id: "q1", threadId: "t", type: "user_message", output: "First question", createdAt: "2025-03-04T09:15:01.000Z" },
      {
        id: "r1",
        threadId: "t",
        type: "run",
        name: "on_message",
        parentId: "q1",
        input: "First question",
        output: "",
        createdAt: "2025-03-04T09:15:01.000100Z",
        feedback: { id: "THREAD#t::STEP#r1", forId: "r1", threadId: "t", value: 1, comment: "Spot on" },
      },
      { id: "a1", threadId: "t", type: "assistant_message", parentId: "r1", output: "First answer", createdAt: "2025-03-04T09:15:02.000001Z" },
      { id: "q2", threadId: "t", type: "user_message", output: "Second question", createdAt: "2025-03-04T09:16:30.000Z" },
      { id: "r2", threadId: "t", type: "run", name: "on_message", parentId: "q2", input: "Second question", createdAt: "2025-03-04T09:16:00.000100Z" },
      { id: "a2", threadId: "t", type: "assistant_message", parentId: "r2", output: "Second answer", createdAt: "2025-03-04T09:16:01Z" },
    ],
    elements: [],
  };
  const md = threadToMarkdown(nested);

  it("reads question, answer, question, answer, with no run blocks", () => {
    const order = ["First question", "First answer", "Second question", "Second answer"].map((text) => md.indexOf(text));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).not.toContain("on_message");
    expect(md.match(/First question/g)).toHaveLength(1);
  });

  it("puts the run's rating under its answer, once", () => {
    expect(md).toContain("First answer\n\n> Feedback: 👍 helpful: “Spot on”");
    expect(md.match(/Feedback/g)).toHaveLength(1);
  });
});

describe("threadToJson", () => {
  it("is the thread with steps and elements, minus signed links and storage keys", () => {
    const parsed = JSON.parse(threadToJson(thread));
    expect(parsed.threadbookExport).toBe(1);
    expect(parsed.thread.steps).toEqual(thread.steps);
    expect(parsed.thread.elements[0]).toEqual({ id: "e1", threadId: "t", name: "itinerary.pdf", mime: "application/pdf", forId: "s3" });
    expect(parsed.thread).not.toHaveProperty("userIdentifier");
    expect(JSON.stringify(parsed)).not.toMatch(/signed\.example|objectKey|urlExpiresAt/);
  });
});

describe("exportThread", () => {
  it("names the file and the type per format", () => {
    expect(exportThread(thread, "json")).toMatchObject({ fileName: "plan-a-trip-to-kyoto-osaka.json", mime: "application/json" });
    expect(exportThread(thread, "markdown")).toMatchObject({ fileName: "plan-a-trip-to-kyoto-osaka.md", mime: "text/markdown; charset=utf-8" });
  });
});

describe("helpers", () => {
  it("formats UTC times and keeps what it cannot parse", () => {
    expect(formatTime("2025-12-31T23:59:59.999Z")).toBe("2025-12-31 23:59 UTC");
    expect(formatTime("2025-12-31T23:59:59.999999Z")).toBe("2025-12-31 23:59 UTC");
    expect(formatTime("2025-12-31T23:59:00")).toBe("2025-12-31 23:59 UTC");
    expect(formatTime("yesterday")).toBe("yesterday");
    expect(formatTime(null)).toBe("unknown");
  });

  it("fences with three backticks by default", () => {
    expect(fenced("x")).toBe("```\nx\n```");
  });
});
