/**
 * What a query page costs in DynamoDB requests (counted, exact) and how it treats orphan postings. docs/search.md,
 * "A query" and "Orphans".
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type SearchHit } from "../../entities/search";
import { searchDocSk, searchPostingPk, searchPostingSk } from "../../keys";
import { type DynamoDBDataLayer } from "../data-layer";
import { WINDOW_FRESH_MS } from "./search-window";
import { chainlitDeleteThread, chainlitThread, chainlitTurn, chainlitUpdateThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const START = Date.parse("2026-03-01T00:00:00.000Z");
/** A layer whose clock ticks `step` ms per call from `from`; `later(ms)` moves it on (a search window ages). */
function tickingLayer(from = START, step = 1000) {
  let now = from;
  const layer = table.layer({ clock: () => new Date((now += step)) });
  return Object.assign(layer, { later: (ms: number) => void (now += ms) });
}
/** Older than a search window may be (search-window.ts). */
const WINDOW_AGED = WINDOW_FRESH_MS + 1000;

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
  /** 30 threads with "alpha", every other one with "beta"; the first search walked them all and set the watermark. */
  async function thirtyThreads() {
    const layer = tickingLayer(START, 1);
    const userId = uid("u-");
    const written: string[] = [];
    for (let i = 0; i < 30; i++) written.push((await ownThread(layer, userId, [`alpha number ${i}`, i % 2 === 0 ? "beta too" : "gamma"])).threadId);
    await search(layer, userId, "warm"); // the user's first search walks every thread once and sets the watermark
    return { layer, userId, written, alphas: [...written].reverse().slice(0, 20), betas: written.filter((_, i) => i % 2 === 0).reverse().slice(0, 20) };
  }

  it("the search opened (search.prepare): 1 word and prefix 2 requests a page, 2 words 3, first and next", async () => {
    const { layer, userId, alphas, betas } = await thirtyThreads();
    layer.later(WINDOW_AGED);
    // The newest index rows, then the watermark and the newest threads' states: the catch-up, off the typing path.
    expect((await countOf(table, () => layer.prepareSearch(userId))).byOperation).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });

    const oneWord = await pages(layer, userId, "alpha");
    // The word's postings, then one BatchGetItem: the page's THREAD items (order, owner, name) and snippet docs.
    expect(oneWord.first).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    expect(oneWord.next).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    expect(oneWord.found).toEqual(alphas);

    const prefix = await pages(layer, userId, "alp");
    expect(prefix.first).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    expect(prefix.next).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    expect(prefix.found).toEqual(alphas);

    const twoWords = await pages(layer, userId, "alpha beta");
    expect(twoWords.first).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(twoWords.next).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(twoWords.found).toEqual(betas);
  });

  it("without a window (another process, or the search open for long): the first page reads the index and checks the catch-up, and leaves the window", async () => {
    const { layer, userId, alphas, betas } = await thirtyThreads();
    layer.later(WINDOW_AGED);
    const oneWord = await countOf(table, () => search(layer, userId, "alpha", { first: 20 }));
    // postings Query + the newest index rows, then one BatchGetItem (docs, watermark, newest threads' states)
    expect(oneWord.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(ids(oneWord.result.data)).toEqual(alphas);
    layer.later(WINDOW_AGED);
    const twoWords = await countOf(table, () => search(layer, userId, "alpha beta", { first: 20 }));
    expect(twoWords.byOperation).toEqual({ QueryCommand: 3, BatchGetItemCommand: 1 });
    expect(ids(twoWords.result.data)).toEqual(betas);
    // The next keystroke's page uses the rows that page read.
    const typed = await countOf(table, () => search(layer, userId, "alpha beta too", { first: 20 }));
    expect(typed.byOperation).toEqual({ QueryCommand: 3, BatchGetItemCommand: 1 });
    expect(ids(typed.result.data)).toEqual(betas);
  });

  it("many candidates and no window: a next page walks the index, 3 requests for 1 word", async () => {
    const layer = tickingLayer(START, 1);
    const userId = uid("u-");
    for (let i = 0; i < 60; i++) await ownThread(layer, userId, [`delta ${i}`]);
    await search(layer, userId, "warm");
    const first = await search(layer, userId, "delta");
    layer.later(WINDOW_AGED);
    // 60 candidates are more than one BatchGetItem places: one Query of the index orders them.
    const next = await countOf(table, () => search(layer, userId, "delta", { cursor: first.pageInfo.endCursor! }));
    expect(next.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(new Set([...ids(first.data), ...ids(next.result.data)]).size).toBe(20);
  });

  it("a Chainlit thread among the newest is caught up when the search opens, or by a page once the window is old", async () => {
    const layer = tickingLayer(START, 1);
    const userId = uid("u-");
    for (let i = 0; i < 20; i++) await ownThread(layer, userId, [`epsilon ${i}`]);
    await search(layer, userId, "warm");
    const chainlitWrites = async (question: string, at: string) => {
      const threadId = uid("t-");
      for (const item of chainlitThread(userId, threadId, { at }).items) await table.putRaw(item);
      for (const item of chainlitTurn(userId, threadId, { question, answer: "On the epsilon cape." }).steps) await table.putRaw(item);
      return threadId;
    };
    const lighthouse = await chainlitWrites("where is the lighthouse?", "2026-09-01T00:00:00.000000Z");
    // The window of the search opened before the write does not know it yet (docs/search.md, "Opening the search").
    expect(ids((await search(layer, userId, "lighthouse")).data)).toEqual([]);
    await layer.prepareSearch(userId); // the search box takes focus again
    expect(ids((await search(layer, userId, "lighthouse")).data)).toEqual([lighthouse]);
    expect(ids((await search(layer, userId, "epsilon")).data)[0]).toBe(lighthouse);

    const harbour = await chainlitWrites("and the harbour?", "2026-09-02T00:00:00.000000Z");
    layer.later(WINDOW_AGED); // the search stayed open: a page past the window's age checks the catch-up itself
    expect(ids((await search(layer, userId, "harbour")).data)).toEqual([harbour]);
  });

  it("more Chainlit threads above the watermark than the catch-up's window: the walk from the watermark finds them all", async () => {
    const layer = tickingLayer(START, 1);
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
    await layer.prepareSearch(userId);
    const found = await search(layer, userId, "zeta", { first: 50 });
    expect(ids(found.data)).toEqual([...chainlit.reverse(), own.threadId]);
  });

  it("a window never answers for a thread that moved to another user or was deleted since it was read", async () => {
    const layer = tickingLayer(START, 1);
    const alice = uid("u-");
    const bob = uid("u-");
    const kept = await ownThread(layer, alice, ["okapi stripes"]);
    const moved = await ownThread(layer, alice, ["okapi forest"]);
    const deleted = await ownThread(layer, alice, ["okapi tongue"]);
    await layer.prepareSearch(alice);
    // Another app (Chainlit) moves one thread to Bob and deletes another: the window still lists both as Alice's.
    await chainlitUpdateThread(table, moved.threadId, { at: "2026-09-01T00:00:00.000000Z", userId: bob });
    await chainlitDeleteThread(table, deleted.threadId);
    const found = await search(layer, alice, "okapi");
    expect(ids(found.data)).toEqual([kept.threadId]);
    expect(found.data.flatMap((hit) => hit.snippet.map((part) => part.text)).join(" ")).not.toMatch(/forest|tongue/);
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

    // While the thread is active the doc may still be on its way: the posting is kept. The hit is not shown: the
    // step it would open at is not there (yet).
    expect(ids((await search(tickingLayer(START + 60_000), userId, "orphan")).data)).toEqual([]);
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
