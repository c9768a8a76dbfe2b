/**
 * The print view's read (print-thread.ts) on the real dynalite: the owner's thread only (someone else's and a missing
 * one are the same null), every step of a thread within the bounds, and past either bound only the latest whole turns
 * with the counts the page's note shows.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServices, seedThread, sessionUser, type SeededThread } from "../../../test/callers";
import { chainlitDeleteThread, chainlitThread, chainlitTurn, chainlitUpdateThread, tableOn } from "../../../test/data-fixtures";
import { PRINT_BOUNDS, printStart, readPrintedThread, type PrintBounds } from "./print-thread";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`);
const bob = sessionUser(`bob-${randomUUID()}@example.com`);
let seeded: SeededThread;
/** A thread of TURNS turns (question, run, answer with ANSWER_CHARS characters). */
let long: string;
const TURNS = 12;
const ANSWER_CHARS = 1_000;

beforeAll(async () => {
  services = await createTestServices();
  seeded = await seedThread(services, alice.id, "Alice's thread");
  long = randomUUID();
  const { data } = services;
  await data.updateThread(long, { name: "Long", userId: alice.id }, { touch: true });
  const at = (second: number) => new Date(Date.UTC(2025, 2, 4, 9, 0, second)).toISOString();
  for (let turn = 0; turn < TURNS; turn++) {
    const [question, run] = [`${long.slice(0, 8)}-q${turn}`, `${long.slice(0, 8)}-r${turn}`];
    await data.createStep({ id: question, threadId: long, type: "user_message", output: `question ${turn}`, createdAt: at(3 * turn) });
    await data.createStep({ id: run, threadId: long, parentId: question, type: "run", name: "on_message", createdAt: at(3 * turn + 1) });
    await data.createStep({ id: `${long.slice(0, 8)}-a${turn}`, threadId: long, parentId: run, type: "assistant_message", output: `answer ${turn} `.padEnd(ANSWER_CHARS, "x"), createdAt: at(3 * turn + 2) });
  }
});
afterAll(() => services.close());

const bounds = (over: Partial<PrintBounds>): PrintBounds => ({ ...PRINT_BOUNDS, ...over });
const questionsOf = (steps: { type?: string | null; output?: string | null }[]) => steps.filter((s) => s.type === "user_message").map((s) => s.output);

describe("printStart", () => {
  const turnStarts = [0, 3, 4, 9];
  it("starts at the first step when nothing is cut", () => {
    expect(printStart(turnStarts, 12, 0)).toBe(0);
    expect(printStart(turnStarts, 12, -5)).toBe(0);
  });
  it("moves a cut inside a turn to the next turn's start, never printing half a turn", () => {
    expect(printStart(turnStarts, 12, 1)).toBe(3);
    expect(printStart(turnStarts, 12, 3)).toBe(3);
    expect(printStart(turnStarts, 12, 5)).toBe(9);
  });
  it("keeps a cut inside the last turn (one turn over the bound), and nothing when everything is cut", () => {
    expect(printStart(turnStarts, 12, 10)).toBe(10);
    expect(printStart(turnStarts, 12, 12)).toBe(12);
  });
});

describe("readPrintedThread", () => {
  it("is the owner's only: someone else's thread and a missing one are the same null", async () => {
    expect(await readPrintedThread(services.data, bob, seeded.threadId)).toBeNull();
    expect(await readPrintedThread(services.data, alice, randomUUID())).toBeNull();
    expect(await readPrintedThread(services.data, alice, "not an id")).toBeNull();
  });

  it("prints every step of a thread within the bounds, with its attachments, and no note", async () => {
    const printed = (await readPrintedThread(services.data, alice, seeded.threadId))!;
    expect(printed.thread.name).toBe("Alice's thread");
    expect(printed.steps.map((s) => s.id)).toEqual([seeded.userStepId, seeded.toolStepId, seeded.assistantStepId]);
    expect(printed.attachments.byStep.get(seeded.assistantStepId)?.map((e) => e.name)).toEqual(["sales q3.csv"]);
    expect(printed.attachments.loose.map((e) => e.name)).toEqual(["chart.png"]);
    // An image stored only as another site's URL is never shown (the page shows links it signed, nothing else).
    expect(printed.attachments.loose[0]!.urlExpiresAt ?? null).toBeNull();
    expect(printed.cut).toBeNull();
    const whole = (await readPrintedThread(services.data, alice, long))!;
    expect(questionsOf(whole.steps)).toHaveLength(TURNS);
    expect(whole.cut).toBeNull();
  });

  it("past the step bound: the latest whole turns, and how many messages of how many", async () => {
    // 3 steps a turn: 10 steps hold 3 whole turns.
    const printed = (await readPrintedThread(services.data, alice, long, bounds({ maxSteps: 10 })))!;
    expect(questionsOf(printed.steps)).toEqual(["question 9", "question 10", "question 11"]);
    expect(printed.steps[0]!.type).toBe("user_message");
    expect(printed.cut).toEqual({ shown: 6, total: 2 * TURNS });
  });

  it("past the character bound: the latest whole turns whose text fits", async () => {
    // The read stops once past 4.5 answers' characters: the half-read turn is left out, 4 whole turns are printed.
    const printed = (await readPrintedThread(services.data, alice, long, bounds({ maxChars: 4.5 * ANSWER_CHARS })))!;
    expect(questionsOf(printed.steps)).toEqual(["question 8", "question 9", "question 10", "question 11"]);
    expect(printed.cut).toEqual({ shown: 8, total: 2 * TURNS });
  });
});

