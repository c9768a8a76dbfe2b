/**
 * The first step of a query (docs/search.md, "A query"): the postings of each word, read from the caller's own
 * `SEARCH#{userId}#{bucket}` partitions, and the threads that hold every word (the candidates).
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { NAME_SOURCE, USER_THREAD_INDEX, feedbackIndexPk, parsePostingSk, searchPostingPk, searchPostingSk, threadIdFromPk } from "../../keys";
import { type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { ExpressionBuilder } from "../update-expression";

/** Query pages read per word (1 MB each, about 10,000 postings): a word past that is reported as `partial`. */
const POSTING_PAGES = 4;

/** threadId → source → the indexed terms whose postings point there (a prefix matches several). */
type Sources = Map<string, Map<string, Set<string>>>;

export interface Postings {
  threads: Sources;
  truncated: boolean;
}

/** Query of one partition with `begins_with` on SK, following pages up to `maxPages`. */
async function queryPrefix(ctx: LayerContext, pk: string, prefix: string, attributes: string[], index?: string): Promise<{ items: Item[]; truncated: boolean }> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < POSTING_PAGES; page++) {
    const expr = new ExpressionBuilder();
    const [pkName, skName] = index ? ["UserThreadPK", "UserThreadSK"] : ["PK", "SK"];
    const condition = [`${expr.name(pkName)} = ${expr.value(pk)}`, ...(prefix ? [`begins_with(${expr.name(skName)}, ${expr.value(prefix)})`] : [])];
    const out = await ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: condition.join(" AND "),
        ProjectionExpression: expr.projection(attributes),
        ...expr.attributes(),
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    startKey = out.LastEvaluatedKey;
    if (!startKey) return { items, truncated: false };
  }
  return { items, truncated: true };
}

export async function readPostings(ctx: LayerContext, userId: string, term: string, prefix: boolean): Promise<Postings> {
  const { items, truncated } = await queryPrefix(ctx, searchPostingPk(userId, term), prefix ? term : `${term}#`, ["SK"]);
  const threads: Sources = new Map();
  for (const item of items) {
    const posting = parsePostingSk(String(item.SK));
    if (!posting) continue;
    const sources = threads.get(posting.threadId) ?? new Map<string, Set<string>>();
    sources.set(posting.source, (sources.get(posting.source) ?? new Set()).add(posting.term));
    threads.set(posting.threadId, sources);
  }
  return { threads, truncated };
}

/** The threads with a marker of `value` under the user's own feedback partition. */
export async function readMarked(ctx: LayerContext, userId: string, value: 0 | 1): Promise<Set<string>> {
  const { items } = await queryPrefix(ctx, feedbackIndexPk(userId, value), "", ["PK"], USER_THREAD_INDEX);
  return new Set(items.map((item) => threadIdFromPk(String(item.PK))));
}

export interface Candidate {
  threadId: string;
  /** Every posting the query met for this thread: source → terms (to verify against the docs, or to delete). */
  seen: Map<string, Set<string>>;
  /** The source whose doc gives the snippet: one holding every word if there is one, a message before a file before the name. */
  best: string;
}

/** A message over a file over the name: the hit opens at the message. */
function preferred(sources: Iterable<string>): string {
  const list = [...sources].sort();
  return list.find((s) => s.startsWith("step.")) ?? list.find((s) => s.startsWith("element.")) ?? list[0] ?? NAME_SOURCE;
}

/** Threads present in every word's list (and marked, with the filter). The rarest list drives the intersection. */
export function intersect(lists: readonly Postings[], marked: Set<string> | null): Candidate[] {
  const [rarest, ...rest] = [...lists].sort((a, b) => a.threads.size - b.threads.size);
  const candidates: Candidate[] = [];
  for (const [threadId, sources] of rarest!.threads) {
    if (marked && !marked.has(threadId)) continue;
    if (!rest.every((list) => list.threads.has(threadId))) continue;
    const seen = new Map<string, Set<string>>();
    for (const list of lists) for (const [source, terms] of list.threads.get(threadId)!) seen.set(source, new Set([...(seen.get(source) ?? []), ...terms]));
    const shared = [...sources.keys()].filter((source) => rest.every((list) => list.threads.get(threadId)!.has(source)));
    candidates.push({ threadId, seen, best: preferred(shared.length > 0 ? shared : sources.keys()) });
  }
  return candidates;
}

/** The keys of postings met: `seen` is source → terms, as a Candidate keeps them. */
export const seenPostingKeys = (userId: string, threadId: string, seen: ReadonlyMap<string, ReadonlySet<string>>): TableKey[] =>
  [...seen].flatMap(([source, terms]) => [...terms].map((term) => ({ PK: searchPostingPk(userId, term), SK: searchPostingSk(term, threadId, source) })));
