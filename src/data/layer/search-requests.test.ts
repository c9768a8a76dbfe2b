/**
 * What a query page costs in DynamoDB requests (counted, exact) and how it treats orphan postings. docs/search.md,
 * "A query" and "Orphans".
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type SearchHit } from "../entities/search";
import { searchDocSk, searchPostingPk, searchPostingSk } from "../keys";
import { type DynamoDBDataLayer } from "./data-layer";
import { chainlitDeleteThread, chainlitThread, chainlitTurn, chainlitUpdateThread, countOf, testTable, uid, type TestTable } from "../../../test/data-fixtures";
import { tickingClock } from "../../../test/clocks";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const START = Date.parse("2026-03-01T00:00:00.000Z");
/** A layer whose clock ticks a second per call from `from`. */
function tickingLayer(from = START) {
  return table.layer({ clock: tickingClock(from) });
}

async function ownThread(layer: DynamoDBDataLayer, userId: string, messages: string[], name = "a chat") {
  const threadId = uid("t-");
  await layer.createThread(threadId, userId);
  await layer.updateThread(threadId, { name }, { owner: userId });
  const stepIds: string[] = [];
  for (const output of messages) {
    const id = uid("s-");
    stepIds.push(id);
    await layer.createStep({ id, threadId, type: "assistant_message", output }, { owner: userId });
  }
  return { threadId, stepIds };
}

const ids = (hits: SearchHit[]) => hits.map((h) => h.id);
const search = (layer: DynamoDBDataLayer, userId: string, query: string, extra: { first?: number; cursor?: string } = {}) =>
  layer.searchThreads({ userId, query, first: extra.first ?? 10, cursor: extra.cursor });
/** The requests of a first page and of the page after it. */
async function pages(layer: DynamoDBDataLayer, userId: string, query: string) {
  const first = await countOf(table, () => search(layer, userId, query));
  expect(first.result.pageInfo.hasNextPage).toBe(true);
  const next = await countOf(table, () => search(layer, userId, query, { cursor: first.result.pageInfo.endCursor! }));
  return { first: first.byOperation, next: next.byOperation, found: [...ids(first.result.data), ...ids(next.result.data)] };
}

const postingExists = async (userId: string, term: string, threadId: string, source: string) =>
  (await table.raw(searchPostingPk(userId, term), searchPostingSk(term, threadId, source))) !== undefined;

describe("requests per query page", () => {
  it("1 word, prefix: 3 on the first page (catch-up included), 2 on the next; 2 words: one Query more", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const written: string[] = [];
    for (let i = 0; i < 30; i++) written.push((await ownThread(layer, userId, [`alpha number ${i}`, i % 2 === 0 ? "beta too" : "gamma"])).threadId);
    await search(layer, userId, "warm"); // the user's first search walks every thread once and sets the watermark

    const oneWord = await pages(layer, userId, "alpha");
    // postings Query + the newest index rows, then one BatchGetItem (docs, watermark, newest threads' states)
    expect(oneWord.first).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    // postings Query, then one BatchGetItem (the candidates' THREAD items and docs)
    expect(oneWord.next).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    expect(oneWord.found).toEqual([...written].reverse().slice(0, 20));

    const prefix = await pages(layer, userId, "alp");
    expect(prefix.first).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(prefix.next).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    expect(prefix.found).toEqual(oneWord.found);

    const twoWords = await pages(layer, userId, "alpha beta");
    expect(twoWords.first).toEqual({ QueryCommand: 3, BatchGetItemCommand: 1 });
    expect(twoWords.next).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(twoWords.found).toEqual(written.filter((_, i) => i % 2 === 0).reverse().slice(0, 20));
  });

  it("many candidates past the first page's rows: the next page walks the index, still 3 requests for 1 word", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    for (let i = 0; i < 60; i++) await ownThread(layer, userId, [`delta ${i}`]);
    await search(layer, userId, "warm");
    const delta = await pages(layer, userId, "delta");
    expect(delta.first).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    // 60 candidates are more than one BatchGetItem places: one Query of the index orders them.
    expect(delta.next).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(new Set(delta.found).size).toBe(20);
  });

  it("a Chainlit thread among the newest is caught up before the page answers", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    for (let i = 0; i < 20; i++) await ownThread(layer, userId, [`epsilon ${i}`]);
    await search(layer, userId, "warm");
    const threadId = uid("t-");
    for (const item of chainlitThread(userId, threadId, { at: "2026-09-01T00:00:00.000000Z" }).items) await table.putRaw(item);
    for (const item of chainlitTurn(userId, threadId, { question: "where is the lighthouse?", answer: "On the epsilon cape." }).steps) await table.putRaw(item);
    const found = await search(layer, userId, "lighthouse");
    expect(ids(found.data)).toEqual([threadId]);
    expect(ids((await search(layer, userId, "epsilon")).data)[0]).toBe(threadId);
  });

  it("more Chainlit threads above the watermark than the page's window: the walk from the watermark finds them all", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const own = await ownThread(layer, userId, ["zeta"]);
    await search(layer, userId, "warm");
    const chainlit: string[] = [];
    for (let i = 0; i < 20; i++) {
      const threadId = uid("t-");
      chainlit.push(threadId);
      for (const item of chainlitThread(userId, threadId, { at: `2026-09-01T00:00:${String(i).padStart(2, "0")}.000000Z` }).items) await table.putRaw(item);
      for (const item of chainlitTurn(userId, threadId, { question: `question ${i}`, answer: "the zeta answer" }).steps) await table.putRaw(item);
    }
    const found = await search(layer, userId, "zeta", { first: 50 });
    expect(ids(found.data)).toEqual([...chainlit.reverse(), own.threadId]);
  });
});

