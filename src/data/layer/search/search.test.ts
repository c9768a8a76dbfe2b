import { beforeAll, describe, expect, it } from "vitest";
import { type SearchHit } from "../../entities/search";
import { type DynamoDBDataLayer } from "../data-layer";
import { editDistance } from "./search-suggest";
import { chainlitDeleteThread, chainlitThread, chainlitTurn, chainlitUpdateThread, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";
import { chainlitClock, tickingClock } from "../../../../test/clocks";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

const tickingLayer = () => table.layer({ clock: tickingClock() });
const chainlitNow = chainlitClock();

/** A thread written by Threadbook: created, named and its messages written with the owner known. */
async function ownThread(layer: DynamoDBDataLayer, userId: string, messages: string[], name = "a chat") {
  const threadId = uid("t-");
  await layer.createThread(threadId, userId);
  await layer.updateThread(threadId, { name }, { owner: userId });
  const stepIds: string[] = [];
  for (const [i, output] of messages.entries()) {
    const id = uid("s-");
    stepIds.push(id);
    await layer.createStep({ id, threadId, type: i % 2 === 0 ? "user_message" : "assistant_message", output }, { owner: userId });
  }
  return { threadId, stepIds };
}

const ids = (hits: SearchHit[]) => hits.map((h) => h.id);
const marked = (hit: SearchHit | undefined) => hit?.snippet.filter((p) => p.mark).map((p) => p.text);
const search = async (layer: DynamoDBDataLayer, userId: string, query: string, extra: { feedback?: 0 | 1; first?: number; cursor?: string } = {}) =>
  layer.searchThreads({ userId, query, first: extra.first ?? 20, cursor: extra.cursor, feedback: extra.feedback });

describe("full-text search over Threadbook's own writes", () => {
  it("finds a thread by words inside a message, with the snippet's words marked and the message named", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await ownThread(layer, userId, ["How do I rotate keys?", "Use a presigned URL and rotate the Signing keys every 90 days."]);
    await ownThread(layer, userId, ["Something else entirely"]);

    const page = await search(layer, userId, "signing keys");
    expect(ids(page.data)).toEqual([threadId]);
    expect(page.data[0]!.stepId).toBe(stepIds[1]);
    expect(marked(page.data[0])).toEqual(["Signing", "keys"]);
  });

  it("matches the last word as a prefix while typing, case and accents folded", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await ownThread(layer, userId, ["Le CAFÉ est fermé", "The presigned link expired"]);
    expect(ids((await search(layer, userId, "presig")).data)).toEqual([threadId]);
    expect(ids((await search(layer, userId, "cafe ferme")).data)).toEqual([threadId]);
    expect(ids((await search(layer, userId, "Café")).data)).toEqual([threadId]);
    // Only the last word is a prefix.
    expect(ids((await search(layer, userId, "presig link")).data)).toEqual([]);
  });

  it("needs every word in the thread (AND), each in any of its messages", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const both = await ownThread(layer, userId, ["the database migration", "rollback plan ready"]);
    await ownThread(layer, userId, ["database only here"]);
    await ownThread(layer, userId, ["rollback only here"]);
    expect(ids((await search(layer, userId, "database rollback")).data)).toEqual([both.threadId]);
  });

  it("finds Chinese text segmented into words, and the thread name and file names", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const zh = await ownThread(layer, userId, ["我们的数据库很慢，需要优化查询"]);
    const named = await ownThread(layer, userId, ["hi"], "Quarterly budget review");
    await layer.createElement({ id: uid("e-"), threadId: named.threadId, type: "file", name: "invoice-march.pdf" }, { owner: userId });
    expect(ids((await search(layer, userId, "查询")).data)).toEqual([zh.threadId]);
    expect(ids((await search(layer, userId, "数据")).data)).toEqual([zh.threadId]);
    expect(ids((await search(layer, userId, "budget")).data)).toEqual([named.threadId]);
    expect(ids((await search(layer, userId, "invoice")).data)).toEqual([named.threadId]);
  });

  it("lists newest activity first and pages with a cursor", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const a = await ownThread(layer, userId, ["kiwi one"]);
    const b = await ownThread(layer, userId, ["kiwi two"]);
    const c = await ownThread(layer, userId, ["kiwi three"]);
    const first = await search(layer, userId, "kiwi", { first: 2 });
    expect(ids(first.data)).toEqual([c.threadId, b.threadId]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await search(layer, userId, "kiwi", { first: 2, cursor: first.pageInfo.endCursor! });
    expect(ids(second.data)).toEqual([a.threadId]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    // The cursor belongs to its query: another query refuses it.
    await expect(search(layer, userId, "other", { cursor: first.pageInfo.endCursor! })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("works with the 👍/👎 filter", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const liked = await ownThread(layer, userId, ["mango smoothie", "recipe"]);
    await ownThread(layer, userId, ["mango salad"]);
    await layer.upsertFeedback({ forId: liked.stepIds[1]!, threadId: liked.threadId, value: 1 }, { threadUserId: userId });
    expect(ids((await search(layer, userId, "mango", { feedback: 1 })).data)).toEqual([liked.threadId]);
    expect(ids((await search(layer, userId, "mango", { feedback: 0 })).data)).toEqual([]);
  });

  it("costs: a message is 1 GetItem + 1 BatchWriteItem + 1 PutItem beside its own PutItem; a query page 2–4 requests, 3 for two words (search-requests.test.ts has them all)", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await ownThread(layer, userId, ["first message"]);
    const write = await countOf(table, () => layer.createStep({ id: uid("s-"), threadId, type: "user_message", output: "twenty distinct words: alpha beta gamma delta" }, { owner: userId }));
    // The step (a new one: a conditional PutItem) and the doc are the two PutItems.
    expect(write.byOperation).toEqual({ GetItemCommand: 1, BatchWriteItemCommand: 1, PutItemCommand: 2 });

    for (let i = 0; i < 3; i++) await ownThread(layer, userId, ["gamma again"]);
    const first = await countOf(table, () => search(layer, userId, "gamma", { first: 2 }));
    // postings Query + the newest index rows, then one BatchGetItem: docs, catch-up watermark and thread states
    expect(first.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    const next = await countOf(table, () => search(layer, userId, "gamma", { first: 2, cursor: first.result.pageInfo.endCursor! }));
    expect(next.byOperation).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    // The next keystroke: the first page left the user's search window (search-window.ts), so no index rows.
    const twoWords = await countOf(table, () => search(layer, userId, "gamma again", { first: 2, cursor: undefined }));
    expect(twoWords.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
  });
});

describe("quoted phrases", () => {
  it("finds only the messages where the words are adjacent and in order, and marks the phrase", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const phrase = await ownThread(layer, userId, ["How do I upload?", "Use a Signed  URL, then upload."]);
    await ownThread(layer, userId, ["The url is signed by the server"]); // both words, other order
    await ownThread(layer, userId, ["signed the form", "url of the form"]); // both words, two messages
    // Without quotes, all three; with them, one: the phrase's message, its words marked as one piece.
    expect((await search(layer, userId, "signed url")).data).toHaveLength(3);
    const page = await search(layer, userId, '"signed url"');
    expect(ids(page.data)).toEqual([phrase.threadId]);
    expect(page.data[0]!.stepId).toBe(phrase.stepIds[1]);
    expect(marked(page.data[0])).toEqual(["Signed URL"]);
    // An open quote runs to the end, its last word typed; typographic quotes; stray quotes never error.
    expect(ids((await search(layer, userId, '"signed ur')).data)).toEqual([phrase.threadId]);
    expect(ids((await search(layer, userId, "“signed url” upload")).data)).toEqual([phrase.threadId]);
    expect(ids((await search(layer, userId, '"url signed"')).data)).toEqual([]);
    expect((await search(layer, userId, '"')).data).toEqual([]);
    expect((await search(layer, userId, 'signed" url')).data).toHaveLength(3);
  });

  it("checks a long message on its indexed text (20,000 characters), past its doc's 2,000, and cuts the snippet there", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const filler = "lorem ipsum dolor sit amet ".repeat(200); // 5,400 characters
    const far = await ownThread(layer, userId, [`signed first, then url. ${filler} finally a signed url near the end`]);
    await ownThread(layer, userId, [`signed first, then url. ${filler.repeat(4)} and a signed url past what is indexed`]);
    const page = await search(layer, userId, '"signed url"');
    expect(ids(page.data)).toEqual([far.threadId]);
    expect(marked(page.data[0])).toEqual(["signed url"]);
    expect(page.partial).toBe(false);
  });

  it("a doc shorter than 2,000 characters holds the whole source, even one that markup made long (its text is stripped from all of it)", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    // 6,600 characters of HTML, 360 of words: the phrase comes after the first 4,000 characters.
    const html = `signed first, then url. ${`<span class="${"c".repeat(80)}">lorem</span> `.repeat(60)} a signed url`;
    const { threadId } = await ownThread(layer, userId, [html]);
    expect(ids((await search(layer, userId, '"signed url"')).data)).toEqual([threadId]);
  });

  it("costs: no request without quotes; the docs' BatchGetItem with them; the long steps' only when a full doc did not show the phrase", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    await ownThread(layer, userId, ["a signed url here"]);
    await ownThread(layer, userId, ["signed and then url"]);
    await search(layer, userId, "warm"); // leaves the window: the pages below read no index rows
    const plain = await countOf(table, () => search(layer, userId, "signed url"));
    expect(plain.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    const quoted = await countOf(table, () => search(layer, userId, '"signed url"'));
    expect(quoted.result.data).toHaveLength(1);
    expect(quoted.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 2 });
    await ownThread(layer, userId, [`signed first, then url. ${"lorem ipsum ".repeat(300)} a signed url`]);
    await search(layer, userId, "warm");
    const long = await countOf(table, () => search(layer, userId, '"signed url"'));
    expect(long.result.data).toHaveLength(2);
    expect(long.byOperation).toEqual({ QueryCommand: 2, BatchGetItemCommand: 3 });
  });
});

