import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chatGptMessage, currentBranch, readChatGptConversation } from "./chatgpt";
import { readClaudeConversation } from "./claude";
import { planConversation } from "../plan-thread";
import { SkipConversation } from "../source-model";

const chatgpt = JSON.parse(readFileSync("test/fixtures/imports/chatgpt-conversations.json", "utf8")) as Array<Record<string, unknown>>;
const claude = JSON.parse(readFileSync("test/fixtures/imports/claude-conversations.json", "utf8")) as Array<Record<string, unknown>>;

describe("ChatGPT tree walk", () => {
  it("follows current_node up to the root and reverses: the last-seen branch, the abandoned one left out", () => {
    const branch = currentBranch(chatgpt[0]!.mapping as Record<string, unknown>, "a2b", 100);
    expect(branch.map((n) => n.id)).toEqual(["root", "sys", "u1", "a1", "u2b", "call", "out", "a2b"]);
  });

  it("without current_node takes the last leaf", () => {
    const mapping = { r: { message: null, parent: null, children: ["x"] }, x: { message: null, parent: "r", children: [] } };
    expect(currentBranch(mapping, null, 10).map((n) => n.id)).toEqual(["r", "x"]);
  });

  it("a cycle in the parents ends the walk instead of looping", () => {
    const mapping = { a: { message: null, parent: "b" }, b: { message: null, parent: "a" } };
    expect(currentBranch(mapping, "a", 10).map((n) => n.id)).toEqual(["b", "a"]);
  });

  it("a branch over the message limit skips the conversation with that reason", () => {
    const mapping = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, { message: null, parent: i ? `n${i - 1}` : null }]));
    expect(() => readChatGptConversation({ conversation_id: "c", mapping, current_node: "n29" }, 10)).toThrow(SkipConversation);
  });

  it("__proto__ as a node id reads nothing from the prototype", () => {
    expect(currentBranch({}, "__proto__", 10)).toEqual([]);
  });
});

describe("ChatGPT role mapping", () => {
  const conversation = readChatGptConversation(chatgpt[0], 100);

  it("maps user, assistant, tool calls and tool output; hidden system messages are dropped", () => {
    expect(conversation.messages.map((m) => [m.role, m.name ?? null])).toEqual([
      ["user", null],
      ["assistant", "gpt-4o"],
      ["user", null],
      ["tool", "python"],
      ["tool", "python"],
      ["assistant", null],
    ]);
    expect(conversation.messages[3]!.input).toBe("print(240 + 230 + 210)");
    expect(conversation.messages[4]!.text).toBe("680");
  });

  it("keeps the original times and the image the message carries", () => {
    expect(conversation.createdAt).toBe(1714557600500000);
    expect(conversation.messages[0]!.createdAt).toBe(1714557601000000);
    expect(conversation.messages[0]!.attachments).toEqual([
      { sourceId: "file-KyotoMap01", name: "kyoto-map.png", mime: "image/png", source: { kind: "file-id", fileId: "file-KyotoMap01" } },
    ]);
  });

  it("skips empty and visually hidden messages; shows a visible system message as a step", () => {
    expect(chatGptMessage({ author: { role: "assistant" }, content: { content_type: "text", parts: [""] } }, "x")).toBeNull();
    expect(chatGptMessage({ author: { role: "assistant" }, content: { content_type: "thoughts", thoughts: [] } }, "x")).toBeNull();
    expect(chatGptMessage({ author: { role: "system" }, content: { content_type: "text", parts: ["Be brief."] } }, "x")).toMatchObject({ role: "tool", name: "system" });
  });
});

