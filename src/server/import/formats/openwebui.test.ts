import { describe, expect, it } from "vitest";
import { openWebUiChats, skipOf as skip } from "../../../../test/self-hosted-exports";
import { isOpenWebUiChat, readOpenWebUiConversation, withoutReasoning } from "./openwebui";
import { planConversation } from "../plan-thread";

const [sourdough, greetings, empty] = openWebUiChats();

const skipOf = (value: unknown, maxMessages = 100) => skip(readOpenWebUiConversation, value, maxMessages);

const chatWith = (messages: Record<string, unknown>, currentId: unknown = null) => ({ id: "c", title: "t", chat: { history: { messages, currentId } } });
const message = (id: string, parentId: string | null, timestamp: number, extra: Record<string, unknown> = {}) => ({
  id, parentId, childrenIds: [], role: "user", content: `text ${id}`, timestamp, ...extra,
});

describe("Open WebUI: recognising its export", () => {
  it("a chat record with history or with the early messages list; not ChatGPT's or Claude's", () => {
    expect([sourdough, greetings, empty].every(isOpenWebUiChat)).toBe(true);
    expect(isOpenWebUiChat({ id: "x", history: { messages: {} } })).toBe(true);
    expect(isOpenWebUiChat({ mapping: {} })).toBe(false);
    expect(isOpenWebUiChat({ chat_messages: [] })).toBe(false);
    expect(isOpenWebUiChat({ chat: "text" })).toBe(false);
  });
});

describe("Open WebUI: the branch shown", () => {
  const conversation = readOpenWebUiConversation(sourdough, 100);

  it("follows currentId up the parents: the answer the user kept, not the later regeneration", () => {
    expect(conversation.messages.map((m) => m.sourceId)).toEqual(["m1", "m2", "m3", "m4b"]);
    expect(conversation.messages.map((m) => m.text).join("\n")).not.toContain("regenerated");
  });

  it("keeps names, times, roles, the model of each reply and pinned; markup is text, reasoning blocks are left out", () => {
    expect(conversation).toMatchObject({ sourceId: "owui-chat-1", title: "Sourdough starter", createdAt: 1717236000e6, updatedAt: 1717236150e6, pinned: true, tags: ["baking"] });
    expect(conversation.messages.map((m) => [m.role, m.name ?? null, m.createdAt])).toEqual([
      ["user", null, 1717236000e6],
      ["assistant", "Llama 3.1 8B", 1717236005e6],
      ["user", null, 1717236100e6],
      ["assistant", "qwen2.5:7b", 1717236150e6],
    ]);
    expect(conversation.messages[1]!.text).toBe("Equal weights of flour and water, once a day.");
    expect(conversation.messages[2]!.text).toBe("And with <b>rye</b> flour?");
  });

  it("lists a message's files as not carried by the export, so the import counts them as skipped", () => {
    expect(conversation.messages[0]!.attachments).toEqual([{ sourceId: "0", name: "feeding-notes.pdf", mime: "application/pdf", source: { kind: "not-exported" } }]);
  });

  it("without currentId, or with one naming no message, takes the latest message that has no replies", () => {
    const messages = { a: { ...message("a", null, 100), childrenIds: ["b", "c"] }, b: message("b", "a", 300), c: message("c", "a", 200) };
    expect(readOpenWebUiConversation(chatWith(messages), 10).messages.map((m) => m.sourceId)).toEqual(["a", "b"]);
    expect(readOpenWebUiConversation(chatWith(messages, "gone"), 10).messages.map((m) => m.sourceId)).toEqual(["a", "b"]);
    expect(readOpenWebUiConversation(chatWith(messages, "__proto__"), 10).messages.map((m) => m.sourceId)).toEqual(["a", "b"]);
  });

  it("a cycle in the parentIds ends the walk", () => {
    const messages = { a: message("a", "b", 1), b: message("b", "a", 2) };
    expect(readOpenWebUiConversation(chatWith(messages, "a"), 10).messages.map((m) => m.sourceId)).toEqual(["b", "a"]);
  });

  it("a branch, or an early list, longer than the message limit skips the conversation with that reason", () => {
    const messages = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, message(`n${i}`, i ? `n${i - 1}` : null, i)]));
    expect(skipOf(chatWith(messages, "n29"), 10)).toEqual({ code: "too-many", limit: 10, unit: "messages" });
    const linear = { id: "l", chat: { messages: Array.from({ length: 30 }, (_, i) => message(`n${i}`, null, i)) } };
    expect(skipOf(linear, 10)).toEqual({ code: "too-many", limit: 10, unit: "messages" });
  });
});

