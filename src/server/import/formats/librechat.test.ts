import { describe, expect, it } from "vitest";
import { deepLibreChatExport, libreChatExport, skipOf as skip } from "../../../../test/self-hosted-exports";
import { isLibreChatExport, LIBRECHAT_HEAD, readLibreChatConversation } from "./librechat";
import { planConversation } from "../plan-thread";

const skipOf = (value: unknown, maxMessages = 100) => skip(readLibreChatConversation, value, maxMessages);

const ids = (value: unknown, maxMessages = 100) => readLibreChatConversation(value, maxMessages).messages.map((m) => m.sourceId);
const message = (messageId: string, parentMessageId: string | null, minute: number, extra: Record<string, unknown> = {}) => ({
  messageId, parentMessageId, text: `text ${messageId}`, isCreatedByUser: minute % 2 === 0, createdAt: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(), ...extra,
});
const exportOf = (messages: unknown[]) => ({ conversationId: "c", title: "t", branches: true, recursive: false, messages });

/** The recursive tree as the dialog writes it with "recursive" off: every message in one list, depth first. */
function flat(nodes: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return nodes.flatMap(({ children, ...rest }) => [rest, ...flat((children ?? []) as Array<Record<string, unknown>>)]);
}

describe("LibreChat: recognising its export", () => {
  it("an object with conversationId and messages (or the older messagesTree); the way its file starts", () => {
    expect(isLibreChatExport(libreChatExport())).toBe(true);
    expect(isLibreChatExport({ conversationId: "c", messagesTree: [] })).toBe(true);
    expect(isLibreChatExport({ conversationId: "c" })).toBe(false);
    expect(isLibreChatExport({ conversationId: 7, messages: [] })).toBe(false);
    expect(LIBRECHAT_HEAD.test(JSON.stringify(libreChatExport()))).toBe(true);
    expect(LIBRECHAT_HEAD.test(JSON.stringify(libreChatExport(), null, 2))).toBe(true);
    expect(LIBRECHAT_HEAD.test(JSON.stringify({ title: "x", conversationId: "c" }))).toBe(false);
  });
});

describe("LibreChat: the branch imported", () => {
  const conversation = readLibreChatConversation(libreChatExport(), 100);

  it("a recursive export with all branches: the branch ending at the latest message, edited questions left out", () => {
    expect(conversation.messages.map((m) => m.sourceId)).toEqual(["u1", "a1", "u2b", "a2b"]);
  });

  it("the same from the flat list (recursive off), and from the older messagesTree", () => {
    const tree = libreChatExport();
    expect(ids({ ...tree, recursive: false, messages: flat(tree.messages) })).toEqual(["u1", "a1", "u2b", "a2b"]);
    expect(ids({ ...tree, messages: undefined, messagesTree: tree.messages })).toEqual(["u1", "a1", "u2b", "a2b"]);
  });

  it("text from content parts (a string or { value }), else text; reasoning parts left out; markup is text", () => {
    expect(conversation.messages.map((m) => [m.role, m.text, m.name ?? null])).toEqual([
      ["user", "Explain tax brackets.", null],
      ["assistant", "Each bracket taxes only the income inside it.", "GPT-4o"],
      ["user", "And <script>alert(1)</script> deductions?", null],
      ["assistant", "Deductions lower the income that is taxed.", "GPT-4o"],
    ]);
    expect(conversation).toMatchObject({ sourceId: "lc-conv-1", title: "Tax brackets", createdAt: null, updatedAt: null });
    expect(conversation.messages[0]!.createdAt).toBe(Date.parse("2024-06-01T10:00:00.000Z") * 1000);
  });

  it("files are listed as not carried by the export, so the import counts them as skipped", () => {
    expect(conversation.messages[0]!.attachments).toEqual([{ sourceId: "file-w2", name: "w2-form.pdf", mime: "application/pdf", source: { kind: "not-exported" } }]);
  });

  it("messages that name no parent in the file are read in the file's order", () => {
    expect(ids(exportOf([message("x", null, 0), message("y", null, 1), message("z", "elsewhere", 2)]))).toEqual(["x", "y", "z"]);
  });

  it("without times, the last reply in the file's order ends the branch", () => {
    const untimed = [message("r", null, 0), message("p", "r", 1), message("q", "r", 3)].map(({ createdAt: _, ...m }) => m);
    expect(ids(exportOf(untimed))).toEqual(["r", "q"]);
  });

  it("a cycle in the parentMessageIds ends the walk", () => {
    expect(ids(exportOf([message("a", "b", 0), message("b", "a", 1), message("leaf", "a", 2)]))).toEqual(["b", "a", "leaf"]);
    // Only a cycle, no message without replies: nothing to show (the import skips it as empty).
    expect(ids(exportOf([message("a", "b", 0), message("b", "a", 1)]))).toEqual([]);
  });

  it("a tree, or a branch, over the message limit skips the conversation with that reason", () => {
    expect(skipOf(deepLibreChatExport(30), 10)).toEqual({ code: "too-many", limit: 10, unit: "messages" });
    expect(ids(deepLibreChatExport(30), 60)).toHaveLength(60);
  });

  it("a deep recursive export is walked without recursion", () => {
    expect(ids(deepLibreChatExport(5_000), 20_000)).toHaveLength(10_000);
  });
});

describe("LibreChat: hostile records", () => {
  it("a message without isCreatedByUser, non-string text, records that are not objects and repeated ids are left out", () => {
    const messages = [
      message("a", null, 0),
      { messageId: "b", parentMessageId: "a", text: "who wrote this?" },
      message("c", "a", 2, { text: { html: "<b>" } }),
      "junk",
      null,
      message("a", null, 4, { text: "a repeat" }),
      message("d", "a", 6, { content: [{ type: "text", text: 42 }, { type: "tool_call", tool_call: { name: "x" } }], text: "from text" }),
    ];
    const conversation = readLibreChatConversation(exportOf(messages), 100);
    expect(conversation.messages.map((m) => [m.sourceId, m.text])).toEqual([["a", "text a"], ["d", "from text"]]);
  });

  it("no conversationId, or no messages, skips it with the reason", () => {
    expect(skipOf({ title: "x", messages: [] })).toEqual({ code: "no-id", field: "conversationId", unit: "conversation" });
    expect(skipOf({ conversationId: "c" })).toEqual({ code: "not-format", format: "librechat" });
  });

  it("files: at most 20 a message", () => {
    const files = Array.from({ length: 1000 }, (_, i) => ({ file_id: `f${i}`, filename: `f${i}.png`, type: "image/png" }));
    expect(readLibreChatConversation(exportOf([message("a", null, 0, { files })]), 10).messages[0]!.attachments).toHaveLength(20);
  });
});

describe("LibreChat: planned as Chainlit's turns", () => {
  it("replies are named after their sender (LibreChat without one)", () => {
    const planned = planConversation(readLibreChatConversation(libreChatExport(), 100), "alice", "librechat", 0)!;
    expect(planned.thread.steps.filter((s) => s.type === "assistant_message").map((s) => s.name)).toEqual(["GPT-4o", "GPT-4o"]);
    expect(planned.thread.metadata).toEqual({ importedFrom: "librechat", sourceId: "lc-conv-1" });
    const anonymous = readLibreChatConversation(exportOf([message("a", null, 1, { sender: "   " })]), 10);
    expect(planConversation(anonymous, "alice", "librechat", 0)!.thread.steps[0]!.name).toBe("LibreChat");
  });
});
