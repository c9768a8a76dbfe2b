/**
 * The words of a text, as the full-text index stores them and as a query looks them up (docs/search.md, "Words").
 * Pure (no I/O), so the index writer, the catch-up, the query and the snippet highlighter all cut text the same way.
 *
 * - Words come from `Intl.Segmenter` (ICU word boundaries): spaces and punctuation for Latin, Cyrillic, Greek…, a
 *   dictionary for Chinese, Japanese, Thai and other scripts written without spaces.
 * - A word is folded: compatibility-decomposed (NFKD: full-width letters, ligatures), combining marks removed
 *   (é → e, ü → u), lower-cased. "Café", "CAFE" and "café" are one term.
 * - Code identifiers are indexed whole and by their pieces: `presigned_url` → presigned_url, presigned, url;
 *   `getSignedUrl` → getsignedurl, get, signed, url; `foo.bar` → foo.bar, foo, bar.
 * - Markdown is reduced to its words: link targets and image URLs, HTML tags and fence markers are dropped.
 */

/** Characters of one source (a message, a name) that are indexed: the rest of a very long output is not. */
export const INDEXED_TEXT_MAX = 20_000;
/** Distinct terms kept per source, at most (each is one posting item). */
export const TERMS_PER_SOURCE_MAX = 1_000;
/** A longer word is cut to this many characters (a hash or a base64 blob is not something one types). */
export const TERM_MAX = 48;
/** Words of a query, at most. */
export const QUERY_WORDS_MAX = 8;

const segmenter = new Intl.Segmenter("en", { granularity: "word" });

/** Folds one word: NFKD, no combining marks, lower case, no '#' (the key separator). */
export function foldWord(word: string): string {
  return word.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().replace(/#/g, "");
}

/**
 * Drops what Markdown and HTML add around words: link and image targets, tags, fences, emphasis and heading marks.
 *
 * Every pattern runs in time linear in the text: no repeated part may run over the character that starts another
 * match (a link's text stops at `[`, its target at `(`, a tag at `<`, a fence's leading blanks at the line's end).
 * Step text is anyone's (a message, a model's reply, an import, a Chainlit app), and each source is stripped when it
 * is indexed: with `[^\]]*`, 20,000 `[` (the indexed length) took V8's backtracking about a second per message, the
 * server's whole event loop, for every message of an import (docs/security.md, "Indexing").
 */
export function stripMarkup(text: string): string {
  return text
    .replace(/!?\[([^[\]]*)\]\([^()]*\)/g, "$1")
    .replace(/<\/?[a-zA-Z][^<>]*>/g, " ")
    .replace(/^[ \t]*(```|~~~)\S*[ \t]*$/gm, " ")
    .replace(/^\s{0,3}(#{1,6}|>)\s+/gm, "")
    .replace(/\*\*|__|~~|`+/g, "");
}

export interface WordSpan {
  /** Folded term. */
  term: string;
  /** Offsets in the text given (UTF-16 units). */
  start: number;
  end: number;
}

/** Every word of `text` with its place: what the snippet highlighter marks. */
export function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  for (const segment of segmenter.segment(text)) {
    if (!segment.isWordLike) continue;
    const term = foldWord(segment.segment).slice(0, TERM_MAX);
    if (term) spans.push({ term, start: segment.index, end: segment.index + segment.segment.length });
  }
  return spans;
}

/** The pieces of a code identifier, folded: snake_case, kebab-case, dotted.names and camelCase. */
function identifierPieces(word: string): string[] {
  if (!/[_.-]|[a-z][A-Z]/.test(word)) return [];
  return word
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[_.\-\s]+/)
    .map((piece) => foldWord(piece).slice(0, TERM_MAX))
    .filter(Boolean);
}

/** The distinct terms of a source's text, in order of first appearance, capped (INDEXED_TEXT_MAX, TERMS_PER_SOURCE_MAX). */
export function indexTerms(text: string): string[] {
  const terms = new Set<string>();
  const plain = stripMarkup(text.slice(0, INDEXED_TEXT_MAX));
  for (const segment of segmenter.segment(plain)) {
    if (!segment.isWordLike) continue;
    const whole = foldWord(segment.segment).slice(0, TERM_MAX);
    if (whole) terms.add(whole);
    for (const piece of identifierPieces(segment.segment)) terms.add(piece);
    if (terms.size >= TERMS_PER_SOURCE_MAX) break;
  }
  return [...terms].slice(0, TERMS_PER_SOURCE_MAX);
}

export interface ParsedQuery {
  /** Words that must appear whole. */
  words: string[];
  /** The last word while it is being typed: it matches any term starting with it. */
  prefix: string | null;
}

/**
 * A query's words, folded and de-duplicated (the last QUERY_WORDS_MAX). The last word is always a prefix: results
 * follow the typing, so "presig" already finds "presigned"; the others must appear whole.
 */
export function parseQuery(query: string): ParsedQuery {
  const segments = [...segmenter.segment(query.slice(0, 400))].filter((s) => s.isWordLike);
  const folded = [...new Set(segments.map((s) => foldWord(s.segment).slice(0, TERM_MAX)).filter(Boolean))].slice(-QUERY_WORDS_MAX);
  if (folded.length === 0) return { words: [], prefix: null };
  const prefix = folded.at(-1)!;
  return { words: folded.slice(0, -1).filter((w) => w !== prefix), prefix };
}

/** True when a folded term matches the query (a whole word, or the typed prefix). */
export function matchesQuery(term: string, query: ParsedQuery): boolean {
  return query.words.includes(term) || (query.prefix !== null && term.startsWith(query.prefix));
}

/** A piece of a snippet: `mark` pieces are the matched words. */
export interface SnippetPart {
  text: string;
  mark?: true;
}

/** Characters of context before the first match. */
const SNIPPET_LEAD = 60;
export const SNIPPET_CHARS = 200;

/**
 * A short excerpt of `text` around its first matched word, with every matched word marked. Whitespace is collapsed;
 * a text with no match (it was beyond the stored snippet text) gives its beginning, unmarked.
 */
export function buildSnippet(text: string, query: ParsedQuery): SnippetPart[] {
  const flat = stripMarkup(text).replace(/\s+/g, " ").trim();
  const spans = wordSpans(flat).filter((span) => matchesQuery(span.term, query));
  const first = spans[0];
  let from = first ? Math.max(0, first.start - SNIPPET_LEAD) : 0;
  // Start at a word boundary so the snippet does not open with half a word.
  if (from > 0) {
    const space = flat.indexOf(" ", from);
    if (space !== -1 && first && space < first.start) from = space + 1;
  }
  const to = Math.min(flat.length, from + SNIPPET_CHARS);
  const parts: SnippetPart[] = [];
  if (from > 0) parts.push({ text: "…" });
  let at = from;
  for (const span of spans) {
    if (span.start < from || span.end > to) continue;
    if (span.start > at) parts.push({ text: flat.slice(at, span.start) });
    parts.push({ text: flat.slice(span.start, span.end), mark: true });
    at = span.end;
  }
  if (at < to) parts.push({ text: flat.slice(at, to) });
  if (to < flat.length) parts.push({ text: "…" });
  return parts;
}