describe("Open WebUI: early exports and hostile records", () => {
  it("an export without history is read in its list's order", () => {
    const conversation = readOpenWebUiConversation(greetings, 100);
    expect(conversation.messages.map((m) => [m.role, m.text, m.name ?? null])).toEqual([["user", "Say hello in Dutch.", null], ["assistant", "Hallo!", "mistral:7b"]]);
  });

  it("a chat with no message reads as empty (the import skips it as an empty conversation)", () => {
    expect(readOpenWebUiConversation(empty, 100).messages).toEqual([]);
    expect(planConversation(readOpenWebUiConversation(empty, 100), "alice", "open-webui", 0)).toBeNull();
  });

  it("non-string content, unknown roles, records that are not objects and a listed message's repeat are left out", () => {
    const chat = {
      id: "h",
      chat: {
        messages: [
          { id: "1", role: "user", content: { html: "<img>" } },
          { id: "2", role: "system", content: "You are terse." },
          "not a message",
          null,
          { id: "3", role: "user", content: "kept" },
          { id: "3", role: "user", content: "a repeat" },
          { id: "4", role: "assistant", content: 42, files: "nope" },
        ],
      },
    };
    expect(readOpenWebUiConversation(chat, 100).messages.map((m) => [m.sourceId, m.text])).toEqual([["3", "kept"]]);
  });

  it("no id, or not a chat at all, skips the record with the reason", () => {
    expect(skipOf({ title: "No id", chat: { messages: [] } })).toEqual({ code: "no-id", field: "id", unit: "conversation" });
    expect(skipOf({ title: "Something else" })).toEqual({ code: "not-format", format: "open-webui" });
  });

  it("files: at most 20 a message, whatever a hostile one lists", () => {
    const files = Array.from({ length: 5000 }, () => ({ type: "image", url: "data:image/png;base64,AAAA" }));
    const [first] = readOpenWebUiConversation({ id: "f", chat: { messages: [{ id: "1", role: "user", content: "", files }] } }, 100).messages;
    expect(first!.attachments).toHaveLength(20);
    expect(first!.attachments[0]).toMatchObject({ name: "image-1.png", mime: "image/png", source: { kind: "data-url" } });
  });

  it("reasoning blocks go in one pass; an unclosed one is kept as text", () => {
    expect(withoutReasoning('<details type="reasoning">a</details>x<details type="reasoning">b</details>y')).toBe("xy");
    expect(withoutReasoning('<details type="reasoning">never closed')).toBe('<details type="reasoning">never closed');
    expect(withoutReasoning('<details type="tool_calls">kept</details>')).toBe('<details type="tool_calls">kept</details>');
    const huge = '<details type="reasoning">'.repeat(200_000);
    expect(withoutReasoning(huge)).toBe(huge);
  });
});

describe("Open WebUI: a chat's tags", () => {
  const tagsOf = (record: Record<string, unknown>) => readOpenWebUiConversation({ ...greetings, ...record }, 10).tags;
  it("names or { name } rows, on the record, in its meta or in its chat; checked as a tag added in Threadbook", () => {
    expect(readOpenWebUiConversation(greetings, 10).tags).toEqual(["Languages"]);
    expect(tagsOf({ tags: ["work", { name: " Side   project " }] })).toEqual(["work", "Side project"]);
    expect(tagsOf({ meta: { tags: [{ name: "from-meta" }] } })).toEqual(["from-meta"]);
    // Empty, too long, not text, a repeat in another case: left out, the conversation imported anyway.
    expect(tagsOf({ tags: ["", "   ", "x".repeat(41), 7, null, { id: "no-name" }, "Work", "work", "x".repeat(40)] })).toEqual(["Work", "x".repeat(40)]);
    // At most 20, of the first 100 entries looked at.
    expect(tagsOf({ tags: Array.from({ length: 30 }, (_, i) => `t${i}`) })).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
    expect(tagsOf({ tags: [...Array.from({ length: 100 }, () => ""), "late"] })).toEqual([]);
    expect(tagsOf({ tags: "not-a-list" })).toEqual(["Languages"]);
  });
});

describe("Open WebUI: planned as Chainlit's turns", () => {
  it("replies are named after their model (Open WebUI without one); the thread is pinned as it was", () => {
    const planned = planConversation(readOpenWebUiConversation(sourdough, 100), "alice@example.com", "open-webui", 0)!;
    expect(planned.thread.steps.map((s) => [s.type, s.name])).toEqual([
      ["user_message", "alice@example.com"],
      ["run", "on_message"],
      ["assistant_message", "Llama 3.1 8B"],
      ["user_message", "alice@example.com"],
      ["run", "on_message"],
      ["assistant_message", "qwen2.5:7b"],
    ]);
    expect(planned.thread.metadata).toEqual({ importedFrom: "open-webui", sourceId: "owui-chat-1" });
    expect(planned.pinned).toBe(true);
    expect(planned.thread.tags).toEqual(["baking"]);
    expect(planned.elements.map((e) => [e.name, e.source.kind])).toEqual([["feeding-notes.pdf", "not-exported"]]);
    const unnamed = readOpenWebUiConversation({ id: "u", chat: { messages: [{ id: "1", role: "assistant", content: "hi" }] } }, 10);
    expect(planConversation(unnamed, "alice", "open-webui", 0)!.thread.steps[0]!.name).toBe("Open WebUI");
  });

  it("the same chat gives the same ids every time, and different ones to another user", () => {
    const plan = (user: string) => planConversation(readOpenWebUiConversation(sourdough, 100), user, "open-webui", 0)!;
    expect(plan("alice").thread.steps.map((s) => s.id)).toEqual(plan("alice").thread.steps.map((s) => s.id));
    expect(plan("bob").thread.id).not.toBe(plan("alice").thread.id);
  });
});