describe("a typo: Did you mean …?", () => {
  it("counts a swap of two neighbours as one edit, in code points, and stops past the bound", () => {
    expect(editDistance("presgined", "presigned", 2)).toBe(1);
    expect(editDistance("kubernetse", "kubernetes", 2)).toBe(1);
    expect(editDistance("presigned", "presented", 2)).toBe(3);
    expect(editDistance("cafe", "café", 1)).toBe(1);
    expect(editDistance("😀ab", "😀ba", 1)).toBe(1);
    expect(editDistance("a", "abcdef", 2)).toBe(3);
  });

  it("a query that finds nothing because a word is in no message offers the closest word of the user's own", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await ownThread(layer, userId, ["Use a presigned URL to upload", "present the preview", "kubernetes ingress"]);
    const page = await search(layer, userId, "presgined");
    expect(page.data).toEqual([]);
    expect(page.suggestion).toBe("presigned");
    expect(ids((await search(layer, userId, page.suggestion!)).data)).toEqual([threadId]);
    // The other words, the quotes and their case stay as typed; a typo in the word being typed is found too.
    expect((await search(layer, userId, 'Use "a presgined URL"')).suggestion).toBe('Use "a presigned URL"');
    expect((await search(layer, userId, "kubernetse ingress")).suggestion).toBe("kubernetes ingress");
    expect((await search(layer, userId, "upload presgin")).suggestion).toBe("upload presigned");
    // No suggestion: every word is somewhere (only not together); nothing close enough; a short word; a page found.
    expect((await search(layer, userId, "kubernetes upload preview")).suggestion).toBeNull();
    expect((await search(layer, userId, "pxxsxgned")).suggestion).toBeNull();
    expect((await search(layer, userId, "urk")).suggestion).toBeNull();
    expect((await search(layer, userId, "presigned")).suggestion).toBeNull();
  });

  it("costs: nothing on a page with results; two Queries in one round trip on an empty page with an unknown word", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    await ownThread(layer, userId, ["Use a presigned URL to upload"]);
    await ownThread(layer, userId, ["kubernetes ingress"]);
    await search(layer, userId, "warm");
    expect((await countOf(table, () => search(layer, userId, "presigned"))).byOperation).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
    const typo = await countOf(table, () => search(layer, userId, "presgined"));
    expect(typo.result.suggestion).toBe("presigned");
    expect(typo.byOperation).toEqual({ QueryCommand: 3 });
    // Every word known, nothing together: no read for a suggestion.
    expect((await countOf(table, () => search(layer, userId, "presigned kubernetes"))).byOperation).toEqual({ QueryCommand: 2 });
  });
});

