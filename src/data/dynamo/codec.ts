/**
 * How items cross the wire: one marshalling policy for writes, one schema pass for reads (docs/conventions.md, "Items on the wire").
 */
import { type AttributeValue } from "@aws-sdk/client-dynamodb";
import { type z } from "zod";
import { KEY_ATTRIBUTES } from "../keys";

/**
 * The one number policy. Chainlit reads every N back as a float (`page` 3 → 3.0, feedback 1 → 1.0); here a safe
 * value becomes a JS number, so integers stay integers. An integer past 2^53 becomes a bigint rather than a silently
 * rounded number: `z.number()` then rejects it loudly instead of the layer returning a wrong id or count.
 */
export function wrapNumber(value: string): number | bigint {
  const n = Number(value);
  if (Number.isSafeInteger(n) || !/^-?\d+$/.test(value)) return n;
  return BigInt(value);
}

export type Item = Record<string, unknown>;

/** An attribute value as the JSON protocol carries it: the SDK's shape, binary as base64 text. */
type WireAttributeValue = Omit<AttributeValue, "B" | "BS" | "M" | "L"> & { B?: string; BS?: string[]; M?: Record<string, WireAttributeValue>; L?: WireAttributeValue[] };

/**
 * Wire → JS for the hot read path (a thread's partition: thousands of steps per getThread). The same policy as the
 * document client's unmarshall (numbers through wrapNumber, sets as Sets, NULL as null) at a fraction of its cost,
 * which was a tenth of getThread's time on a 2,000-step thread.
 */
export function fromAttributeValue(value: AttributeValue | WireAttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return wrapNumber(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return unmarshallItem(value.M);
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(wrapNumber));
  if (value.B !== undefined) return binary(value.B);
  if (value.BS !== undefined) return new Set(value.BS.map(binary));
  return undefined;
}

/** The SDK hands binary over decoded; the direct sender (dynamo/dynamo-direct.ts) hands over the wire's base64. */
function binary(value: Uint8Array | string): Uint8Array {
  if (typeof value !== "string") return value;
  const bytes = Buffer.from(value, "base64");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function unmarshallItem(item: Record<string, AttributeValue | WireAttributeValue>): Item {
  const out: Item = {};
  for (const key in item) out[key] = fromAttributeValue(item[key]!);
  return out;
}

/**
 * Attributes that exist for the table, not for callers: the keys, the auth hash on user items, the part counts of
 * split step fields. They never reach the API (Chainlit returned PK/SK and the GSI keys inside its ThreadDict).
 */
export const INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set([...KEY_ATTRIBUTES, "passwordHash", "inputParts", "outputParts"]);

export function stripInternal(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !INTERNAL_ATTRIBUTES.has(key)));
}

/**
 * Reads an item through its entity schema. `defaults` fill what the keys imply (a Chainlit phantom step has no `id`,
 * only its SK); the item's own values win. Unknown attributes are dropped by the (non-loose) object schemas.
 */
export function decodeItem<S extends z.ZodType>(schema: S, item: Item, defaults: Item = {}): z.infer<S> {
  return schema.parse(withDefaults(item, defaults));
}

/**
 * The item with what its key says put over its own attributes. The key is the truth: an `id` or `threadId` attribute
 * that disagrees with the PK/SK (a hostile writer, a bug in another app on the table) must never make an operation
 * address a different item, and callers address items by the ids a read hands them.
 */
export function keyed(item: Item, fromKey: Item): Item {
  return { ...item, ...fromKey };
}

/**
 * As decodeItem, but an attribute that does not fit the schema is left out (read as absent, or as its default) instead
 * of failing the item: another writer on the table (Chainlit's update_thread SETs `metadata`, `name`, `tags` to whatever
 * its caller passed; boto3 stores sets, binary, numbers) must never make a thread, a step or a user unreadable. Returns
 * the names of the attributes left out beside the value; null when the item does not fit even without them (an id from
 * its key that is not one). No attribute value is ever part of the answer's `dropped`, so it can be logged as it is.
 */
export function salvageItem<S extends z.ZodType>(schema: S, item: Item, defaults: Item = {}): { value: z.infer<S>; dropped: string[] } | null {
  let candidate = withDefaults(item, defaults);
  const dropped: string[] = [];
  // Each round drops every top-level attribute zod named; a default that does not fit either ends it (null).
  for (let round = 0; round < 3; round++) {
    const result = schema.safeParse(candidate);
    if (result.success) return { value: result.data, dropped };
    const misfits = new Set<string>();
    for (const issue of result.error.issues) {
      const attribute = issue.path[0];
      if (typeof attribute === "string" && candidate[attribute] !== undefined && !dropped.includes(attribute)) misfits.add(attribute);
    }
    if (misfits.size === 0) return null;
    const rest: Item = { ...candidate };
    for (const attribute of misfits) delete rest[attribute];
    dropped.push(...misfits);
    candidate = withDefaults(rest, defaults);
  }
  return null;
}

/**
 * The entity schemas are plain (non-loose) objects, so parsing already drops every attribute they do not name, the
 * internal ones included; only the defaults need merging, without copying the item when there are none to fill.
 */
function withDefaults(item: Item, defaults: Item): Item {
  for (const key in defaults) if (item[key] === undefined || item[key] === null) return { ...defaults, ...stripNullDefaults(item, defaults) };
  return item;
}

/** An item's own null for a defaulted key (a Chainlit NULL id) must not beat the default. */
function stripNullDefaults(item: Item, defaults: Item): Item {
  const out: Item = { ...item };
  for (const key in defaults) if (out[key] === null) delete out[key];
  return out;
}

/**
 * About what an item weighs on the wire, in bytes: its names and strings in UTF-8, numbers by their digits, binary by
 * length, nested values summed (DynamoDB's own item size counts the same way). What a read has cost, for reads that
 * are bounded in bytes.
 */
export function itemBytes(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "bigint") return String(value).length;
  if (typeof value === "boolean" || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  let total = 3;
  if (value instanceof Set || Array.isArray(value)) for (const entry of value) total += itemBytes(entry) + 1;
  else for (const [key, entry] of Object.entries(value as object)) total += Buffer.byteLength(key) + itemBytes(entry);
  return total;
}

/** Drops undefined values so a `{ ...input }` spread never turns into a `SET x = :undefined` clause. */
export function definedEntries(record: Item): Array<[string, unknown]> {
  return Object.entries(record).filter(([, value]) => value !== undefined);
}
