/**
 * "Did you mean …?" (docs/search.md, "A typo"): when a first page finds nothing and a word of the query is in none of
 * the user's messages (its postings, read anyway, are empty), the closest word of the user's own index is offered.
 *
 * Where the words are: postings sort by term inside `SEARCH#{userId}#{bucket}`, the bucket fixed by the first
 * character. A typo after its first characters leaves the word among its right spelling's neighbours in that order
 * (`presgined` sits between `presence` and `presigned`), so the terms next to it on either side, in the caller's own
 * partition, are the candidates: two Queries in parallel (one round trip), keys only, SUGGEST_READ postings each,
 * bounded to terms that start with the same character. Never read unless the page is empty and a word has no posting.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { parsePostingSk, searchPostingPk } from "../../keys";
import { foldWord, TERM_MAX } from "../../search-text";
import { type LayerContext } from "../context";

/** Postings read on each side of a word: about 60 KB (≈ 8 read units), enough for the few dozen terms around it. */
export const SUGGEST_READ = 300;
/** Words corrected in one query, at most (each is two Queries, all in the same round trip). */
const SUGGEST_WORDS = 2;
/** The last code point: a range bound above every term starting with a given character. */
const TOP = String.fromCodePoint(0x10ffff);
const segmenter = new Intl.Segmenter("en", { granularity: "word" });

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment): `presgined` is one edit
 * from `presigned`. Code points, not UTF-16 units. Stops early past `max` (returns max + 1).
 */
export function editDistance(a: string, b: string, max: number): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
    }
    if (Math.min(...row) > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[y.length]!;
}

/** Edits allowed for a word of this many characters: none under 4 (too many short words are one edit apart). */
const allowed = (word: string) => ([...word].length < 4 ? 0 : [...word].length < 6 ? 1 : 2);

/** The terms filed next to `word` on either side, in the caller's partition for its first character, with their counts. */
async function neighbours(ctx: LayerContext, userId: string, word: string): Promise<Map<string, number>> {
  const first = String.fromCodePoint(word.codePointAt(0)!);
  const read = (forward: boolean) =>
    ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :lo AND :hi",
        ExpressionAttributeValues: { ":pk": searchPostingPk(userId, word), ":lo": forward ? word : first, ":hi": forward ? `${first}${TOP}` : word },
        ProjectionExpression: "SK",
        ScanIndexForward: forward,
        Limit: SUGGEST_READ,
      }),
    );
  const counts = new Map<string, number>();
  for (const out of await Promise.all([read(true), read(false)])) {
    for (const item of out.Items ?? []) {
      const term = parsePostingSk(String(item.SK))?.term;
      if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
  }
  return counts;
}

/** The closest term to `word` (a prefix being typed is compared with the terms' beginnings too), or null. */
function closest(word: string, prefix: boolean, counts: ReadonlyMap<string, number>): string | null {
  const max = allowed(word);
  if (max === 0) return null;
  let best: { term: string; distance: number; count: number } | null = null;
  for (const [term, count] of counts) {
    const whole = editDistance(word, term, max);
    const distance = prefix ? Math.min(whole, editDistance(word, [...term].slice(0, [...word].length).join(""), max)) : whole;
    if (distance > max) continue;
    if (!best || distance < best.distance || (distance === best.distance && (count > best.count || (count === best.count && term < best.term)))) best = { term, distance, count };
  }
  return best?.term ?? null;
}

/**
 * The query with its unknown words corrected, as typed otherwise (quotes, other words, their case), or null when a
 * word has no close term in the caller's index. `missing`: the folded words with no posting at all.
 */
export async function suggestQuery(ctx: LayerContext, userId: string, query: string, missing: ReadonlyArray<{ term: string; prefix: boolean }>): Promise<string | null> {
  if (missing.length === 0 || missing.length > SUGGEST_WORDS || missing.some((w) => allowed(w.term) === 0)) return null;
  const found = await Promise.all(missing.map(async (w) => closest(w.term, w.prefix, await neighbours(ctx, userId, w.term))));
  if (found.some((term) => term === null)) return null;
  const fix = new Map(missing.map((w, i) => [w.term, found[i]!]));
  let out = "";
  let at = 0;
  for (const segment of segmenter.segment(query)) {
    const term = segment.isWordLike ? foldWord(segment.segment).slice(0, TERM_MAX) : "";
    if (!fix.has(term)) continue;
    out += query.slice(at, segment.index) + fix.get(term)!;
    at = segment.index + segment.segment.length;
  }
  return out + query.slice(at);
}
