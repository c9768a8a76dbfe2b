/**
 * Step fields too large for one item. DynamoDB refuses items over 400 KB, and Chainlit wrote a long LLM output in
 * one PutItem, failing with "Item size has exceeded the maximum allowed size" (#1776) and losing the step. Here the
 * field is cut into PART items in the thread's partition (Chainlit's get_thread skips SKs it does not know), the step
 * keeps a preview plus `{field}Parts` = the number of parts, and reads join the parts back.
 *
 * The count is a top-level attribute per field, not a `parts` map: a nested `SET parts.output` fails when the map
 * does not exist yet, and a whole-map SET would erase the other field's count.
 */
import { type Item } from "../../dynamo/codec";
import { DataError } from "../../errors";
import { parseStepPartSk, stepPartSk, threadPk } from "../../keys";
import { type TableKey } from "../batch";

export const PART_FIELDS = ["input", "output"] as const;
export type PartField = (typeof PART_FIELDS)[number];
export const partsAttribute = (field: PartField) => `${field}Parts` as const;

/** Items are kept under this size (DynamoDB's hard limit is 400 KB; the rest is headroom for keys and feedback). */
const ITEM_BUDGET_BYTES = 350_000;
/** A part holds at most 100k UTF-16 units: ≤ 300 KB of UTF-8 even for non-Latin text. */
const PART_CHARS = 100_000;
/** What a Chainlit reader of the table sees in place of the whole field. */
const PREVIEW_CHARS = 10_000;

const estimateBytes = (fields: Item) => Buffer.byteLength(JSON.stringify(fields), "utf8") + 500;

/** Cuts at `at`, moved back one unit so a surrogate pair is never split (a lone surrogate is not valid UTF-8). */
function cutPoint(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

function splitText(text: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = cutPoint(text, start + PART_CHARS);
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

export interface StepWritePlan {
  /** The fields to SET on the step item, large ones replaced by previews. */
  fields: Item;
  /** Part counts of the fields that were split. */
  counts: Partial<Record<PartField, number>>;
  /** PART items to write before the step item points at them. */
  parts: Item[];
}

/** Splits the largest of input/output until the step fits; `too_large` if it still does not (e.g. huge metadata). */
export function planStepWrite(threadId: string, stepId: string, fields: Item): StepWritePlan {
  const plan: StepWritePlan = { fields: { ...fields }, counts: {}, parts: [] };
  const bySize = PART_FIELDS.filter((f) => typeof fields[f] === "string").sort(
    (a, b) => (fields[b] as string).length - (fields[a] as string).length,
  );
  for (const field of bySize) {
    if (estimateBytes(plan.fields) <= ITEM_BUDGET_BYTES) break;
    const text = fields[field] as string;
    if (text.length <= PREVIEW_CHARS) continue;
    const chunks = splitText(text);
    plan.parts.push(...chunks.map((chunk, i) => ({ PK: threadPk(threadId), SK: stepPartSk(stepId, field, i), text: chunk })));
    plan.fields[field] = text.slice(0, cutPoint(text, PREVIEW_CHARS));
    plan.counts[field] = chunks.length;
  }
  if (estimateBytes(plan.fields) > ITEM_BUDGET_BYTES) {
    throw new DataError("too_large", `step ${stepId} is too large to store even with its input and output split`);
  }
  return plan;
}

/** Parts a previous, longer write left behind: indices from the new count up to the old one. */
export function staleParts(threadId: string, stepId: string, field: PartField, oldCount: unknown, newCount = 0): TableKey[] {
  const old = typeof oldCount === "number" ? oldCount : 0;
  return Array.from({ length: Math.max(0, old - newCount) }, (_, i) => ({ PK: threadPk(threadId), SK: stepPartSk(stepId, field, newCount + i) }));
}

/** Groups PART items: stepId → field → texts by index. */
export type PartsByStep = Map<string, Map<string, string[]>>;

export function collectPart(parts: PartsByStep, item: Item): void {
  const parsed = parseStepPartSk(String(item.SK));
  if (!parsed || typeof item.text !== "string") return;
  const fields = parts.get(parsed.stepId) ?? new Map<string, string[]>();
  parts.set(parsed.stepId, fields);
  const texts = fields.get(parsed.field) ?? [];
  fields.set(parsed.field, texts);
  texts[parsed.index] = item.text;
}

/**
 * Puts the whole text back into a raw step item. Only the first `{field}Parts` parts count (stale higher ones may
 * survive an interrupted write); if one is missing the preview stays and `false` is returned so the caller can log.
 *
 * The parts count only while the field still holds their preview (the text's start, as planStepWrite left it).
 * Chainlit's update_step SETs a field whole and knows nothing of the count (a message edited in a Chainlit session
 * on the thread): the field is then its text, and the parts are what it replaced; joined, they showed the old text.
 */
export function reassembleStep(item: Item, stepId: string, parts: PartsByStep): boolean {
  let complete = true;
  for (const field of PART_FIELDS) {
    const count = item[partsAttribute(field)];
    if (typeof count !== "number" || count <= 0) continue;
    // More parts counted than were read (an interrupted write; or a count another writer stored, say 10^9): the
    // preview stays, and nothing the size of the count is ever made.
    if (count > (parts.get(stepId)?.get(field)?.length ?? 0)) {
      complete = false;
      continue;
    }
    // Array.from makes the list dense: a missing part is an undefined entry, not a hole `every` would skip.
    const texts = Array.from({ length: count }, (_, i) => parts.get(stepId)?.get(field)?.[i]);
    if (!texts.every((t) => typeof t === "string")) {
      complete = false;
      continue;
    }
    const whole = texts.join("");
    const preview = item[field];
    if (typeof preview === "string" && whole.startsWith(preview)) item[field] = whole;
  }
  return complete;
}
