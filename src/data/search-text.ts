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
    // A table reads as its cells: the alignment row goes, a row's cells are joined by " · " (a snippet showed
    // "| Region | Revenue (€) |-…"). Each dash run is followed only by what a dash cannot be, so nothing backtracks.
    .replace(/^[ \t]*(?:\|[ \t]*)?:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$/gm, " ")
    .replace(/^[ \t]*\|[ \t]*:?-+:?[ \t]*\|[ \t]*$/gm, " ")
    .replace(/^[ \t]*\|.*\|[ \t]*$/gm, (row) => row.trim().slice(1, -1).split("|").map((cell) => cell.trim()).join(" · "))
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

/** A quoted phrase of a query: its words must appear adjacent and in order in one source (docs/search.md, "Phrases"). */
export interface Phrase {
  /** Its words as the index files them (folded), in order: each must be a term of the source. */
  words: string[];
  /** Its last word is still being typed (an unclosed quote at the end of the query): it matches as a prefix. */
  open: boolean;
}

export interface ParsedQuery {
  /** Words that must appear whole. */
  words: string[];
  /** The last word while it is being typed: it matches any term starting with it. */
  prefix: string | null;
  /** Quoted phrases of two words or more (a quoted single word is a whole word, in `words`). */
  phrases: Phrase[];
}

