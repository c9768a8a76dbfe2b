/**
 * A thread's name as every place shows it (sidebar, search, pins, Shared links, the thread's header, the page title,
 * a share's link preview, an export's title and file name). Pure and without zod, so browser code may import it.
 *
 * Chainlit names a thread with its whole first message (docs/chainlit.md, "Threads: update_thread"): any length,
 * newlines, Markdown, or no name at all when the message was only a file (#2623). The stored name is left as it is
 * (it is Chainlit's, and Chainlit shows it); it is made one short line on the way out, so a list row never carries
 * kilobytes and a header never breaks over many lines. Names Threadbook writes are at most THREAD_NAME_MAX
 * characters and keep them, apart from whitespace.
 */

/** The longest name shown, in UTF-16 code units: THREAD_NAME_MAX (entities/thread.ts), so no name written here is cut. */
export const THREAD_NAME_SHOWN_MAX = 200;

/** A cut goes back to the last space only if that keeps at least this share of the room (a long word is cut inside). */
const WORD_CUT_MIN = 0.6;

/**
 * Markdown that means nothing in one line: code fences (with their language), and a heading's, quote's or list
 * item's marker at the start of a line. Inline marks (`**`, `` ` ``) stay: they are part of what was typed.
 */
function plainLines(name: string): string {
  return name.replace(/```[^\s`]*/g, " ").replace(/^[ \t]*(?:#{1,6}|>+|[-*+]|\d+[.)])[ \t]+/gm, "");
}

let graphemes: Intl.Segmenter | null | undefined;
function graphemeSegmenter(): Intl.Segmenter | null {
  if (graphemes === undefined) graphemes = typeof Intl !== "undefined" && "Segmenter" in Intl ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  return graphemes;
}

/** The longest prefix of `text` of at most `room` code units that ends between two graphemes (never half an emoji or a letter without its accent). */
function graphemePrefix(text: string, room: number): string {
  const segmenter = graphemeSegmenter();
  if (!segmenter) {
    const cut = text.slice(0, room);
    return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  }
  let end = 0;
  for (const { index, segment } of segmenter.segment(text)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/**
 * One line, whitespace collapsed, at most `max` code units: a longer name is cut between graphemes, at a word's end
 * when one is near enough, and ends in "…". Empty (or only whitespace and Markdown marks) is null: the caller shows
 * its fallback ("Untitled", in the reader's language).
 */
export function threadNameShown(name: string | null | undefined, max = THREAD_NAME_SHOWN_MAX): string | null {
  if (typeof name !== "string") return null;
  // A bound on the work too: a 400 KB name is only ever shown by its start.
  const bounded = name.length > max * 8;
  const line = plainLines(bounded ? name.slice(0, max * 8).replace(/[\uD800-\uDBFF]$/, "") : name)
    .replace(/\s+/gu, " ")
    .trim();
  if (!line) return null;
  if (line.length <= max && !bounded) return line;
  const cut = graphemePrefix(line, max - 1);
  // The cut already ends a word when a space follows it; else back to the last space, if that keeps enough.
  const space = line[cut.length] === " " ? cut.length : cut.lastIndexOf(" ");
  const words = space >= (max - 1) * WORD_CUT_MIN ? cut.slice(0, space) : cut;
  return `${words.trimEnd()}…`;
}
