import { matchedSpans, parseQuery, type ParsedQuery } from "@/data/search-text";

/**
 * The words a search matched, marked inside the message the hit opened (docs/search.md, "What a user gets"), as the
 * browser's find-in-page would: the same words the snippet marks (search-text.ts cuts and folds them alike, so
 * `itera` marks "Iterate" and `cafe` marks "Café"), drawn with the CSS Custom Highlight API. Nothing is added to the
 * DOM React owns, so a re-render or a streamed update never fights the marks; a browser without the API only scrolls.
 * A quoted phrase is marked whole, across elements too (`signed <strong>URL</strong>`), as the snippet marks it.
 */
export const SEARCH_HIGHLIGHT = "threadbook-search";

/** Marks drawn at most: a long tool output full of one word needs only the first of them. */
const MARKS_MAX = 200;

/** Text that is not the message: screen-reader labels, the footer's buttons and times, decorations. */
const NOT_MESSAGE = '.sr-only, .message-footer, button, [aria-hidden="true"]';

/** Offsets in `text` of what `query` matches: its phrases whole, its other words. */
export function matchedWordSpans(text: string, query: ParsedQuery): Array<{ start: number; end: number }> {
  return matchedSpans(text, query);
}

const highlightsSupported = () => typeof CSS !== "undefined" && "highlights" in CSS && typeof Highlight !== "undefined";

/** Marks the words of `query` in `root`'s text and returns their ranges, first one first (none: nothing matched). */
export function markSearchWords(root: Element, query: string): Range[] {
  const parsed = parseQuery(query);
  if (parsed.prefix === null && parsed.words.length === 0) return [];
  const nodes: Text[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement?.closest(NOT_MESSAGE) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
  // The message's text as one string, so a phrase is found across elements; a line break between two text nodes
  // keeps the words of two blocks apart (and counts as a space inside a phrase, as any space does).
  const starts: number[] = [];
  let text = "";
  for (const node of nodes) {
    starts.push(text.length);
    text += `${node.nodeValue ?? ""}\n`;
  }
  /** The text node holding the character at `offset`, and the offset in it. */
  const place = (offset: number): [Text, number] => {
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > offset) i--;
    return [nodes[i]!, offset - starts[i]!];
  };
  const ranges = matchedWordSpans(text, parsed)
    .slice(0, MARKS_MAX)
    .map(({ start, end }) => {
      const range = document.createRange();
      range.setStart(...place(start));
      const [node, offset] = place(end - 1);
      range.setEnd(node, offset + 1);
      return range;
    });
  if (ranges.length > 0 && highlightsSupported()) CSS.highlights.set(SEARCH_HIGHLIGHT, new Highlight(...ranges));
  return ranges;
}

export function clearSearchWords(): void {
  if (highlightsSupported()) CSS.highlights.delete(SEARCH_HIGHLIGHT);
}

/** Where a hit's view should go: its first marked word, shown (a closed tool step opened), else null. */
export function firstMarkElement(ranges: Range[]): Element | null {
  const first = ranges[0];
  if (!first) return null;
  const element = first.startContainer.parentElement;
  const details = element?.closest("details");
  if (details && !details.open) details.open = true;
  return element;
}
