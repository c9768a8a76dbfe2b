import { beforeAll, describe, expect, it } from "vitest";
import { isDataError } from "../../errors";
import { type ThreadSummary } from "../../entities/thread";
import { type DynamoDBDataLayer } from "../data-layer";
import { chainlitThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

/** `count` threads for a new user, one minute apart (index 0 oldest), named by `name(i)`. */
async function threadsFor(layer: DynamoDBDataLayer, count: number, name: (i: number) => string | undefined, setNow: (i: number) => void) {
  const userId = uid("u-");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(`t${String(i).padStart(4, "0")}-${uid()}`);
  // One at a time: the clock is shared, and each thread gets its own minute.
  for (const [i, id] of ids.entries()) {
    setNow(i);
    await layer.updateThread(id, { userId, name: name(i) });
  }
  return { userId, ids };
}

function clockLayer() {
  let now = Date.parse("2026-01-01T00:00:00.000Z");
  const layer = table.layer({ clock: () => new Date(now) });
  return { layer, setNow: (i: number) => (now = Date.parse("2026-01-01T00:00:00.000Z") + i * 60_000) };
}

/** Walks every page; asserts each is one non-empty page with a right hasNextPage. */
async function walk(layer: DynamoDBDataLayer, first: number, filters: Parameters<DynamoDBDataLayer["listThreads"]>[1]) {
  const rows: ThreadSummary[] = [];
  const queries: number[] = [];
  let cursor: string | null | undefined;
  for (;;) {
    const { result, byOperation } = await countOf(table, () => layer.listThreads({ first, cursor }, filters));
    queries.push(byOperation.QueryCommand ?? 0);
    rows.push(...result.data);
    if (!result.pageInfo.hasNextPage) return { rows, queries, last: result };
    expect(result.data).toHaveLength(first);
    cursor = result.pageInfo.endCursor;
  }
}

describe("listThreads", () => {
  it("pages 250 threads by 20: each exactly once, newest first, one Query per page, no empty last page", async () => {
    const { layer, setNow } = clockLayer();
    const { userId, ids } = await threadsFor(layer, 250, (i) => (i % 10 === 0 ? undefined : `Thread ${i}`), setNow);
    const { rows, queries, last } = await walk(layer, 20, { userId });
    expect(rows.map((r) => r.id)).toEqual([...ids].reverse());
    expect(queries).toEqual(Array(13).fill(1));
    expect(last.data).toHaveLength(10);
    expect(last.pageInfo.hasNextPage).toBe(false);
    // Unnamed threads are listed with a null name; times come from the index key.
    expect(rows.at(-1)).toEqual({ id: ids[0], name: null, createdAt: "2026-01-01T00:00:00.000000Z", updatedAt: "2026-01-01T00:00:00.000000Z" });
  });

  it("has an exact hasNextPage when the last page is full, and empty cursors for an empty list", async () => {
    const { layer, setNow } = clockLayer();
    const { userId } = await threadsFor(layer, 4, (i) => `n${i}`, setNow);
    const page = await layer.listThreads({ first: 2 }, { userId });
    const next = await layer.listThreads({ first: 2, cursor: page.pageInfo.endCursor }, { userId });
    expect(next.pageInfo.hasNextPage).toBe(false);
    expect(next.data).toHaveLength(2);
    expect(await layer.listThreads({ first: 5 }, { userId: uid("empty-") })).toEqual({
      pageInfo: { hasNextPage: false, startCursor: null, endCursor: null },
      data: [],
    });
  });

  it("searches names case-insensitively across pages; unnamed threads never match", async () => {
    const { layer, setNow } = clockLayer();
    const { userId, ids } = await threadsFor(layer, 120, (i) => (i % 7 === 0 ? `Budget ALPHA ${i}` : i % 5 === 0 ? undefined : `other ${i}`), setNow);
    const expected = ids.filter((_, i) => i % 7 === 0).reverse();
    const { rows, last } = await walk(layer, 5, { userId, search: "alpha" });
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(last.data.length).toBeGreaterThan(0);
    const single = await countOf(table, () => layer.listThreads({ first: 50 }, { userId, search: "Alpha" }));
    expect(single.result.data).toHaveLength(expected.length);
    expect(single.count).toBe(1);
  });

  it("a name search reads a bounded number of index rows per call, and the next call goes on from where it stopped", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    // More threads than one call reads; only the oldest matches. Written as Chainlit writes them (raw items).
    const count = 1_100;
    const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString().replace("Z", "000Z");
    const oldest = uid("t-");
    for (let from = 0; from < count; from += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - from) }, (_, k) => from + k).map((i) =>
          table.putRaw(chainlitThread(userId, i === 0 ? oldest : uid("t-"), { name: i === 0 ? "the needle" : `hay ${i}`, at: at(i) }).thread),
        ),
      );
    }
    const calls: Array<{ queries: number; ids: string[]; hasNextPage: boolean }> = [];
    let cursor: string | null | undefined;
    do {
      const { result, byOperation } = await countOf(table, () => layer.listThreads({ first: 5, cursor }, { userId, search: "needle" }));
      calls.push({ queries: byOperation.QueryCommand ?? 0, ids: result.data.map((t) => t.id), hasNextPage: result.pageInfo.hasNextPage });
      cursor = result.pageInfo.endCursor;
    } while (calls.at(-1)!.hasNextPage && calls.length < 5);
    expect(calls).toEqual([
      { queries: 2, ids: [], hasNextPage: true },
      { queries: 1, ids: [oldest], hasNextPage: false },
    ]);
  });

  it("lists Chainlit-written threads, with and without a name", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    const named = uid("t-");
    const unnamed = uid("t-");
    await table.putRaw(chainlitThread(userId, named, { at: "2025-01-02T00:00:00.000000Z" }).thread);
    await table.putRaw(chainlitThread(userId, unnamed, { name: null, at: "2025-01-03T00:00:00.000000Z" }).thread);
    const page = await layer.listThreads({ first: 10 }, { userId });
    expect(page.data).toEqual([
      { id: unnamed, name: null, createdAt: "2025-01-03T00:00:00.000000Z", updatedAt: "2025-01-03T00:00:00.000000Z" },
      { id: named, name: "Chainlit thread", createdAt: "2025-01-02T00:00:00.000000Z", updatedAt: "2025-01-02T00:00:00.000000Z" },
    ]);
  });

  it("refuses tampered, garbage, foreign and other-filter cursors with invalid_cursor", async () => {
    const { layer, setNow } = clockLayer();
    const alice = await threadsFor(layer, 3, (i) => `a${i}`, setNow);
    const bob = await threadsFor(layer, 3, (i) => `b${i}`, setNow);
    const cursor = (await layer.listThreads({ first: 1 }, { userId: alice.userId })).pageInfo.endCursor!;
    const [body, tag] = cursor.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, u: bob.userId })).toString("base64url");
    const invalid = (e: unknown) => isDataError(e, "invalid_cursor");
    for (const bad of ["garbage", `${body}.${tag.slice(0, -2)}AA`, `${forged}.${tag}`, `${body}`, "%%%.%%%", `${body}.${tag}.x`]) {
      await expect(layer.listThreads({ first: 1, cursor: bad }, { userId: alice.userId }), bad).rejects.toSatisfy(invalid);
    }
    await expect(layer.listThreads({ first: 1, cursor }, { userId: bob.userId })).rejects.toSatisfy(invalid);
    await expect(layer.listThreads({ first: 1, cursor }, { userId: alice.userId, search: "a" })).rejects.toSatisfy(invalid);
    await expect(layer.listThreads({ first: 1, cursor }, { userId: alice.userId, feedback: 1 })).rejects.toSatisfy(invalid);
    await expect(table.layer({ cursorSecret: "other" }).listThreads({ first: 1, cursor }, { userId: alice.userId })).rejects.toSatisfy(invalid);
  });

  it("validates pagination and filters", async () => {
    const layer = table.layer();
    const validation = (e: unknown) => isDataError(e, "validation");
    await expect(layer.listThreads({ first: 0 }, { userId: "u" })).rejects.toSatisfy(validation);
    await expect(layer.listThreads({ first: 101 }, { userId: "u" })).rejects.toSatisfy(validation);
    await expect(layer.listThreads({ first: 5 }, { userId: "" })).rejects.toSatisfy(validation);
    await expect(layer.listThreads({ first: 5 }, { userId: "u", feedback: 2 as 1 })).rejects.toSatisfy(validation);
  });
});
