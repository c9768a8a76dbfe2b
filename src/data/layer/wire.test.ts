/** The pieces between the layer and the wire: the number policy, cursors, and the error edge. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeItem, wrapNumber } from "../dynamo/codec";
import { decodeCursor, encodeCursor, filterKind } from "../cursor";
import { isDataError } from "../errors";
import { DynamoDBDataLayer } from "./data-layer";
import { toDataError } from "./edge";
import { buildUpdateExpression, ExpressionBuilder } from "./update-expression";
import { quietLogger } from "../../../test/data-fixtures";

describe("wrapNumber", () => {
  it("keeps integers integers and floats floats; an unsafe integer becomes a bigint", () => {
    expect(wrapNumber("1")).toBe(1);
    expect(wrapNumber("-3")).toBe(-3);
    expect(wrapNumber("1.5")).toBe(1.5);
    expect(wrapNumber("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(wrapNumber("12345678901234567890123")).toBe(12345678901234567890123n);
  });
});

describe("decodeItem", () => {
  it("drops keys, internal and unknown attributes; fills ids from the keys", () => {
    const schema = z.object({ id: z.string(), name: z.string().nullable().optional() });
    const item = { PK: "THREAD#t", SK: "THREAD", UserThreadPK: "USER#u", passwordHash: "h", name: null, surprise: 1 };
    expect(decodeItem(schema, item, { id: "t" })).toEqual({ id: "t", name: null });
  });
});

describe("cursor", () => {
  const key = { PK: "THREAD#t", SK: "THREAD", UserThreadPK: "USER#u", UserThreadSK: "TS#2026" };
  const expected = { userId: "u", filter: filterKind({}), indexPk: "USER#u" };

  it("round-trips and binds user and filter", () => {
    const cursor = encodeCursor("s", { u: "u", f: expected.filter, k: key });
    expect(decodeCursor("s", cursor, expected)).toEqual(key);
    expect(() => decodeCursor("s", cursor, { ...expected, filter: filterKind({ search: "x" }) })).toThrow(/filter/);
    expect(() => decodeCursor("s", cursor, { ...expected, userId: "v" })).toThrow(/user/);
  });

  it("rejects a signed payload of the wrong shape, or a key outside the caller's partition", () => {
    const wrongShape = encodeCursor("s", { u: "u", f: expected.filter, k: { ...key, PK: "" } });
    expect(() => decodeCursor("s", wrongShape, expected)).toThrow(/shape/);
    const foreignKey = encodeCursor("s", { u: "u", f: expected.filter, k: { ...key, UserThreadPK: "USER#v" } });
    expect(() => decodeCursor("s", foreignKey, expected)).toThrow(/user/);
  });

  it("names search filters by a hash, case-insensitively", () => {
    expect(filterKind({ search: "Tax" })).toBe(filterKind({ search: "tax" }));
    expect(filterKind({ search: "tax", feedback: 1 })).toMatch(/^feedback:1\+search:[\w-]{16}$/);
    expect(filterKind({ search: "secret words" })).not.toContain("secret");
  });
});

describe("buildUpdateExpression", () => {
  it("spells every action with placeholders, and nothing for an empty spec", () => {
    const expr = new ExpressionBuilder();
    const text = buildUpdateExpression(
      { set: [["name", "n"], [["metadata", "a.b"], 1]], setIfNotExists: [["createdAt", "t"]], remove: [["metadata", "x"]], add: [["s", new Set(["a"])]], delete: [["d", new Set(["b"])]] },
      expr,
    );
    expect(text).toBe("SET #n0 = :v0, #n1.#n2 = :v1, #n3 = if_not_exists(#n3, :v2) REMOVE #n1.#n4 ADD #n5 :v3 DELETE #n6 :v4");
    expect(expr.names).toMatchObject({ "#n1": "metadata", "#n2": "a.b" });
    expect(buildUpdateExpression({}, new ExpressionBuilder())).toBeNull();
    expect(new ExpressionBuilder().attributes()).toEqual({});
  });
});

describe("the error edge", () => {
  it("turns a refused connection into DataError unavailable, keeping the cause", async () => {
    const client = new DynamoDBClient({ endpoint: "http://127.0.0.1:9", region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const layer = new DynamoDBDataLayer({ tableName: "none", client, logger: quietLogger });
    const error = await layer.getUser("someone").catch((e: unknown) => e);
    expect(isDataError(error, "unavailable")).toBe(true);
    expect((error as Error).cause).toBeDefined();
    client.destroy();
  });

  it("maps SDK and zod failures to codes and leaves bugs alone", () => {
    expect(toDataError({ name: "ConditionalCheckFailedException" }, "op")).toSatisfy((e) => isDataError(e, "conflict"));
    expect(toDataError({ name: "ValidationException", message: "Item size has exceeded the maximum allowed size" }, "op")).toSatisfy((e) => isDataError(e, "too_large"));
    expect(toDataError({ name: "ProvisionedThroughputExceededException" }, "op")).toSatisfy((e) => isDataError(e, "unavailable"));
    expect(toDataError(z.string().safeParse(1).error, "op")).toSatisfy((e) => isDataError(e, "validation"));
    const bug = new TypeError("x is undefined");
    expect(toDataError(bug, "op")).toBe(bug);
  });

  it("does not destroy a client it was given; destroys its own", async () => {
    const client = new DynamoDBClient({ endpoint: "http://127.0.0.1:9", region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    let destroyed = 0;
    client.destroy = () => void destroyed++;
    await new DynamoDBDataLayer({ tableName: "t", client }).close();
    expect(destroyed).toBe(0);
    await new DynamoDBDataLayer({ tableName: "t", region: "us-east-1", endpoint: "http://127.0.0.1:9" }).close();
  });
});
