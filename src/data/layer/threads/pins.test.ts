import { beforeAll, describe, expect, it } from "vitest";
import { MAX_PINNED_THREADS } from "../../entities/pin";
import { runDoctor } from "../doctor";
import { chainlitCreateUser, chainlitDeleteThread, chainlitThread, chainlitUpdateThread, countOf, testTable, uid, userWithThreads as userWithThreadsOf, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const userWithThreads = (count: number) => userWithThreadsOf(table, "pin-", count);

/** Two threads Chainlit wrote, both pinned here, then one deleted by Chainlit's delete_thread (which leaves the pin). */
async function chainlitThreadsPinnedThenOneDeleted() {
  const layer = table.layer();
  const userId = uid("pin-");
  const [kept, gone] = [uid("t-"), uid("t-")];
  for (const id of [kept, gone]) for (const item of chainlitThread(userId, id).items) await table.putRaw(item);
  await layer.pinThread(userId, kept);
  await layer.pinThread(userId, gone);
  await chainlitDeleteThread(table, gone);
  return { layer, userId, kept, gone };
}

const pinsOf = async (userId: string) => (await table.plain(`USER#${userId}`, "PINS"))?.pins as Record<string, string> | undefined;

describe("pinned threads", () => {
  it("lists pins newest first with each thread's name, in 2 requests (GetItem + BatchGetItem); unpinning removes one", async () => {
    const { layer, userId, ids } = await userWithThreads(3);
    const first = await countOf(table, () => layer.pinThread(userId, ids[0]!));
    // The first pin creates the map: the merge is refused, the create lands.
    expect(first.result).toBe("pinned");
    expect(first.byOperation).toEqual({ UpdateItemCommand: 2 });
    const second = await countOf(table, () => layer.pinThread(userId, ids[2]!));
    expect(second.byOperation).toEqual({ UpdateItemCommand: 1 });

    const listed = await countOf(table, () => layer.listPinnedThreads(userId));
    expect(listed.byOperation).toEqual({ GetItemCommand: 1, BatchGetItemCommand: 1 });
    expect(listed.result.map((row) => [row.id, row.name])).toEqual([
      [ids[2], "Thread 2"],
      [ids[0], "Thread 0"],
    ]);

    // Pinning again keeps the first pin time, so the order does not change.
    await layer.pinThread(userId, ids[0]!);
    expect((await layer.listPinnedThreads(userId)).map((row) => row.id)).toEqual([ids[2], ids[0]]);

    expect(await layer.unpinThread(userId, ids[2]!)).toBe(true);
    expect(await layer.unpinThread(userId, ids[2]!)).toBe(false);
    expect((await layer.listPinnedThreads(userId)).map((row) => row.id)).toEqual([ids[0]]);
  });

  it("a user without pins costs one GetItem, and unpinning writes no empty item", async () => {
    const { layer, userId, ids } = await userWithThreads(1);
    const listed = await countOf(table, () => layer.listPinnedThreads(userId));
    expect(listed.result).toEqual([]);
    expect(listed.byOperation).toEqual({ GetItemCommand: 1 });
    expect(await layer.unpinThread(userId, ids[0]!)).toBe(false);
    expect(await table.raw(`USER#${userId}`, "PINS")).toBeUndefined();
  });

  it(`refuses a pin past ${MAX_PINNED_THREADS}, even from many writers at once, and still re-pins a pinned thread`, async () => {
    const layer = table.layer();
    const userId = uid("pin-");
    const ids = Array.from({ length: MAX_PINNED_THREADS + 5 }, () => uid("t-"));
    await Promise.all(ids.map((id) => layer.createThread(id, userId)));
    await layer.pinThread(userId, ids[0]!);
    const outcomes = await Promise.all(ids.slice(1).map((id) => layer.pinThread(userId, id)));
    expect(outcomes.filter((o) => o === "pinned")).toHaveLength(MAX_PINNED_THREADS - 1);
    expect(outcomes.filter((o) => o === "full")).toHaveLength(5);
    expect(Object.keys((await pinsOf(userId))!)).toHaveLength(MAX_PINNED_THREADS);
    const pinned = Object.keys((await pinsOf(userId))!);
    expect(await layer.pinThread(userId, pinned[0]!)).toBe("pinned");
    // Room again after an unpin.
    const refused = ids.find((id) => !pinned.includes(id))!;
    await layer.unpinThread(userId, pinned[1]!);
    expect(await layer.pinThread(userId, refused)).toBe("pinned");
  });

  it("shows the name Chainlit gave the thread since, and survives Chainlit's update_thread and create_user", async () => {
    const { layer, userId, ids } = await userWithThreads(1);
    await chainlitCreateUser(table, userId);
    await layer.pinThread(userId, ids[0]!);
    await chainlitUpdateThread(table, ids[0]!, { name: "Renamed in Chainlit", userId, at: "2030-02-03T04:05:06.000007Z" });
    await chainlitCreateUser(table, userId);
    const [row] = await layer.listPinnedThreads(userId);
    expect(row).toMatchObject({ id: ids[0], name: "Renamed in Chainlit", updatedAt: "2030-02-03T04:05:06.000007Z" });
  });

  it("never lists a thread Chainlit deleted, and the listing that meets the pin removes it (1 UpdateItem)", async () => {
    const { layer, userId, kept } = await chainlitThreadsPinnedThenOneDeleted();

    const listed = await countOf(table, () => layer.listPinnedThreads(userId));
    expect(listed.result.map((row) => row.id)).toEqual([kept]);
    expect(listed.byOperation).toEqual({ GetItemCommand: 1, BatchGetItemCommand: 1, UpdateItemCommand: 1 });
    expect(Object.keys((await pinsOf(userId))!)).toEqual([kept]);
  });

  it("drops the pin of a thread Chainlit gave to another user", async () => {
    const { layer, userId, ids } = await userWithThreads(1);
    await layer.pinThread(userId, ids[0]!);
    await chainlitUpdateThread(table, ids[0]!, { at: "2026-02-03T04:05:06.000007Z", userId: uid("other-") });
    expect(await layer.listPinnedThreads(userId)).toEqual([]);
    expect(await pinsOf(userId)).toEqual({});
  });

  it("deleteThread removes the owner's pin beside the THREAD item; deleteUser removes the pins", async () => {
    const { layer, userId, ids } = await userWithThreads(2);
    await layer.pinThread(userId, ids[0]!);
    await layer.pinThread(userId, ids[1]!);
    await layer.deleteThread(ids[0]!);
    expect(Object.keys((await pinsOf(userId))!)).toEqual([ids[1]]);
    await layer.deleteUser(userId);
    expect(await table.raw(`USER#${userId}`, "PINS")).toBeUndefined();
  });

  it("the doctor reports pins of threads Chainlit deleted and removes them with --fix, and a second run finds none", async () => {
    const { layer, userId, kept, gone } = await chainlitThreadsPinnedThenOneDeleted();

    const ours = (report: Awaited<ReturnType<typeof runDoctor>>) => report.findings.filter((f) => f.kind === "stale-pins" && f.id === userId);
    const report = await runDoctor(layer);
    expect(ours(report)).toEqual([expect.objectContaining({ fixed: false, detail: expect.stringContaining(gone) })]);
    expect(Object.keys((await pinsOf(userId))!).sort()).toEqual([gone, kept].sort());
    expect(ours(await runDoctor(layer, { fix: true }))).toEqual([expect.objectContaining({ fixed: true })]);
    expect(Object.keys((await pinsOf(userId))!)).toEqual([kept]);
    expect(ours(await runDoctor(layer))).toEqual([]);
  });
});