describe("the search catches up with threads Chainlit wrote", () => {
  it("finds a Chainlit thread and a later Chainlit turn on it, through the same catch-up as the feedback index", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const threadId = uid("t-");
    const thread = chainlitThread(userId, threadId, { at: chainlitNow(), name: "Cluster setup" });
    for (const item of thread.items) await table.putRaw(item);
    const turn = chainlitTurn(userId, threadId, { question: "How do I configure the Kubernetes ingress?", answer: "Create an Ingress resource with TLS." });
    for (const item of turn.steps) await table.putRaw(item);

    const found = await search(layer, userId, "kubernetes ingress");
    expect(ids(found.data)).toEqual([threadId]);
    expect(found.data[0]!.stepId).toBe(turn.messageId);
    expect(ids((await search(layer, userId, "report")).data)).toEqual([threadId]); // the element's file name
    expect(await table.plain(`THREAD#${threadId}`, "THREAD")).toMatchObject({ searchIndexedAt: thread.thread.UserThreadSK!.S, feedbackIndexedAt: thread.thread.UserThreadSK!.S });

    // A later Chainlit session bumps the thread; its new words are found.
    await chainlitUpdateThread(table, threadId, { at: chainlitNow(), userId });
    const later = chainlitTurn(userId, threadId, { question: "And cert-manager renewals?", answer: "Use a ClusterIssuer." });
    for (const item of later.steps) await table.putRaw(item);
    await chainlitUpdateThread(table, threadId, { at: chainlitNow(), userId });
    await layer.prepareSearch(userId); // the search box takes focus: the catch-up runs before the words are typed
    expect(ids((await search(layer, userId, "clusterissuer")).data)).toEqual([threadId]);
  });

  it("a Chainlit delete_thread leaves docs and postings; the next read of the partition removes them", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await ownThread(layer, userId, ["walrus facts"]);
    expect(await table.postingsOf(userId)).not.toEqual([]);
    await chainlitDeleteThread(table, threadId);
    expect(ids((await search(layer, userId, "walrus")).data)).toEqual([]); // gone from the results at once
    expect(await layer.getThread(threadId)).toBeNull(); // meets the leftovers and removes them
    expect(await table.partitionSks(threadId)).toEqual([]);
    expect(await table.postingsOf(userId)).toEqual([]);
  });
});