/**
 * The print view over items as Chainlit's Python layer writes them (test/data-fixtures.ts): its thread (local time
 * labelled Z, NULLs, `metadata` a map), a rated root run, turns nested its way (`user_message` → `on_message` run →
 * `assistant_message`), its files under `{identifier}/{thread}/{element}`, then its update_thread renames, hands the
 * thread to another user and deletes it. The print view reads all of it and writes nothing.
 */
describe("readPrintedThread over Chainlit's writes", () => {
  const S = (value: string) => ({ S: value });
  const at = (hour: number, second: number) => `2025-03-04T${String(hour).padStart(2, "0")}:00:${String(second).padStart(2, "0")}.000001Z`;

  async function chainlitWritten() {
    const table = tableOn(services.client, services.tableName);
    const threadId = randomUUID();
    const written = chainlitThread(alice.id, threadId, { name: "first message as its name" });
    const turns = [1, 2].map((hour) =>
      chainlitTurn(alice.id, threadId, { question: `question ${hour}`, answer: `answer ${hour}`, askedAt: at(10 + hour, 1), ranAt: at(10 + hour, 2), repliedAt: at(10 + hour, 3), endedAt: at(10 + hour, 4) }),
    );
    // An image the second question carried, as create_element stores it: the item, its file under Chainlit's key.
    const imageId = randomUUID();
    const imageKey = `${alice.id}/${threadId}/${imageId}`;
    const image = { ...written.element, SK: S(`ELEMENT#${imageId}`), id: S(imageId), type: S("image"), name: S("photo.png"), mime: S("image/png"), forId: S(turns[1]!.messageId), url: S(`https://bucket.s3.amazonaws.com/${imageKey}`), objectKey: S(imageKey) };
    for (const item of [...written.items, ...turns.flatMap((turn) => turn.steps), image]) await table.putRaw(item);
    await services.storage.uploadFile({ objectKey: written.objectKey, data: "%PDF-1.4", mime: "application/pdf" });
    await services.storage.uploadFile({ objectKey: imageKey, data: "not really a png", mime: "image/png" });
    // A later session renames it (tags None, metadata replaced whole).
    await chainlitUpdateThread(table, threadId, { at: "2025-03-05T09:00:00.123456Z", name: "Renamed in Chainlit", userId: alice.id });
    return { table, threadId, written, turns, imageId };
  }

  it("prints every step in reading order, Chainlit's files under their steps and its image signed, and writes nothing", async () => {
    const { table, threadId, written, turns, imageId } = await chainlitWritten();
    const before = { sks: await table.partitionSks(threadId), thread: await table.raw(`THREAD#${threadId}`, "THREAD") };
    const printed = (await readPrintedThread(services.data, alice, threadId))!;
    expect(printed.thread).toMatchObject({ id: threadId, name: "Renamed in Chainlit" });
    expect(printed.steps.map((s) => s.id)).toEqual([written.stepA, written.stepB, ...turns.flatMap((turn) => [turn.messageId, turn.runId, turn.replyId])]);
    expect(printed.steps.map((s) => s.output)).toEqual(["hello", "world", "question 1", "", "answer 1", "question 2", "", "answer 2"]);
    expect(printed.attachments.byStep.get(written.stepA)?.map((e) => e.name)).toEqual(["report.pdf"]);
    const [photo] = printed.attachments.byStep.get(turns[1]!.messageId) ?? [];
    expect(photo).toMatchObject({ id: imageId, name: "photo.png" });
    expect(photo!.urlExpiresAt).toEqual(expect.any(String));
    expect(printed.attachments.loose).toEqual([]);
    expect(printed.cut).toBeNull();
    // Bounded as any thread: the latest whole turn.
    const cut = (await readPrintedThread(services.data, alice, threadId, bounds({ maxSteps: 3 })))!;
    expect(cut.steps.map((s) => s.id)).toEqual([turns[1]!.messageId, turns[1]!.runId, turns[1]!.replyId]);
    expect(cut.cut).toEqual({ shown: 2, total: 5 });
    expect({ sks: await table.partitionSks(threadId), thread: await table.raw(`THREAD#${threadId}`, "THREAD") }).toEqual(before);
  });

  it("follows the owner Chainlit's update_thread names, and prints nothing once Chainlit deleted the thread", async () => {
    const { table, threadId } = await chainlitWritten();
    await chainlitUpdateThread(table, threadId, { at: "2025-03-06T09:00:00.123456Z", userId: bob.id });
    expect(await readPrintedThread(services.data, alice, threadId)).toBeNull();
    expect((await readPrintedThread(services.data, bob, threadId))?.thread.name).toBe("Renamed in Chainlit");
    await chainlitDeleteThread(table, threadId);
    expect(await readPrintedThread(services.data, bob, threadId)).toBeNull();
    // Chainlit's leftovers: nothing of the print view's (it wrote nothing) is left in the partition.
    expect(await table.partitionSks(threadId)).toEqual([]);
  });
});
