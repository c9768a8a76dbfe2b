/**
 * The full-text search narrowed by a thread tag (docs/search.md, "A tag"): the hits' THREAD items, read in the page's
 * one BatchGetItem round, say which threads hold it; a page examines a bounded number of candidates and its cursor
 * goes on after the last one examined.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type SearchHit } from "../../entities/search";
import { type DynamoDBDataLayer } from "../data-layer";
import { WINDOW_FRESH_MS } from "./search-window";
import { chainlitThread, chainlitTurn, chainlitUpdateThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const START = Date.parse("2026-03-01T00:00:00.000Z");
function tickingLayer(step = 1000) {
  let now = START;
  const layer = table.layer({ clock: () => new Date((now += step)) });
  return Object.assign(layer, { later: (ms: number) => void (now += ms) });
}

async function ownThread(layer: DynamoDBDataLayer, userId: string, output: string, tags: string[] = []) {
  const threadId = uid("t-");
  await layer.createThread(threadId, userId);
  await layer.updateThread(threadId, { name: "a chat" }, { owner: userId });
  await layer.createStep({ id: uid("s-"), threadId, type: "assistant_message", output }, { owner: userId });
  for (const tag of tags) await layer.changeThreadTags(threadId, userId, { add: tag });
  return threadId;
}

const ids = (hits: SearchHit[]) => hits.map((h) => h.id);
const search = (layer: DynamoDBDataLayer, userId: string, query: string, extra: { tag?: string; first?: number; cursor?: string; feedback?: 0 | 1 } = {}) =>
  layer.searchThreads({ userId, query, first: extra.first ?? 20, cursor: extra.cursor, feedback: extra.feedback, tag: extra.tag });

describe("search within a tag", () => {
  it("finds only the threads holding the tag (any case), Chainlit's tags too, never another user's thread with the same tag", async () => {
    const layer = tickingLayer();
    const alice = uid("u-");
    const bob = uid("u-");
    const untagged = await ownThread(layer, alice, "papaya harvest notes");
    const tagged = await ownThread(layer, alice, "papaya export prices", ["Fruit"]);
    const otherTag = await ownThread(layer, alice, "papaya recipes", ["kitchen"]);
    // Chainlit's update_thread(tags=[…]) on a thread it wrote: seen as it is stored, no catch-up of its own.
    const chainlitId = uid("t-");
    for (const item of chainlitThread(alice, chainlitId, { at: "2026-03-01T00:00:30.000001Z" }).items) await table.putRaw(item);
    for (const item of chainlitTurn(alice, chainlitId, { question: "papaya seeds?", answer: "Dry them first." }).steps) await table.putRaw(item);
    await chainlitUpdateThread(table, chainlitId, { at: "2026-03-01T00:00:40.000001Z", tags: ["fruit", "garden"] });
    // Bob: the same words, the same tag.
    const bobs = await ownThread(layer, bob, "papaya export prices", ["Fruit"]);

    expect(new Set(ids((await search(layer, alice, "papaya")).data))).toEqual(new Set([untagged, tagged, otherTag, chainlitId]));
    const inTag = await search(layer, alice, "papaya", { tag: "FRUIT" });
    expect(new Set(ids(inTag.data))).toEqual(new Set([tagged, chainlitId]));
    expect(inTag.pageInfo.hasNextPage).toBe(false);
    expect(ids((await search(layer, alice, "papaya", { tag: "kitchen" })).data)).toEqual([otherTag]);
    expect(ids((await search(layer, alice, "papaya", { tag: "nowhere" })).data)).toEqual([]);
    expect(ids((await search(layer, alice, "export", { tag: "fruit" })).data)).toEqual([tagged]);
    expect(ids((await search(layer, bob, "papaya", { tag: "fruit" })).data)).toEqual([bobs]);

    // Combined with the 👍/👎 filter: both narrow (Chainlit's thread holds a 👍 of its own, the fixture's).
    const liked = (await layer.getThread(tagged))!.steps![0]!.id;
    await layer.upsertFeedback({ forId: liked, threadId: tagged, value: 1 }, { threadUserId: alice });
    expect(new Set(ids((await search(layer, alice, "papaya", { tag: "fruit", feedback: 1 })).data))).toEqual(new Set([tagged, chainlitId]));
    expect(ids((await search(layer, alice, "papaya", { tag: "fruit", feedback: 0 })).data)).toEqual([]);
    expect(ids((await search(layer, alice, "papaya", { tag: "kitchen", feedback: 1 })).data)).toEqual([]);

    // A tag removed (or Chainlit's list rewritten) is seen by the next search.
    await layer.changeThreadTags(tagged, alice, { remove: "fruit" });
    await chainlitUpdateThread(table, chainlitId, { at: "2026-03-01T00:00:40.000001Z", tags: ["garden"] });
    expect(ids((await search(layer, alice, "papaya", { tag: "fruit" })).data)).toEqual([]);
  });

  it("a cursor belongs to its tag: another tag or none refuses it", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    for (let i = 0; i < 3; i++) await ownThread(layer, userId, `lychee ${i}`, ["a"]);
    const first = await search(layer, userId, "lychee", { tag: "a", first: 1 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    await expect(search(layer, userId, "lychee", { tag: "b", first: 1, cursor: first.pageInfo.endCursor! })).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(search(layer, userId, "lychee", { first: 1, cursor: first.pageInfo.endCursor! })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  /** 60 threads with "delta" (oldest first); tagged: the 3 oldest and the 45th. */
  async function sixtyThreads() {
    const layer = tickingLayer(1);
    const userId = uid("u-");
    const written: string[] = [];
    for (let i = 0; i < 60; i++) written.push(await ownThread(layer, userId, `delta number ${i}`, i < 3 || i === 45 ? ["rare"] : []));
    await search(layer, userId, "warm"); // the first search walks every thread once and sets the watermark
    return { layer, userId, expected: [written[45]!, written[2]!, written[1]!, written[0]!] };
  }

  /** Every page of `delta` in the tag, 2 a page; the requests of each. */
  async function allPages(layer: DynamoDBDataLayer, userId: string, before: () => Promise<void>) {
    const pages: Array<{ ids: string[]; hasNextPage: boolean; requests: Record<string, number> }> = [];
    let cursor: string | undefined;
    do {
      await before();
      const page = await countOf(table, () => search(layer, userId, "delta", { tag: "rare", first: 2, cursor }));
      pages.push({ ids: ids(page.result.data), hasNextPage: page.result.pageInfo.hasNextPage, requests: page.byOperation });
      cursor = page.result.pageInfo.endCursor ?? undefined;
      if (page.result.pageInfo.hasNextPage) expect(cursor).toBeDefined();
    } while (pages.at(-1)!.hasNextPage && pages.length < 10);
    return pages;
  }

  it("pages across candidates the tag drops: a bounded page, short when few are tagged, and a cursor that goes on (search opened)", async () => {
    const { layer, userId, expected } = await sixtyThreads();
    const pages = await allPages(layer, userId, async () => {
      await layer.prepareSearch(userId);
    });
    // Page 1 examines the 40 newest (one tagged), page 2 the 20 older ones (three tagged: 2 shown, one more).
    expect(pages.map((p) => p.ids)).toEqual([[expected[0]], [expected[1], expected[2]], [expected[3]]]);
    expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, false]);
    // The word's Query, then one round of BatchGetItem: 40 THREAD items, docs and steps are 2 requests in parallel.
    expect(pages[0]!.requests).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 });
    for (const page of pages) expect(page.requests.BatchGetItemCommand).toBeLessThanOrEqual(2);
  });

  it("pages the same way without a window (the index rows read by the page, then the walk of the index)", async () => {
    const { layer, userId, expected } = await sixtyThreads();
    const pages = await allPages(layer, userId, async () => {
      layer.later(WINDOW_FRESH_MS + 1000);
    });
    expect(pages.flatMap((p) => p.ids)).toEqual(expected);
    expect(pages.at(-1)!.hasNextPage).toBe(false);
    for (const page of pages) expect(page.requests.BatchGetItemCommand).toBeLessThanOrEqual(2);
  });
});
