/**
 * Quoted phrases of a query (docs/search.md, "Phrases"): the postings say which sources hold every word of a
 * phrase, not where; this step checks the words are adjacent and in order, on what the index keeps of each source.
 *
 * 1. Free: a candidate thread with no single source holding every word of a phrase is dropped (`seen`, met anyway).
 * 2. One BatchGetItem round (≤ PHRASE_DOCS docs, 100 a request, in parallel) of those sources' docs: a doc's `text`
 *    is the source's first 2,000 characters, markup stripped, so a phrase found in it is proven, and a doc shorter
 *    than that holds the whole source: the phrase is not there.
 * 3. Only when a step's doc is full (its source is longer) and the phrase is not in it: one more round, the step
 *    items themselves (≤ PHRASE_STEPS), checked on the indexed text (the first 20,000 characters) as the index cut it.
 *
 * Queries without a phrase never come here. What it read is handed to the page's BatchGetItem, which does not read
 * it again.
 */
import { type Item } from "../../dynamo/codec";
import { parseSource, stepSk, threadPk } from "../../keys";
import { INDEXED_TEXT_MAX, phraseSpans, stripMarkup, type ParsedQuery, type Phrase } from "../../search-text";
import { batchGet, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { SNIPPET_SOURCE_MAX, docKey, stepSearchText } from "./search-index";
import { type Candidate } from "./search-postings";

/** Docs read to check phrases, at most, per page: four BatchGetItem in parallel, one round trip. */
export const PHRASE_DOCS = 400;
/** Steps read whole to check a phrase beyond their doc's text, at most, per page (a step costs 1 read unit per 4 KB). */
export const PHRASE_STEPS = 25;

export const keyId = (key: { PK?: unknown; SK?: unknown }) => `${String(key.PK)}|${String(key.SK)}`;

export interface PhraseCheck {
  /** The candidates that hold every phrase, each with `best` set to a source holding the first one. */
  kept: Candidate[];
  /** Items read (docs, steps), by keyId: the page's BatchGetItem does not read them again. */
  read: Map<string, Item>;
  /** `threadId|source` → the indexed text of a step read whole: its snippet is cut from it, around the phrase. */
  texts: Map<string, string>;
  /** Candidates were left unchecked (past PHRASE_DOCS or PHRASE_STEPS): some threads may be missing. */
  partial: boolean;
}

/** The sources of a candidate holding every word of `phrase` (its last, typed word as a prefix). */
function sourcesOf(c: Candidate, phrase: Phrase): string[] {
  const last = phrase.words.length - 1;
  const has = (terms: ReadonlySet<string>, word: string, i: number) => (phrase.open && i === last ? [...terms].some((t) => t.startsWith(word)) : terms.has(word));
  const sources = [...c.seen].filter(([, terms]) => phrase.words.every((word, i) => has(terms, word, i))).map(([source]) => source);
  // A message before a file before the name, as the snippet's source is chosen without phrases.
  const rank = (s: string) => (s.startsWith("step.") ? 0 : s.startsWith("element.") ? 1 : 2);
  return sources.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The step item a step source names. */
function stepKey(threadId: string, source: string): TableKey {
  const parsed = parseSource(source);
  return { PK: threadPk(threadId), SK: stepSk(parsed && "id" in parsed ? parsed.id : "") };
}

const found = (text: string, phrase: Phrase) => phraseSpans(text, phrase).length > 0;

/**
 * Keeps the candidates in which every phrase of `parsed` is found. `order`: thread ids newest first, as far as the
 * rows read know them: those are checked first when there are more than the bounds allow; `skip`: threads on
 * earlier pages, left as they are (the page does not place them).
 */
export async function checkPhrases(ctx: LayerContext, userId: string, parsed: ParsedQuery, candidates: Candidate[], order: readonly string[], skip: ReadonlySet<string>): Promise<PhraseCheck> {
  const rankOf = new Map(order.map((id, i) => [id, i]));
  const wanted = candidates
    .filter((c) => !skip.has(c.threadId))
    .map((c) => ({ c, sources: parsed.phrases.map((phrase) => sourcesOf(c, phrase)) }))
    .filter((w) => w.sources.every((list) => list.length > 0))
    .sort((a, b) => (rankOf.get(a.c.threadId) ?? order.length) - (rankOf.get(b.c.threadId) ?? order.length));
  const read = new Map<string, Item>();
  const texts = new Map<string, string>();
  let partial = false;

  // Round 1: the docs, newest threads first, up to PHRASE_DOCS.
  const docKeys: TableKey[] = [];
  const checking: typeof wanted = [];
  for (const w of wanted) {
    const keys = [...new Set(w.sources.flat())].map((source) => docKey(w.c.threadId, source));
    if (docKeys.length + keys.length > PHRASE_DOCS) {
      partial = true;
      break;
    }
    docKeys.push(...keys);
    checking.push(w);
  }
  for (const item of docKeys.length > 0 ? await batchGet(ctx, docKeys, ["PK", "SK", "owner", "text", "terms"]) : []) read.set(keyId(item), item);

  /** Per candidate and phrase: the source proven to hold it, or the steps whose full text may. */
  const proven = new Map<string, Array<string | null>>();
  const longSteps = new Map<string, string[][]>();
  for (const { c, sources } of checking) {
    const per = sources.map((list, p) => {
      const doc = (source: string) => read.get(keyId(docKey(c.threadId, source)));
      const own = list.filter((source) => doc(source)?.owner === userId);
      const hit = own.find((source) => found(String(doc(source)!.text ?? ""), parsed.phrases[p]!));
      return { hit, long: hit ? [] : own.filter((source) => parseSource(source)?.kind === "step" && String(doc(source)!.text ?? "").length >= SNIPPET_SOURCE_MAX) };
    });
    proven.set(c.threadId, per.map((x) => x.hit ?? null));
    if (per.some((x) => !x.hit) && per.every((x) => x.hit || x.long.length > 0)) longSteps.set(c.threadId, per.map((x) => x.long));
  }

  // Round 2, only for phrases a full doc did not show: the steps themselves, up to PHRASE_STEPS.
  const stepKeys: TableKey[] = [];
  for (const [threadId, lists] of longSteps) {
    const keys = [...new Set(lists.flat())].map((source) => stepKey(threadId, source));
    if (stepKeys.length + keys.length > PHRASE_STEPS) {
      partial = true;
      longSteps.delete(threadId);
      continue;
    }
    stepKeys.push(...keys);
  }
  for (const item of stepKeys.length > 0 ? await batchGet(ctx, stepKeys, ["PK", "SK", "type", "input", "output"]) : []) read.set(keyId(item), item);
  for (const [threadId, lists] of longSteps) {
    const per = proven.get(threadId)!;
    lists.forEach((list, p) => {
      if (per[p]) return;
      for (const source of list) {
        const step = read.get(keyId(stepKey(threadId, source)));
        const text = step ? stripMarkup((stepSearchText(step) ?? "").slice(0, INDEXED_TEXT_MAX)) : "";
        if (!found(text, parsed.phrases[p]!)) continue;
        per[p] = source;
        texts.set(`${threadId}|${source}`, text);
        break;
      }
    });
  }

  const kept = checking
    .filter(({ c }) => proven.get(c.threadId)!.every(Boolean))
    .map(({ c }) => ({ ...c, best: proven.get(c.threadId)![0]! }));
  const skipped = candidates.filter((c) => skip.has(c.threadId));
  return { kept: [...kept, ...skipped], read, texts, partial };
}