describe("orphan postings", () => {
  const LATER = START + 24 * 3600_000; // a day later: every thread is quiet

  it("a posting whose doc was never written (an interrupted write) is dropped and deleted once the thread is quiet", async () => {
    const userId = uid("u-");
    const { threadId, stepIds } = await ownThread(tickingLayer(), userId, ["kept words"]);
    // writeSource put the postings of a new message, and the doc never followed; the step itself is gone.
    const source = `step.${uid("s-")}`;
    await table.putRaw({ PK: { S: searchPostingPk(userId, "orphan") }, SK: { S: searchPostingSk("orphan", threadId, source) } });
    await table.putRaw({ PK: { S: searchPostingPk(userId, "kept") }, SK: { S: searchPostingSk("kept", threadId, source) } });

    // While the thread is active the doc may still be on its way: the posting is kept (and the hit shown).
    expect(ids((await search(tickingLayer(START + 60_000), userId, "orphan")).data)).toEqual([threadId]);
    expect(await postingExists(userId, "orphan", threadId, source)).toBe(true);

    const quiet = tickingLayer(LATER);
    expect(ids((await search(quiet, userId, "orphan")).data)).toEqual([]);
    expect(await postingExists(userId, "orphan", threadId, source)).toBe(false);
    // A word also held by a real message still finds the thread, at that message.
    const kept = await search(quiet, userId, "kept");
    expect(ids(kept.data)).toEqual([threadId]);
    expect(kept.data[0]!.stepId).toBe(stepIds[0]);
  });

  it("a posting its doc no longer names (a rewrite interrupted before its doc) is dropped and deleted", async () => {
    const userId = uid("u-");
    const { threadId, stepIds } = await ownThread(tickingLayer(), userId, ["the first draft"]);
    const source = `step.${stepIds[0]}`;
    // The rewrite's postings were put; its doc (still naming the old words) was not.
    await table.putRaw({ PK: { S: searchPostingPk(userId, "rewritten") }, SK: { S: searchPostingSk("rewritten", threadId, source) } });
    expect(await table.plain(`THREAD#${threadId}`, searchDocSk(source))).toMatchObject({ terms: new Set(["the", "first", "draft"]) });
    const quiet = tickingLayer(LATER);
    expect(ids((await search(quiet, userId, "rewritten")).data)).toEqual([]);
    expect(await postingExists(userId, "rewritten", threadId, source)).toBe(false);
    expect(ids((await search(quiet, userId, "draft")).data)).toEqual([threadId]);
  });

  it("Chainlit's delete_thread: the query drops the thread and removes its postings and docs", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await ownThread(layer, userId, ["walrus tusks"], "sea animals");
    await search(layer, userId, "warm");
    await chainlitDeleteThread(table, threadId);
    expect(await table.partitionSks(threadId)).toEqual([searchDocSk("name"), searchDocSk(`step.${stepIds[0]}`)].sort());

    expect(ids((await search(layer, userId, "walrus")).data)).toEqual([]);
    expect(await postingExists(userId, "walrus", threadId, `step.${stepIds[0]}`)).toBe(false);
    expect(await postingExists(userId, "tusks", threadId, `step.${stepIds[0]}`)).toBe(false); // named by the doc
    expect(await postingExists(userId, "sea", threadId, "name")).toBe(false);
    expect(await table.partitionSks(threadId)).toEqual([]);
  });

  it("postings of a thread deleted after an interrupted write (no doc names them) go when a query meets them", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await ownThread(layer, userId, ["ordinary"]);
    const source = `step.${uid("s-")}`;
    await table.putRaw({ PK: { S: searchPostingPk(userId, "stray") }, SK: { S: searchPostingSk("stray", threadId, source) } });
    await layer.deleteThread(threadId);
    expect(await postingExists(userId, "stray", threadId, source)).toBe(true);
    expect(ids((await search(layer, userId, "stray")).data)).toEqual([]);
    expect(await postingExists(userId, "stray", threadId, source)).toBe(false);
  });

  it("a thread moved to another user: the old owner's query deletes only her own postings of it, never the new owner's", async () => {
    const layer = tickingLayer();
    const alice = uid("u-");
    const bob = uid("u-");
    const { threadId, stepIds } = await ownThread(layer, alice, ["pangolin scales"]);
    const source = `step.${stepIds[0]}`;
    await chainlitUpdateThread(table, threadId, { at: "2026-09-01T00:00:00.000000Z", userId: bob });

    expect(ids((await search(layer, alice, "pangolin")).data)).toEqual([]);
    expect(await postingExists(alice, "pangolin", threadId, source)).toBe(false);
    expect(ids((await search(layer, bob, "pangolin")).data)).toEqual([threadId]); // Bob's catch-up files it under him
    expect(ids((await search(layer, alice, "pangolin")).data)).toEqual([]);
    expect(await postingExists(bob, "pangolin", threadId, source)).toBe(true);
    expect(await postingExists(bob, "scales", threadId, source)).toBe(true);
  });
});