describe("deletes remove index entries", () => {
  it("deleteStep, deleteElement and deleteThread leave no posting or doc", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId, stepIds } = await ownThread(layer, userId, ["pelican", "flamingo"], "birds");
    const elementId = uid("e-");
    await layer.createElement({ id: elementId, threadId, type: "file", name: "heron.txt" }, { owner: userId });

    await layer.deleteStep(stepIds[0]!, threadId);
    expect(ids((await search(layer, userId, "pelican")).data)).toEqual([]);
    expect(ids((await search(layer, userId, "flamingo")).data)).toEqual([threadId]);
    await layer.deleteElement(elementId, threadId);
    expect(ids((await search(layer, userId, "heron")).data)).toEqual([]);
    expect((await table.postingsOf(userId)).some((sk) => sk.startsWith("pelican#") || sk.startsWith("heron#"))).toBe(false);

    await layer.deleteThread(threadId);
    expect(await table.postingsOf(userId)).toEqual([]);
    expect(await table.partitionSks(threadId)).toEqual([]);
  });

  it("a rename replaces the name's words", async () => {
    const layer = tickingLayer();
    const userId = uid("u-");
    const { threadId } = await ownThread(layer, userId, ["hello"], "Trip to Lisbon");
    await layer.updateThread(threadId, { name: "Trip to Porto" }, { mustExist: true, owner: userId });
    expect(ids((await search(layer, userId, "lisbon")).data)).toEqual([]);
    expect(ids((await search(layer, userId, "porto")).data)).toEqual([threadId]);
  });
});
