/**
 * Open WebUI and LibreChat exports for the import tests, in the shapes those apps write (docs/import-export.md,
 * "Open WebUI", "LibreChat"): made in the test, small, never written to the repo.
 */
import { SkipConversation } from "../src/server/import/source-model";

/** The problem a reader skips a conversation with, or null when it reads. */
export function skipOf(read: (value: unknown, maxMessages: number) => unknown, value: unknown, maxMessages = 100) {
  try {
    read(value, maxMessages);
    return null;
  } catch (error) {
    if (error instanceof SkipConversation) return error.problem;
    throw error;
  }
}

/**
 * Open WebUI's "Export All Chats": an array of chat records, times in epoch seconds. The first chat was answered
 * twice at its second question (a regeneration, `m4a`, written after the answer the user kept, `m4b`, which
 * `currentId` names); its first message carries a file, which the export does not include; it is pinned.
 */
export function openWebUiChats(tag = "") {
  return [
    {
      id: "owui-chat-1",
      user_id: "3f1c2d9e-owui-user",
      title: `Sourdough starter${tag}`,
      chat: {
        id: "",
        title: `Sourdough starter${tag}`,
        models: ["llama3.1:8b"],
        params: {},
        history: {
          currentId: "m4b",
          messages: {
            m1: {
              id: "m1",
              parentId: null,
              childrenIds: ["m2"],
              role: "user",
              content: "How do I feed a sourdough starter?",
              timestamp: 1717236000,
              models: ["llama3.1:8b"],
              files: [{ type: "file", id: "f1", name: "feeding-notes.pdf", url: "f1", file: { id: "f1", filename: "feeding-notes.pdf", meta: { name: "feeding-notes.pdf", content_type: "application/pdf", size: 1200 } } }],
            },
            m2: {
              id: "m2",
              parentId: "m1",
              childrenIds: ["m3"],
              role: "assistant",
              content: '<details type="reasoning" done="true" duration="2">\n<summary>Thought for 2 seconds</summary>\n> They want a routine.\n</details>\nEqual weights of flour and water, once a day.',
              model: "llama3.1:8b",
              modelName: "Llama 3.1 8B",
              timestamp: 1717236005,
              done: true,
            },
            m3: { id: "m3", parentId: "m2", childrenIds: ["m4a", "m4b"], role: "user", content: "And with <b>rye</b> flour?", timestamp: 1717236100 },
            m4b: { id: "m4b", parentId: "m3", childrenIds: [], role: "assistant", content: "Rye ferments faster: feed it twice a day.", model: "qwen2.5:7b", timestamp: 1717236150, done: true },
            m4a: { id: "m4a", parentId: "m3", childrenIds: [], role: "assistant", content: "A regenerated answer the user moved away from.", model: "llama3.1:8b", timestamp: 1717236200, done: true },
          },
        },
        messages: [],
        tags: [],
        timestamp: 1717236000000,
        files: [],
      },
      updated_at: 1717236150,
      created_at: 1717236000,
      share_id: null,
      archived: false,
      pinned: true,
      meta: { tags: ["baking"] },
      folder_id: null,
    },
    {
      // An early export: no `history`, the messages as a list.
      id: "owui-chat-2",
      title: `Greetings${tag}`,
      chat: {
        title: `Greetings${tag}`,
        messages: [
          { id: "g1", parentId: null, role: "user", content: "Say hello in Dutch.", timestamp: 1704103200 },
          { id: "g2", parentId: "g1", role: "assistant", content: "Hallo!", model: "mistral:7b", timestamp: 1704103202 },
        ],
        // Early versions kept the chat's tags in the chat itself, as Tag rows.
        tags: [{ name: "Languages", user_id: "u1" }],
      },
      created_at: 1704103200,
      updated_at: 1704103202,
    },
    { id: "owui-chat-3", title: `New Chat${tag}`, chat: { title: "New Chat", history: { messages: {}, currentId: null }, messages: [] }, created_at: 1717300000, updated_at: 1717300000 },
  ];
}

const NO_PARENT = "00000000-0000-0000-0000-000000000000";

/**
 * LibreChat's JSON export as its dialog makes it by default (all branches, recursive): replies nested under
 * `children`. The second question was edited (`u2a` then `u2b`); the latest message is `a2b`, whose text is in
 * `content` parts; the first question carries a file, which the export does not include.
 */
export function libreChatExport(tag = "") {
  const at = (minute: number, second = 0) => `2024-06-01T10:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}.000Z`;
  return {
    conversationId: "lc-conv-1",
    endpoint: "openAI",
    title: `Tax brackets${tag}`,
    exportAt: "10:05:00 GMT+0000 (Coordinated Universal Time)",
    branches: true,
    recursive: true,
    options: { endpoint: "openAI", model: "gpt-4o" },
    messages: [
      {
        messageId: "u1",
        conversationId: "lc-conv-1",
        parentMessageId: NO_PARENT,
        sender: "User",
        text: "Explain tax brackets.",
        isCreatedByUser: true,
        createdAt: at(0),
        files: [{ file_id: "file-w2", filename: "w2-form.pdf", filepath: "/uploads/u/file-w2.pdf", type: "application/pdf" }],
        children: [
          {
            messageId: "a1",
            parentMessageId: "u1",
            sender: "GPT-4o",
            model: "gpt-4o",
            text: "",
            content: [{ type: "think", think: "Marginal rates." }, { type: "text", text: "Each bracket taxes only the income inside it." }],
            isCreatedByUser: false,
            createdAt: at(0, 5),
            children: [
              {
                messageId: "u2a",
                parentMessageId: "a1",
                sender: "User",
                text: "A question the user edited away.",
                isCreatedByUser: true,
                createdAt: at(1),
                children: [{ messageId: "a2a", parentMessageId: "u2a", sender: "GPT-4o", text: "An answer to the edited question.", isCreatedByUser: false, createdAt: at(1, 5), children: [] }],
              },
              {
                messageId: "u2b",
                parentMessageId: "a1",
                sender: "User",
                text: "And <script>alert(1)</script> deductions?",
                isCreatedByUser: true,
                createdAt: at(2),
                children: [
                  {
                    messageId: "a2b",
                    parentMessageId: "u2b",
                    sender: "GPT-4o",
                    text: "",
                    content: [{ type: "text", text: { value: "Deductions lower the income that is taxed." } }],
                    isCreatedByUser: false,
                    createdAt: at(2, 5),
                    children: [],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** A recursive LibreChat export of `turns` questions and answers: nested 4 JSON levels a turn, deeper than any other export. */
export function deepLibreChatExport(turns: number) {
  let children: unknown[] = [];
  for (let turn = turns - 1; turn >= 0; turn--) {
    const time = new Date(Date.UTC(2024, 6, 1) + turn * 60_000).toISOString();
    const answer = { messageId: `a${turn}`, parentMessageId: `u${turn}`, sender: "Claude", text: `Answer ${turn}`, isCreatedByUser: false, createdAt: time, children };
    children = [{ messageId: `u${turn}`, parentMessageId: turn ? `a${turn - 1}` : NO_PARENT, sender: "User", text: `Question ${turn}`, isCreatedByUser: true, createdAt: time, children: [answer] }];
  }
  return { conversationId: "lc-deep", endpoint: "anthropic", title: "A long conversation", exportAt: "12:00:00 GMT+0000", branches: false, recursive: true, messages: children };
}
