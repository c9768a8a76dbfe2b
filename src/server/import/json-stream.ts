/**
 * Reads a JSON document as a stream of its top-level items, never holding more than one item: a 1 GB
 * conversations.json is a top-level array of conversations, each parsed on its own. The scanner counts nesting as the
 * bytes go by, so a document nested 100,000 deep is refused after `maxDepth` levels, before anything is parsed, and an
 * item over `maxItemBytes` is skipped (with its reason) without being kept.
 *
 * A top-level object (a single-thread export) is one item. Structure errors inside an item are left to JSON.parse;
 * only the top level is checked here.
 */
import type { ImportProblem } from "@/lib/shared/import-problem";
import { ImportError } from "./import-limits";

export interface JsonStreamLimits {
  maxDepth: number;
  maxItemBytes: number;
  maxTotalBytes: number;
  /** Only count the items (a progress total): nothing is kept or parsed, every item's value is null. */
  countOnly?: boolean;
}

export type JsonItem = { index: number; topLevel: "array" | "object" } & ({ value: unknown } | { error: ImportProblem });

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isBom = (b: number) => b === 0xef || b === 0xbb || b === 0xbf;
const MB = 1024 * 1024;

export async function* streamJsonItems(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, limits: JsonStreamLimits): AsyncGenerator<JsonItem> {
  let mode: "start" | "array" | "object" | "end" = "start";
  let depth = 0;
  let inString = false;
  let escape = false;
  let total = 0;
  let index = 0;
  // The item being read: its chunks, size, and whether it outgrew the limit (then it is only scanned, not kept).
  let capturing = false;
  let scalar = false;
  let chunks: Buffer[] = [];
  let size = 0;
  let oversize = false;

  const finish = (topLevel: "array" | "object"): JsonItem => {
    const item: JsonItem = limits.countOnly
      ? { index, topLevel, value: null }
      : oversize
      ? { index, topLevel, error: { code: "item-over", limitMb: Math.round(limits.maxItemBytes / MB) } }
      : parseItem(Buffer.concat(chunks, size), index, topLevel);
    capturing = false;
    chunks = [];
    size = 0;
    oversize = false;
    index++;
    return item;
  };

  for await (const raw of source) {
    const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    total += chunk.length;
    if (total > limits.maxTotalBytes) throw new ImportError({ code: "json-total", limitMb: Math.round(limits.maxTotalBytes / MB) });
    let from = capturing ? 0 : -1;
    const keep = (end: number) => {
      if (from < 0 || limits.countOnly) return;
      size += end - from;
      if (size > limits.maxItemBytes) {
        if (mode === "object") throw new ImportError({ code: "json-document", limitMb: Math.round(limits.maxItemBytes / MB) });
        oversize = true;
        chunks = [];
      } else if (!oversize) chunks.push(chunk.subarray(from, end));
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escape) escape = false;
        else if (b === BACKSLASH) escape = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (mode === "start") {
        if (isSpace(b) || isBom(b)) continue;
        if (b === OPEN_ARRAY) {
          mode = "array";
          depth = 1;
          continue;
        }
        if (b !== OPEN_OBJECT) throw new ImportError({ code: "not-json" });
        mode = "object";
        capturing = true;
        from = i;
      } else if (mode === "end") {
        if (isSpace(b)) continue;
        throw new ImportError({ code: "json-trailing" });
      }
      if (mode === "array" && depth === 1 && !capturing) {
        if (isSpace(b) || b === COMMA) {
          if (scalar && b === COMMA) scalar = false;
          continue;
        }
        if (b === CLOSE_ARRAY) {
          depth = 0;
          mode = "end";
          scalar = false;
          continue;
        }
        if (b !== OPEN_OBJECT && b !== OPEN_ARRAY) {
          if (!scalar) {
            scalar = true;
            yield { index: index++, topLevel: "array", error: { code: "not-object" } };
          }
          if (b === QUOTE) inString = true;
          continue;
        }
        capturing = true;
        from = i;
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (++depth > limits.maxDepth) throw new ImportError({ code: "json-deep", limit: limits.maxDepth });
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (capturing && depth === (mode === "array" ? 1 : 0)) {
          keep(i + 1);
          from = -1;
          const topLevel = mode === "object" ? "object" : "array";
          if (mode === "object") mode = "end";
          yield finish(topLevel);
        }
      }
    }
    if (capturing) keep(chunk.length);
  }
  if (mode !== "end") throw new ImportError({ code: "json-cut-off" });
}

function parseItem(bytes: Buffer, index: number, topLevel: "array" | "object"): JsonItem {
  try {
    return { index, topLevel, value: JSON.parse(bytes.toString("utf8")) };
  } catch {
    // Not the parser's message: it quotes the input.
    return { index, topLevel, error: { code: "invalid-json" } };
  }
}