/** Straight and typographic double quotes (a phone's keyboard types “ and ”). */
const QUOTES = /["“”„]/;

const queryWords = (text: string) =>
  [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => foldWord(s.segment).slice(0, TERM_MAX)).filter(Boolean);

/**
 * A query's words, folded and de-duplicated (the last QUERY_WORDS_MAX). The last word is a prefix while it is being
 * typed: results follow the typing, so "presig" already finds "presigned"; the others must appear whole. A closing
 * quote ends the typing (`"signed url"`: url is whole). Text between double quotes is a phrase; a quote left open
 * runs to the end of the query (never an error), its last word still a prefix.
 */
export function parseQuery(query: string): ParsedQuery {
  const pieces = query.slice(0, 400).split(QUOTES);
  const endsClosed = pieces.length % 2 === 1 && pieces.length > 1 && queryWords(pieces.at(-1)!).length === 0;
  const all: string[] = [];
  const phrases: Phrase[] = [];
  pieces.forEach((piece, i) => {
    const words = queryWords(piece);
    all.push(...words);
    if (i % 2 === 1 && words.length > 1) phrases.push({ words, open: i === pieces.length - 1 });
  });
  const folded = [...new Set(all)].slice(-QUERY_WORDS_MAX);
  if (folded.length === 0) return { words: [], prefix: null, phrases: [] };
  const last = all.at(-1)!;
  const prefix = endsClosed ? null : last;
  const kept = new Set(folded);
  return {
    words: folded.filter((w) => w !== prefix),
    prefix: prefix !== null && kept.has(prefix) ? prefix : null,
    // A phrase that lost a word to the cap is dropped: its words are still looked up, each on its own.
    phrases: phrases.filter((p) => p.words.every((w) => kept.has(w))).map((p) => ({ ...p, open: p.open && prefix !== null })),
  };
}

/** True when a folded term matches the query (a whole word, or the typed prefix). */
export function matchesQuery(term: string, query: ParsedQuery): boolean {
  return query.words.includes(term) || (query.prefix !== null && term.startsWith(query.prefix));
}

/** A word of a text cut into the pieces the index files (identifiers split), with places, for phrase matching. */
interface Piece {
  term: string;
  start: number;
  end: number;
  /** Offset of the piece in the pieces' concatenation. */
  at: number;
  /** Nothing separates it from the piece before: a piece of one identifier, or a word ICU cut off in Chinese or Thai. */
  joined: boolean;
}

/** The pieces of one word (its offsets in the text from `base`), split as identifierPieces splits them. */
function piecesOf(word: string, base: number): Array<{ term: string; start: number; end: number }> {
  const out: Array<{ term: string; start: number; end: number }> = [];
  const split = /[_.-]|[a-z][A-Z]/.test(word);
  let from = 0;
  const flush = (to: number) => {
    const term = foldWord(word.slice(from, to));
    if (term) out.push({ term, start: base + from, end: base + to });
  };
  for (let i = 0; split && i < word.length; i++) {
    if (/[_.\-\s]/.test(word[i]!)) {
      flush(i);
      from = i + 1;
    } else if (i > 0 && /[a-z0-9]/.test(word[i - 1]!) && /[A-Z]/.test(word[i]!)) {
      flush(i);
      from = i;
    }
  }
  flush(word.length);
  return out;
}

/** Every piece of `text` in order, and their concatenation (phrase matching works on it). */
function textPieces(text: string): { pieces: Piece[]; joined: string; startAt: Map<number, number> } {
  const pieces: Piece[] = [];
  const startAt = new Map<number, number>();
  let at = 0;
  let lastEnd = -1;
  for (const segment of segmenter.segment(text)) {
    if (!segment.isWordLike) continue;
    piecesOf(segment.segment, segment.index).forEach((piece, i) => {
      startAt.set(at, pieces.length);
      pieces.push({ ...piece, at, joined: i > 0 || piece.start === lastEnd });
      at += piece.term.length;
      lastEnd = piece.end;
    });
  }
  return { pieces, joined: pieces.map((p) => p.term).join(""), startAt };
}

/**
 * Where `phrase` occurs in `text`: offsets from the first word's start to the last word's end (the whole word for a
 * prefix). Matching folds and segments as the index does: the words must be consecutive words of the text (spaces
 * and punctuation between them do not matter), and an identifier's pieces count as words, so `"signed url"` is found
 * in `getSignedUrl` and `presigned_url`, and a quoted `presigned_url` in `presignedUrl` but not in `presigned url`.
 */
export function phraseSpans(text: string, phrase: Phrase): Array<{ start: number; end: number }> {
  const { pieces, joined, startAt } = textPieces(text);
  const tokens = phrase.words.map((w) => piecesOf(w, 0).map((p) => p.term).join(""));
  const wanted = tokens.join("");
  const spans: Array<{ start: number; end: number }> = [];
  if (!wanted) return spans;
  for (let o = joined.indexOf(wanted); o !== -1; o = joined.indexOf(wanted, o + 1)) {
    const first = startAt.get(o);
    if (first === undefined) continue;
    let ok = true;
    let from = o;
    let next = first + 1;
    for (const [k, token] of tokens.entries()) {
      const to = from + token.length;
      const at = startAt.get(from);
      // Each word of the phrase starts a piece of the text...
      if (at === undefined) ok = false;
      // ...never runs over a space or a mark between two words of the text...
      for (next = (at ?? 0) + 1; ok && next < pieces.length && pieces[next]!.at < to; next++) if (!pieces[next]!.joined) ok = false;
      // ...and ends where a piece ends (the word being typed may end inside one).
      const typed = phrase.open && k === tokens.length - 1;
      if (ok && !typed && !startAt.has(to) && to !== joined.length) ok = false;
      if (!ok) break;
      from = to;
    }
    if (ok) spans.push({ start: pieces[first]!.start, end: pieces[next - 1]!.end });
  }
  return spans;
}

/** A piece of a snippet: `mark` pieces are the matched words. */
export interface SnippetPart {
  text: string;
  mark?: true;
}

/**
 * Characters of context before the first match: about half a line of the sidebar's row, which shows two lines of the
 * snippet. At 60 the match sat at the end of the second line, and a phrase's last words were cut by the row's clamp.
 */
const SNIPPET_LEAD = 28;
export const SNIPPET_CHARS = 200;

/** What a snippet marks in `text`, in order: each occurrence of a phrase whole, and the query's other words. */
export function matchedSpans(text: string, query: ParsedQuery): Array<{ start: number; end: number }> {
  const inPhrase = new Set(query.phrases.flatMap((p) => p.words));
  const loose: ParsedQuery = { words: query.words.filter((w) => !inPhrase.has(w)), prefix: query.prefix !== null && !inPhrase.has(query.prefix) ? query.prefix : null, phrases: [] };
  const phrased = query.phrases.flatMap((phrase) => phraseSpans(text, phrase));
  const words = wordSpans(text).filter((span) => matchesQuery(span.term, loose));
  const spans = [...phrased, ...words].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Array<{ start: number; end: number }> = [];
  for (const span of spans) if (span.start >= (out.at(-1)?.end ?? 0)) out.push({ start: span.start, end: span.end });
  return out;
}

/**
 * A short excerpt of `text` around its first match (a phrase's, when the query has one), with every match marked.
 * Whitespace is collapsed; a text with no match (it was beyond the stored snippet text) gives its beginning, unmarked.
 */
export function buildSnippet(text: string, query: ParsedQuery): SnippetPart[] {
  const flat = stripMarkup(text).replace(/\s+/g, " ").trim();
  const spans = matchedSpans(flat, query);
  const first = query.phrases.length > 0 ? (phraseSpans(flat, query.phrases[0]!)[0] ?? spans[0]) : spans[0];
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
