/** Display formats shared by the thread view: sizes, durations, file kinds. Pure. */
import { timestampMicros } from "@/data/timestamps";

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/** "128 B", "2.4 KB", "45 KB", "2.4 MB" (binary multiples, one decimal below 10). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.6 KB rounds to 1024: say 1 MB rather than "1024 KB".
  if (shown >= 1024 && unit < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[unit + 1]}`;
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/**
 * end − start: "850 ms", "1.5 s", "42 s", "2 min 5 s", "1 h 3 min"; null when either end is missing or unreadable or
 * they are reversed. Times of any precision and Chainlit's variants (timestamps.ts); "0 ms" below a millisecond.
 */
export function formatDuration(start: string | null | undefined, end: string | null | undefined): string | null {
  const from = timestampMicros(start);
  const to = timestampMicros(end);
  if (from === null || to === null || to < from) return null;
  const ms = (to - from) / 1000;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = Math.round(seconds - minutes * 60);
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes - hours * 60;
  return restMinutes ? `${hours} h ${restMinutes} min` : `${hours} h`;
}

/** A short, upper-case kind for a file chip: the extension ("CSV"), else the MIME subtype ("PNG"), else "FILE". */
export function fileKind(name: string | null | undefined, mime: string | null | undefined): string {
  const ext = name?.match(/\.([A-Za-z0-9]{1,8})$/)?.[1];
  if (ext) return ext.toUpperCase();
  const subtype = mime?.split(";")[0]?.split("/")[1]?.replace(/^x-/, "");
  if (subtype && subtype.length <= 12) return subtype.toUpperCase();
  return "FILE";
}

/**
 * If `text` is a JSON object or array, the same pretty-printed; otherwise null. Also null when printing it would make
 * it much longer than it is (prettyJsonGrowth): each line is indented by its depth, so deep nesting grows it with the
 * square of its length. 8 KB of `[[[…]]]` printed as 32 MB, on the server for every page showing the step (the share
 * page's HTML carried it whole) and again in each reader's browser (docs/security.md, "Tool steps' JSON").
 */
export function prettyJson(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  if (!(trimmed.startsWith("{") && trimmed.endsWith("}")) && !(trimmed.startsWith("[") && trimmed.endsWith("]"))) return null;
  if (prettyJsonGrowth(trimmed) > 16 * trimmed.length + 65_536) return null;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return null;
  }
}

/**
 * About how many characters pretty-printing adds to JSON `text` (a line break and its indentation after each opening
 * bracket and comma and before each closing one), counted in one pass without parsing; what strings hold is skipped.
 */
export function prettyJsonGrowth(text: string): number {
  let depth = 0;
  let added = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) added += 1 + 2 * ++depth; // [ {
    else if (c === 0x5d || c === 0x7d) added += 1 + 2 * Math.max(0, --depth); // ] }
    else if (c === 0x2c) added += 1 + 2 * depth; // ,
  }
  return added;
}

/** A Markdown fence longer than any backtick run inside `code`, so stored text can never close it early. */
export function fenced(code: string, language = ""): string {
  // A loop, not Math.max(...runs): spreading 150,000 runs overflowed the stack.
  let longest = 0;
  for (const match of code.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  const lang = /^[A-Za-z0-9_+-]{1,30}$/.test(language) ? language : "";
  return `${fence}${lang}\n${code}\n${fence}`;
}

/**
 * How a tool step's input or output is drawn: JSON as highlighted, pretty-printed code; text in the step's declared
 * language as a fenced code block of Markdown; anything else as plain text. One decision for the browser's view and
 * the server's pre-rendering of it (thread/markdown/prerender-steps.tsx).
 */
export function stepTextView(text: string, language: string | null | undefined): { kind: "json"; json: string } | { kind: "code"; markdown: string } | { kind: "text" } {
  const json = prettyJson(text);
  if (json !== null) return { kind: "json", json };
  if (language && language !== "json") return { kind: "code", markdown: fenced(text, language) };
  return { kind: "text" };
}

/** Text we can show as text (and the assistant can read inline): text/*, JSON, and a few source-like types. */
export function isTextLike(name: string | null | undefined, mime: string | null | undefined): boolean {
  const m = (mime ?? "").toLowerCase();
  if (m.startsWith("text/") || /\/(json|xml|yaml|x-yaml|javascript|x-sh|toml)\b/.test(m)) return true;
  return /\.(txt|md|csv|tsv|json|log|ya?ml|xml|toml|py|ts|js|sh)$/i.test(name ?? "");
}
