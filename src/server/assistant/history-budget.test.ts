import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./assistant";
import { fitHistory } from "./history-budget";

const turn = (i: number, size = 10): ChatMessage[] => [
  { role: "user", content: `q${i}`.padEnd(size, ".") },
  { role: "assistant", content: `a${i}`.padEnd(size, ".") },
];
const conversation = (turns: number, size = 10) => Array.from({ length: turns }, (_, i) => turn(i, size)).flat();

describe("fitHistory", () => {
  it("sends a history that fits whole", () => {
    const messages = [...conversation(3), { role: "user" as const, content: "now" }];
    expect(fitHistory(messages, 1_000)).toEqual(messages);
  });

  it("keeps the newest messages that fit and leaves the oldest out", () => {
    const messages = [...conversation(10), { role: "user" as const, content: "now".padEnd(10, ".") }];
    const sent = fitHistory(messages, 50);
    expect(sent.map((m) => m.content.replace(/\.+$/, ""))).toEqual(["q8", "a8", "q9", "a9", "now"]);
  });

  it("never opens with a reply: a cut between a question and its answer starts at the next question", () => {
    const messages = [...conversation(10), { role: "user" as const, content: "now".padEnd(10, ".") }];
    const sent = fitHistory(messages, 40);
    expect(sent[0]!.role).toBe("user");
    expect(sent.map((m) => m.content.replace(/\.+$/, ""))).toEqual(["q9", "a9", "now"]);
  });

  it("always sends the newest message, even past the budget", () => {
    const messages = [...conversation(2), { role: "user" as const, content: "x".repeat(500) }];
    expect(fitHistory(messages, 100)).toEqual([messages.at(-1)]);
  });

  it("counts what attachments put in the request", () => {
    const withFile: ChatMessage = { role: "user", content: "see file", attachments: [{ name: "a.txt", mime: "text/plain", text: "t".repeat(200) }] };
    const messages = [withFile, { role: "assistant" as const, content: "ok" }, { role: "user" as const, content: "and now?" }];
    expect(fitHistory(messages, 100).map((m) => m.content)).toEqual(["and now?"]);
    expect(fitHistory(messages, 1_000)).toEqual(messages);
  });
});
