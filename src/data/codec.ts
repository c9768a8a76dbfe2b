/**
 * How items cross the wire: one marshalling policy for writes, one schema pass for reads (style.md §3).
 */
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type z } from "zod";
import { KEY_ATTRIBUTES } from "./keys";

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

/**
 * `removeUndefinedValues`: optional fields left undefined are not written (null is written as NULL, as Chainlit
 * does for None). `convertClassInstanceToMap`: app code may put class instances in metadata; they are stored as maps
 * rather than failing the write.
 */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    unmarshallOptions: { wrapNumbers: wrapNumber },
  });
}

export type Item = Record<string, unknown>;

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
  return schema.parse({ ...defaults, ...stripInternal(item) });
}

/** As decodeItem, but null when the item does not fit the schema (one bad row must not sink a whole thread). */
export function tryDecodeItem<S extends z.ZodType>(schema: S, item: Item, defaults: Item = {}): z.infer<S> | null {
  const result = schema.safeParse({ ...defaults, ...stripInternal(item) });
  return result.success ? result.data : null;
}

/** Drops undefined values so a `{ ...input }` spread never turns into a `SET x = :undefined` clause. */
export function definedEntries(record: Item): Array<[string, unknown]> {
  return Object.entries(record).filter(([, value]) => value !== undefined);
}
