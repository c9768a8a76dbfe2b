/**
 * Edit and the thread's name: editing the first question of a thread still named after it (by Threadbook's first send,
 * by Chainlit's whole first message, or never named) renames the thread after the new text; a name the user gave stays,
 * and so does the name when any other question is edited (edit-message.ts, nameAfterEdit).
 */
import { randomUUID } from "node:crypto";
import { PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { callerFor, newThread, sessionUser } from "../../../test/callers";
import { chatHarness, drain } from "../../../test/chat-harness";
import { chainlitThread, chainlitTurn } from "../../../test/data-fixtures";
import type { ChatEvent } from "./continue-thread";
import { nameAfterEdit } from "./edit-message";

const harness = chatHarness();
const put = (Item: Record<string, AttributeValue>) => harness.services.data.context.doc.send(new PutItemCommand({ TableName: harness.services.data.context.tableName, Item }));
const nameOf = async (threadId: string) => (await harness.services.data.getThread(threadId))!.name ?? null;

/** A thread this app wrote: questions sent in order, each answered. */
async function sentThread(user: ReturnType<typeof sessionUser>, questions: string[]) {
  const threadId = await newThread(harness.services, user);
  const ids: string[] = [];
  for (const content of questions) {
    const messageId = randomUUID();
    await drain(await callerFor(harness.services, user).chat.send({ threadId, messageId, content }));
    ids.push(messageId);
  }
  return { threadId, ids };
}

/** Two turns Chainlit wrote, the thread named as Chainlit names it (`name`; null: none, as after a first message of only a file). */
async function chainlitTwoTurns(userId: string, name: string | null, firstQuestion: string) {
  const threadId = randomUUID();
  const at = (minute: number, s: number) => `2025-03-04T10:${minute}:${String(s).padStart(2, "0")}.000001Z`;
  const turn = (minute: number, question: string) => chainlitTurn(userId, threadId, { question, answer: `answer to ${question}`, askedAt: at(minute, 1), ranAt: at(minute, 2), repliedAt: at(minute, 4), endedAt: at(minute, 5) });
  const [first, second] = [turn(11, firstQuestion), turn(12, "and the second")];
  for (const item of [chainlitThread(userId, threadId, { name }).thread, ...first.steps, ...second.steps]) await put(item);
  return { threadId, first, second };
}

describe("an edit of a thread's first question renames a thread still named after it", () => {
  it("a thread this app named: the name follows the edited first question, in the sidebar and the start event; later questions' edits leave it", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const { threadId, ids } = await sentThread(alice, ["which tigers live longest", "and in zoos"]);
    expect(await nameOf(threadId)).toBe("which tigers live longest");
    const events = await drain(await as.chat.edit({ threadId, stepId: ids[0]!, content: "which   lions\nlive longest" }));
    expect((events[0] as Extract<ChatEvent, { type: "start" }>).threadName).toBe("which lions live longest");
    expect(await nameOf(threadId)).toBe("which lions live longest");
    expect((await as.threads.list({})).data.find((t) => t.id === threadId)?.name).toBe("which lions live longest");
    await as.search.prepare();
    expect((await as.search.query({ query: "lions" })).data.map((hit) => hit.id)).toEqual([threadId]);

    // A long first message: the name is its first 60 characters, and so is the edited one's.
    const long = await sentThread(alice, [`tigers ${"and more tigers ".repeat(10)}`]);
    expect(await nameOf(long.threadId)).toHaveLength(60);
    await drain(await as.chat.edit({ threadId: long.threadId, stepId: long.ids[0]!, content: `lions ${"and more lions ".repeat(10)}` }));
    expect(await nameOf(long.threadId)).toMatch(/^lions and more lions .*…$/);

    // Not the first question, even one with the same words as the name: the name stays.
    const two = await sentThread(alice, ["the same words", "the same words"]);
    await drain(await as.chat.edit({ threadId: two.threadId, stepId: two.ids[1]!, content: "other words" }));
    expect(await nameOf(two.threadId)).toBe("the same words");
  });

  it("a thread the user renamed keeps its name, here or in Chainlit", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const { threadId, ids } = await sentThread(alice, ["which tigers live longest"]);
    await as.threads.rename({ threadId, name: "Big cats" });
    await drain(await as.chat.edit({ threadId, stepId: ids[0]!, content: "which lions live longest" }));
    expect(await nameOf(threadId)).toBe("Big cats");

    const renamedInChainlit = await chainlitTwoTurns(alice.id, "Trip notes", "where to start");
    await drain(await as.chat.edit({ threadId: renamedInChainlit.threadId, stepId: renamedInChainlit.first.messageId, content: "where to end" }));
    expect(await nameOf(renamedInChainlit.threadId)).toBe("Trip notes");
  });

  it("a thread Chainlit named with its whole first message, or left unnamed, is named after the edited question as this app names one", async () => {
    const alice = sessionUser();
    const as = callerFor(harness.services, alice);
    const whole = "Where should I start?\n\nI have three days and I like **old** temples, quiet gardens and long walks in the hills.";
    const named = await chainlitTwoTurns(alice.id, whole, whole);
    await drain(await as.chat.edit({ threadId: named.threadId, stepId: named.first.messageId, content: "Where should I end?" }));
    expect(await nameOf(named.threadId)).toBe("Where should I end?");

    const unnamed = await chainlitTwoTurns(alice.id, null, "a question");
    await drain(await as.chat.edit({ threadId: unnamed.threadId, stepId: unnamed.first.messageId, content: "a better question" }));
    expect(await nameOf(unnamed.threadId)).toBe("a better question");

    // Chainlit's second question edited, though the thread bears its words: the name stays.
    const other = await chainlitTwoTurns(alice.id, "and the second", "first words");
    await drain(await as.chat.edit({ threadId: other.threadId, stepId: other.second.messageId, content: "and another" }));
    expect(await nameOf(other.threadId)).toBe("and the second");
  });

  it("nameAfterEdit: only a name made from the old text (or none) follows it; a file-only question's name is its file's", () => {
    expect(nameAfterEdit("hello there", "hello there", "goodbye", [])).toBe("goodbye");
    expect(nameAfterEdit("hello   there", "hello   there", "goodbye", [])).toBe("goodbye");
    expect(nameAfterEdit(null, "hello", "goodbye", [])).toBe("goodbye");
    expect(nameAfterEdit("My name", "hello", "goodbye", [])).toBeUndefined();
    expect(nameAfterEdit("report.pdf", "", "what does it say", [{ name: "report.pdf" }])).toBe("what does it say");
    // Unchanged: nothing to write.
    expect(nameAfterEdit("hello", "hello", "  hello ", [])).toBeUndefined();
  });
});
