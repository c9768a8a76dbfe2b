/**
 * Math delimiters as models write them, made into what remark-math parses, before the Markdown parser sees the text:
 *
 * - `\(…\)` becomes `$…$` and `\[…\]` becomes `$$…$$` (remark-math knows only dollars; to Markdown `\(` is an
 *   escaped parenthesis, so the formula would show as `(x^2)` with its TeX).
 * - A single `$` that could not open or close a formula is escaped (`\$`): remark-math pairs any two single dollars,
 *   so "It costs $5 and $10." became the formula "5 and ". Pandoc's rule decides instead: a pair is math only when the
 *   opening `$` has no blank after it, the closing one no blank before it and no digit after it.
 *
 * Code is never touched: fenced blocks (any line that opens or closes a fence, with its quote or list prefix) and code
 * spans (a run of backticks up to the next run of the same length) are copied as they are, and so are indented code
 * blocks (INDENTED_CODE). `$$…$$` is copied as it is (its content is TeX). One pass over the text, each search resumed where the last one stopped: linear whatever the text.
 */
export function normalizeMathDelimiters(text: string): string {
  if (!text.includes("$") && !text.includes("\\(") && !text.includes("\\[")) return text;
  const out: string[] = [];
  let prose: string[] = [];
  let fence: { char: string; length: number } | null = null;
  // Whether the line before was blank, or indented code: what lets an indented line start (or go on with) code.
  let codeMayFollow = true;
  const flushProse = () => {
    if (prose.length) out.push(normalizeOutsideFences(prose.join("")));
    prose = [];
  };
  for (const line of text.split(/(?<=\n)/)) {
    const bare = line.replace(/\r?\n$/, "");
    const marker = FENCE.exec(bare);
    const run = marker?.[1] ?? "";
    const rest = marker?.[2] ?? "";
    if (fence) {
      out.push(line);
      if (run.startsWith(fence.char) && run.length >= fence.length && !rest.trim()) fence = null;
    } else if (run && !(run.startsWith("`") && rest.includes("`"))) {
      flushProse();
      out.push(line);
      fence = { char: run.charAt(0), length: run.length };
    } else if (codeMayFollow && INDENTED_CODE.test(bare)) {
      flushProse();
      out.push(line);
      continue;
    } else prose.push(line);
    codeMayFollow = !bare.trim();
  }
  flushProse();
  return out.join("");
}

/**
 * A line of an indented code block (`    $ npm install`), when it follows a blank line or another such line: indented
 * four columns, and not a nested list item (`    - $x$`). In a list item's later paragraph it is prose to the parser
 * and code here: left as written, the safe side.
 */
const INDENTED_CODE = /^(?: {4}|\t| {1,3}\t)(?![ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))/;

/** A fence line, after any quote markers, list markers and indentation (counting more lines as code is the safe side). */
const FENCE = /^(?:[ \t>]|[-*+][ \t]|\d{1,9}[.)][ \t])*(`{3,}|~{3,})(.*)$/;

/** Text with no fence in it: its code spans copied as they are, the rest normalised. */
function normalizeOutsideFences(text: string): string {
  const runs = [...text.matchAll(/`+/g)].map((m) => ({ at: m.index, length: m[0].length, closer: undefined as number | undefined }));
  // For each run, the next run of the same length (where its code span would close), found from the end in one pass.
  const lastOfLength = new Map<number, number>();
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r]!;
    run.closer = lastOfLength.get(run.length);
    lastOfLength.set(run.length, r);
  }
  const out: string[] = [];
  let from = 0;
  for (let r = 0; r < runs.length; r++) {
    const open = runs[r]!;
    const close = open.closer === undefined ? undefined : runs[open.closer];
    if (!close || open.at < from) continue;
    out.push(normalizeProse(text.slice(from, open.at)));
    const end = close.at + close.length;
    out.push(text.slice(open.at, end));
    from = end;
    r = open.closer!;
  }
  out.push(normalizeProse(text.slice(from)));
  return out.join("");
}

const isBlank = (c: string | undefined) => c === undefined || /\s/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** Text with no code in it. */
function normalizeProse(text: string): string {
  const next = resumableSearch(text);
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === "\\") {
      const opener = text[i + 1];
      if (opener === "(" || opener === "[") {
        const close = next(opener === "(" ? "\\)" : "\\]", i + 2);
        const inner = close === -1 ? "" : text.slice(i + 2, close);
        if (inner.trim()) {
          out.push(opener === "(" ? `$${inner.trim()}$` : `$$${inner}$$`);
          i = close + 2;
          continue;
        }
      }
      // Any other escape (`\$`, `\\`) stays one, whole.
      out.push(text.slice(i, i + 2));
      i += 2;
      continue;
    }
    if (c !== "$") {
      out.push(c);
      i++;
      continue;
    }
    if (text[i + 1] === "$") {
      // Display math, or `$$…$$` inline: copied to its closing `$$` (TeX inside), or the dollars alone if none.
      const close = next("$$", i + 2);
      const end = close === -1 ? i + 2 : close + 2;
      out.push(text.slice(i, end));
      i = end;
      continue;
    }
    const close = nextSingleDollar(text, next, i + 1);
    if (close !== -1 && !isBlank(text[i + 1]) && !isBlank(text[close - 1]) && !isDigit(text[close + 1])) {
      out.push(text.slice(i, close + 1));
      i = close + 1;
      continue;
    }
    out.push("\\$");
    i++;
  }
  return out.join("");
}

/** The next `$` at or after `from` that is alone (not part of `$$`) and not escaped, or -1. */
function nextSingleDollar(text: string, next: (needle: string, from: number) => number, from: number): number {
  for (let at = next("$", from); at !== -1; at = next("$", at + 1)) {
    if (text[at + 1] === "$") {
      at++;
      continue;
    }
    let slashes = 0;
    while (text[at - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * indexOf that remembers, per needle, its last search: a search from inside that one's range (at or after where it
 * started, before what it found) answers at once, and once a needle is not found after a place, no search from
 * later looks again. So `\(\(\(…` with no `\)` reads the text once, not once per opener.
 */
function resumableSearch(text: string): (needle: string, from: number) => number {
  const last = new Map<string, { from: number; at: number }>();
  return (needle, from) => {
    const kept = last.get(needle);
    if (kept && from >= kept.from && (kept.at === -1 || kept.at >= from)) return kept.at;
    const at = text.indexOf(needle, from);
    last.set(needle, { from, at });
    return at;
  };
}