describe("planning Chainlit-shaped steps", () => {
  const planned = planConversation(readChatGptConversation(chatgpt[0], 100), "alice@example.com", "chatgpt", 0)!;
  const steps = planned.thread.steps;

  it("a user turn is user_message → on_message run → replies and tools under the run, as Chainlit writes it", () => {
    expect(steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message", "user_message", "run", "tool", "tool", "assistant_message"]);
    const [user, run, answer] = steps;
    expect(user).toMatchObject({ name: "alice@example.com", output: "Plan three days in Kyoto around this map." });
    expect(user!.parentId).toBeUndefined();
    expect(run).toMatchObject({ name: "on_message", parentId: user!.id, input: user!.output });
    expect(answer).toMatchObject({ name: "ChatGPT", parentId: run!.id });
    expect(run!.end).toBe(answer!.end);
  });

  it("times are the original ones and strictly increasing", () => {
    expect(steps[0]!.createdAt).toBe("2024-05-01T10:00:01.000000Z");
    const times = steps.map((s) => Date.parse(s.createdAt!) * 1000 + Number(s.createdAt!.slice(23, 26)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(steps.map((s) => s.createdAt)).size).toBe(steps.length);
  });

  it("ids are deterministic per user: the same file gives alice the same ids and bob others", () => {
    const again = planConversation(readChatGptConversation(chatgpt[0], 100), "alice@example.com", "chatgpt", 0)!;
    const bob = planConversation(readChatGptConversation(chatgpt[0], 100), "bob@example.com", "chatgpt", 0)!;
    expect(again.thread.id).toBe(planned.thread.id);
    expect(again.thread.steps.map((s) => s.id)).toEqual(steps.map((s) => s.id));
    expect(bob.thread.id).not.toBe(planned.thread.id);
    expect(planned.thread.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("the title becomes the name; the image is an element of the user message", () => {
    expect(planned.thread.name).toBe("Trip to Kyoto");
    expect(planned.elements).toHaveLength(1);
    expect(planned.elements[0]!.forId).toBe(steps[0]!.id);
  });

  it("a conversation with nothing shown is not planned (empty conversation)", () => {
    expect(planConversation(readChatGptConversation(chatgpt[1], 100), "a", "chatgpt", 0)).toBeNull();
  });
});

describe("Claude mapping", () => {
  it("human/assistant become user/assistant; attachments' extracted text becomes a text file", () => {
    const conversation = readClaudeConversation(claude[0], 100);
    expect(conversation.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(conversation.title).toBe("Review my cover letter");
    expect(conversation.messages[0]!.attachments).toEqual([
      { sourceId: "0", name: "cover-letter.pdf.txt", mime: "text/plain", source: { kind: "text", text: "Dear hiring team, I am writing to apply..." } },
    ]);
    const planned = planConversation(conversation, "alice@example.com", "claude", 0)!;
    expect(planned.thread.steps.map((s) => [s.type, s.name])).toEqual([
      ["user_message", "alice@example.com"],
      ["run", "on_message"],
      ["assistant_message", "Claude"],
    ]);
  });

  it("two messages the file gives one id are two steps, with the same ids at every import", () => {
    const file = {
      uuid: "c",
      chat_messages: [
        { uuid: "same", sender: "human", text: "First question", attachments: [{ file_name: "a.txt", extracted_content: "a" }] },
        { uuid: "same", sender: "assistant", text: "First answer" },
        { uuid: "same", sender: "human", text: "Second question", attachments: [{ file_name: "b.txt", extracted_content: "b" }] },
      ],
    };
    const plan = () => planConversation(readClaudeConversation(file, 100), "alice@example.com", "claude", 0)!;
    const planned = plan();
    const ids = planned.thread.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(planned.thread.steps.map((s) => s.output ?? s.input)).toEqual(["First question", "First question", "First answer", "Second question", "Second question"]);
    expect(new Set(planned.elements.map((e) => e.id)).size).toBe(2);
    expect(plan().thread.steps.map((s) => s.id)).toEqual(ids);
  });

  it("tool use and results in content become tool steps", () => {
    const conversation = readClaudeConversation(
      {
        uuid: "c",
        chat_messages: [
          { uuid: "m", sender: "assistant", text: "", content: [{ type: "tool_use", name: "web_search", input: { q: "x" } }, { type: "tool_result", name: "web_search", content: [{ type: "text", text: "found" }] }, { type: "text", text: "Done." }] },
        ],
      },
      100,
    );
    expect(conversation.messages.map((m) => [m.role, m.name ?? null, m.input ?? null, m.text])).toEqual([
      ["tool", "web_search", '{"q":"x"}', ""],
      ["tool", "web_search", null, "found"],
      ["assistant", null, null, "Done."],
    ]);
  });
});
