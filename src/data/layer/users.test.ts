import { beforeAll, describe, expect, it } from "vitest";
import { isDataError } from "../errors";
import { countOf, testTable, uid, type TestTable } from "./test-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

describe("users", () => {
  it("createUser writes the Chainlit user item in one request and never resets createdAt or metadata", async () => {
    let now = new Date("2026-01-01T00:00:00.000Z");
    const layer = table.layer({ clock: () => now });
    const identifier = uid("ada-");
    const first = await countOf(table, () => layer.createUser({ identifier, displayName: "Ada", metadata: { role: "admin" } }));
    expect(first.count).toBe(1);
    expect(first.result).toEqual({ id: identifier, identifier, displayName: "Ada", createdAt: "2026-01-01T00:00:00.000000Z", metadata: { role: "admin" } });

    now = new Date("2026-02-01T00:00:00.000Z");
    const again = await countOf(table, () => layer.createUser({ identifier, displayName: "Other", metadata: { role: "user" } }));
    expect(again.count).toBe(1);
    expect(again.result).toEqual(first.result);

    const raw = await table.raw(`USER#${identifier}`, "USER");
    expect(raw).toEqual({
      PK: { S: `USER#${identifier}` },
      SK: { S: "USER" },
      id: { S: identifier },
      identifier: { S: identifier },
      displayName: { S: "Ada" },
      createdAt: { S: "2026-01-01T00:00:00.000000Z" },
      metadata: { M: { role: { S: "admin" } } },
    });
  });

  it("getUser is one GetItem, null when absent, and reads a Chainlit user item", async () => {
    const layer = table.layer();
    expect(await layer.getUser(uid("nobody-"))).toBeNull();
    const identifier = uid("cl-");
    await table.putRaw({
      PK: { S: `USER#${identifier}` },
      SK: { S: "USER" },
      id: { S: identifier },
      identifier: { S: identifier },
      metadata: { M: { provider: { S: "github" } } },
      createdAt: { S: "2025-01-01T10:00:00.000000Z" },
    });
    const read = await countOf(table, () => layer.getUser(identifier));
    expect(read.count).toBe(1);
    expect(read.result).toEqual({ id: identifier, identifier, createdAt: "2025-01-01T10:00:00.000000Z", metadata: { provider: "github" } });
  });

  it("keeps the password hash on the user item, out of PersistedUser", async () => {
    const layer = table.layer();
    const identifier = uid("pw-");
    await expect(layer.setUserPassword(identifier, "hash")).rejects.toSatisfy((e) => isDataError(e, "not_found"));
    expect(await table.raw(`USER#${identifier}`, "USER")).toBeUndefined();
    expect(await layer.getUserPasswordHash(identifier)).toBeNull();

    await layer.createUser({ identifier });
    await layer.setUserPassword(identifier, "scrypt$abc");
    expect(await layer.getUserPasswordHash(identifier)).toBe("scrypt$abc");
    expect((await table.raw(`USER#${identifier}`, "USER"))?.passwordHash).toEqual({ S: "scrypt$abc" });
    expect(await layer.getUser(identifier)).not.toHaveProperty("passwordHash");
    expect(await layer.createUser({ identifier })).not.toHaveProperty("passwordHash");
    expect((await layer.listUsers()).find((u) => u.identifier === identifier)).not.toHaveProperty("passwordHash");
  });

  it("listUsers returns users only; deleteUser says whether one existed", async () => {
    const layer = table.layer();
    const a = uid("list-a-");
    const b = uid("list-b-");
    await layer.createUser({ identifier: a });
    await layer.createUser({ identifier: b });
    await layer.updateThread(uid("t-"), { userId: a, name: "not a user" });
    const listed = await layer.listUsers();
    expect(listed.map((u) => u.identifier)).toEqual(expect.arrayContaining([a, b]));
    expect(listed.every((u) => typeof u.createdAt === "string" && !("name" in u))).toBe(true);
    expect(await layer.deleteUser(a)).toBe(true);
    expect(await layer.deleteUser(a)).toBe(false);
    expect(await layer.getUser(a)).toBeNull();
  });

  it("rejects an invalid identifier as a validation error", async () => {
    await expect(table.layer().createUser({ identifier: "has#hash" })).rejects.toSatisfy((e) => isDataError(e, "validation"));
  });
});
