/**
 * Imported thread ids are predictable (the user and the source id), and Chainlit writes without conditions: a thread
 * someone creates under such an id between the import's existence check and its writes is never written into. The
 * Chainlit writes land right after the check's BatchGetItem answers, through the layer's own DynamoDB client (the one
 * seam between the check and the writes, both inside importThreads).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { chainlitCreateStep, chainlitTurn, chainlitUpdateThread, tableOn, type TestTable } from "../../../test/data-fixtures";
import { startImport, waitForImport } from "./import-jobs";
import { importedThreadId } from "./uuid-v5";
import { directSenderOf } from "@/data/dynamo/dynamo-direct";

type TestServices = Awaited<ReturnType<typeof createTestServices>>;
let services: TestServices;
let table: TestTable;
/** Runs once, right after the next BatchGetItem that reads one of `ids`' THREAD items has answered. */
let afterCheck: { ids: string[]; write: () => Promise<void> } | null = null;

beforeAll(async () => {
  services = await createTestServices();
  table = tableOn(services.client, services.tableName);
  // The layer's client sends its commands straight (dynamo-direct.ts): the hook is one of its interceptors.
  directSenderOf(services.client)!.intercept(async ({ operation, input }, next) => {
    const out = await next();
    const hook = afterCheck;
    if (hook && operation === "BatchGetItem" && hook.ids.some((id) => JSON.stringify(input).includes(`THREAD#${id}`))) {
      afterCheck = null;
      await hook.write();
    }
    return out;
  });
});
afterAll(async () => {
  await services.close();
});

const conversations = (n: number) =>
  JSON.stringify(
    Array.from({ length: n }, (_, i) => ({
      uuid: `claim-${i}`,
      name: `Conversation ${i}`,
      created_at: "2024-05-02T09:00:00Z",
      chat_messages: [
        { uuid: `q${i}`, sender: "human", text: `Question ${i}`, created_at: "2024-05-02T09:00:01Z" },
        { uuid: `a${i}`, sender: "assistant", text: `Answer ${i}`, created_at: "2024-05-02T09:00:02Z" },
      ],
    })),
  );

async function runImport(user: ReturnType<typeof sessionUser>, file: string) {
  const data = Buffer.from(file);
  const started = await startImport(services, user, { fileName: "conversations.json", contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
  if (started.status !== 202) throw new Error(started.error);
  await waitForImport(started.job.jobId);
  return callerFor(services, user).imports.get({ jobId: started.job.jobId });
}

describe("a thread created under an imported id while the import writes", () => {
  it("is left as Chainlit wrote it, and the import skips that conversation with its reason and goes on", async () => {
    const [alice, mallory] = [sessionUser(), sessionUser()];
    const predicted = (i: number) => importedThreadId(alice.id, "claude", `claim-${i}`);
    const [sessionThread, bareStep] = [predicted(1), predicted(2)];
    const turn = chainlitTurn(mallory.id, sessionThread, { question: "mine", answer: "not yours" });
    const stray = chainlitTurn(mallory.id, bareStep, { question: "stray" }).steps[0]!;
    afterCheck = {
      ids: [sessionThread, bareStep],
      write: async () => {
        // A Chainlit session's first message (update_thread names the thread and its user, then its steps), and a
        // create_step alone under another predicted id (Chainlit needs no THREAD item for it).
        await chainlitUpdateThread(table, sessionThread, { at: "2025-06-01T08:00:00.000000Z", name: "Mallory's", userId: mallory.id });
        for (const step of turn.steps) await chainlitCreateStep(table, step);
        await chainlitCreateStep(table, stray);
      },
    };
    const before = { thread: undefined as unknown, sks: [] as string[] };
    const job = await runImport(alice, conversations(4));
    expect(afterCheck).toBeNull();
    before.thread = await table.raw(`THREAD#${sessionThread}`, "THREAD");

    expect(job).toMatchObject({ status: "done", total: 4, done: 4, imported: 2, existing: 0, skippedCount: 2, error: null });
    expect(job.skipped).toEqual([
      { title: "Conversation 1", reason: "its id is taken by another thread", problem: { code: "id-taken" } },
      { title: "Conversation 2", reason: "its id is taken by another thread", problem: { code: "id-taken" } },
    ]);
    // Chainlit's thread as its writes left it: its THREAD item, its three steps and nothing of the import.
    expect(await table.plain(`THREAD#${sessionThread}`, "THREAD")).toEqual({
      PK: `THREAD#${sessionThread}`,
      SK: "THREAD",
      id: sessionThread,
      createdAt: "2025-06-01T08:00:00.000000Z",
      UserThreadSK: "TS#2025-06-01T08:00:00.000000Z",
      UserThreadPK: `USER#${mallory.id}`,
      name: "Mallory's",
      userId: mallory.id,
      userIdentifier: mallory.id,
      metadata: {},
    });
    expect(await table.partitionSks(sessionThread)).toEqual(["THREAD", ...turn.steps.map((s) => s.SK!.S!)].sort());
    for (const step of turn.steps) expect(await table.raw(`THREAD#${sessionThread}`, step.SK!.S!)).toEqual(step);
    const mallorys = await callerFor(services, mallory).threads.get({ threadId: sessionThread });
    expect(mallorys.steps.map((s) => s.output)).toEqual(["mine", "", "not yours"]);
    // The lone step is left alone, with no THREAD item made over it.
    expect(await table.partitionSks(bareStep)).toEqual([stray.SK!.S!]);
    expect(await table.raw(`THREAD#${bareStep}`, stray.SK!.S!)).toEqual(stray);

    // The rest of the import went on: Alice has the other two, and nothing of the two she was refused.
    const list = (await callerFor(services, alice).threads.list({ first: 10 })).data;
    expect(list.map((t) => t.name).sort()).toEqual(["Conversation 0", "Conversation 3"]);
    expect(await table.postingsOf(alice.id)).not.toContainEqual(expect.stringContaining(sessionThread));
    expect(await table.postingsOf(alice.id)).not.toContainEqual(expect.stringContaining(bareStep));

    // Importing the file again changes nothing of Mallory's either.
    const again = await runImport(alice, conversations(4));
    expect(again).toMatchObject({ status: "done", imported: 0, existing: 2, skippedCount: 2 });
    expect(await table.raw(`THREAD#${sessionThread}`, "THREAD")).toEqual(before.thread);
    expect(await table.partitionSks(bareStep)).toEqual([stray.SK!.S!]);
  });
});
