/**
 * JS → DynamoDB's JSON wire form for the direct sender (dynamo/dynamo-direct.ts): the document client's marshalling policy
 * (`removeUndefinedValues`, `convertClassInstanceToMap`, dynamo/codec.ts) producing what goes on the wire in one pass, so
 * the SDK's marshall and its protocol serializer (a second walk of the same tree) are skipped. Binary goes as
 * base64, as the protocol wants. Anything the policy rejects is rejected with the util's own words.
 */
import { NumberValue } from "@aws-sdk/lib-dynamodb";

export type WireValue = Record<string, unknown>;

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function base64(value: ArrayBufferView | ArrayBuffer): string {
  const bytes = value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return bytes.toString("base64");
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Special numeric value ${value} is not allowed`);
  if (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) {
    throw new Error(`Number ${value} is outside the safe integer range. Use NumberValue from @aws-sdk/lib-dynamodb.`);
  }
  return String(value);
}

function setValue(set: Set<unknown>): WireValue {
  const members = [...set].filter((m) => m !== undefined);
  if (members.length === 0) throw new Error("Pass a non-empty set, or options.convertEmptyValues=true.");
  const first = members[0];
  if (typeof first === "string") return { SS: members.map(String) };
  if (typeof first === "number") return { NS: members.map((m) => numberText(m as number)) };
  if (typeof first === "bigint" || first instanceof NumberValue) return { NS: members.map(String) };
  if (typeof first === "object" && first !== null && isBinary(first)) return { BS: members.map((m) => base64(m as Uint8Array)) };
  throw new Error("Only Number Set (NS), Binary Set (BS) or String Set (SS) are allowed.");
}

/** The attributes of a map (a record or a Map), undefined members and functions left out. */
export function toWireMap(record: Record<string, unknown> | Map<string, unknown>): Record<string, WireValue> {
  const out: Record<string, WireValue> = {};
  if (record instanceof Map) {
    for (const [key, value] of record) if (value !== undefined && typeof value !== "function") out[key] = toWireValue(value);
  } else {
    for (const key in record) {
      const value = record[key];
      if (value !== undefined && typeof value !== "function") out[key] = toWireValue(value);
    }
  }
  return out;
}

export function toWireValue(value: unknown): WireValue {
  switch (typeof value) {
    case "string":
      return { S: value };
    case "number":
      return { N: numberText(value) };
    case "boolean":
      return { BOOL: value };
    case "bigint":
      return { N: value.toString() };
    case "object": {
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) return { L: value.filter((v) => v !== undefined && typeof v !== "function").map(toWireValue) };
      if (value instanceof Set) return setValue(value);
      if (value instanceof Map) return { M: toWireMap(value) };
      if (value instanceof NumberValue) return { N: value.toString() };
      if (isBinary(value)) return { B: base64(value) };
      if (value instanceof String) return { S: value.toString() };
      if (value instanceof Number) return { N: numberText(value.valueOf()) };
      if (value instanceof Boolean) return { BOOL: value.valueOf() };
      // Plain objects and (convertClassInstanceToMap) class instances alike: their enumerable properties.
      return { M: toWireMap(value as Record<string, unknown>) };
    }
    default:
      throw new Error(`Unsupported type passed: ${String(value)}.`);
  }
}
