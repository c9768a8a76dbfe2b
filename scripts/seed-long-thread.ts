/**
 * A long agent thread as a Chainlit app with tools writes it (docs/long-threads.md): each turn is a user message, its
 * run, one tool call under the run and the reply, a short answer with a small Markdown table. For the UI bench
 * (scripts/bench/ui.ts), the end-to-end spec (e2e/long-thread.spec.ts) and the tests, through the data layer.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDataLayer, StepInput } from "../src/data";

export const STEPS_PER_TURN = 4;

export interface LongThreadTurn {
  messageId: string;
  runId: string;
  toolId: string;
  replyId: string;
}

export interface SeededLongThread {
  threadId: string;
  turns: LongThreadTurn[];
}

/** The text of turn `i`'s question and answer: numbered, so a test can find a given turn on screen. */
export const questionOf = (i: number) => `Question ${i + 1}: how did region ${(i % 7) + 1} do this week?`;
export const replyOf = (i: number) =>
  `Answer ${i + 1}: region ${(i % 7) + 1} grew steadily.\n\n| Week | Orders | Revenue |\n| --- | ---: | ---: |\n| ${i + 1} | ${100 + (i % 50)} | ${(1000 + i * 7).toLocaleString("en-US")} |\n| ${i + 2} | ${110 + (i % 40)} | ${(1100 + i * 7).toLocaleString("en-US")} |`;

/**
 * Writes a thread of `steps` steps (rounded down to whole turns) for `userId`, `concurrency` writes at a time, with
 * times one second apart ending now, so the thread sorts as written. Step ids are random unless `sameIdsAs` gives them.
 * `toolLogChars` adds a log of that many characters to each tool output: a partition past 1 MB without more writes.
 */
export async function seedLongThread(
  data: Pick<DynamoDBDataLayer, "updateThread" | "createStep">,
  options: { userId: string; steps: number; name?: string; threadId?: string; concurrency?: number; sameIdsAs?: SeededLongThread; toolLogChars?: number },
): Promise<SeededLongThread> {
  const threadId = options.threadId ?? randomUUID();
  const turnCount = Math.floor(options.steps / STEPS_PER_TURN);
  await data.updateThread(threadId, { userId: options.userId, name: options.name ?? `Long thread (${turnCount * STEPS_PER_TURN} steps)` }, { touch: true });
  const startMs = Date.now() - turnCount * STEPS_PER_TURN * 1000;
  const at = (n: number) => new Date(startMs + n * 1000).toISOString();
  const turns: LongThreadTurn[] = [];
  const writes: StepInput[] = [];
  for (let i = 0; i < turnCount; i++) {
    // sameIdsAs: a copy of another thread's turns under the same step ids (an imported or forked thread).
    const turn = options.sameIdsAs?.turns[i] ?? { messageId: randomUUID(), runId: randomUUID(), toolId: randomUUID(), replyId: randomUUID() };
    turns.push(turn);
    const n = i * STEPS_PER_TURN;
    writes.push(
      { id: turn.messageId, threadId, type: "user_message", name: "User", output: questionOf(i), createdAt: at(n) },
      { id: turn.runId, threadId, parentId: turn.messageId, type: "run", name: "on_message", createdAt: at(n + 1), start: at(n + 1), end: at(n + 3) },
      {
        id: turn.toolId,
        threadId,
        parentId: turn.runId,
        type: "tool",
        name: "sales_report",
        input: JSON.stringify({ region: (i % 7) + 1, week: i + 1 }),
        output: JSON.stringify({ orders: 100 + (i % 50), revenue: 1000 + i * 7, ...(options.toolLogChars ? { log: "ok ".repeat(options.toolLogChars / 3) } : {}) }),
        createdAt: at(n + 2),
        start: at(n + 2),
        end: at(n + 2),
      },
      { id: turn.replyId, threadId, parentId: turn.runId, type: "assistant_message", name: "Assistant", output: replyOf(i), createdAt: at(n + 3) },
    );
  }
  const concurrency = options.concurrency ?? 16;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < writes.length) await data.createStep(writes[next++]!);
    }),
  );
  return { threadId, turns };
}
