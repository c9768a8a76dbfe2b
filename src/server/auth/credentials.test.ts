import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DynamoDBDataLayer } from "@/data";
import { chainlitCreateUser, testTable, type TestTable } from "@/data/layer/test-fixtures";
import { checkCredentials } from "./credentials";
import { hashPassword } from "./password";

const PASSWORD = "correct horse battery";
let table: TestTable;
let data: DynamoDBDataLayer;

beforeAll(async () => {
  table = await testTable();
  data = table.layer();
});
afterAll(() => table.client.destroy());
afterEach(() => vi.useRealTimers());

/** Fresh identifiers and addresses per test: the limiters are per process and outlive a test. */
async function newUser(password: string | null = PASSWORD, identifier = `${randomUUID()}@example.com`) {
  await data.createUser({ identifier, displayName: "Test User" });
  if (password) await data.setUserPassword(identifier, await hashPassword(password));
  return identifier;
}
const address = () => `client-${randomUUID()}`;

describe("checkCredentials", () => {
  it("accepts the right password in any case of the identifier, and signs in as the identifier stored", async () => {
    const identifier = await newUser(PASSWORD, `Erin.Walsh-${randomUUID()}@Contoso.com`);
    const expected = { ok: true, user: { id: identifier, identifier, name: "Test User", sessionVersion: await data.getSessionVersion(identifier) } };
    for (const typed of [identifier, `  ${identifier.toUpperCase()} `, identifier.toLowerCase()]) {
      expect(await checkCredentials(data, { identifier: typed, password: PASSWORD }, address()), typed).toEqual(expected);
    }
  });

  it("still accepts the password after Chainlit's create_user rewrote the user item", async () => {
    const identifier = await newUser(PASSWORD, `Grace-${randomUUID()}@Example.com`);
    await chainlitCreateUser(table, identifier, { provider: { S: "credentials" } });
    expect(await checkCredentials(data, { identifier: identifier.toLowerCase(), password: PASSWORD }, address())).toMatchObject({
      ok: true,
      user: { id: identifier, name: "Test User" },
    });
    expect(await data.getUser(identifier)).toMatchObject({ displayName: "Test User", metadata: { provider: "credentials" } });
  });

  it("case changes do not buy more guesses", async () => {
    const identifier = await newUser();
    for (let i = 0; i < 10; i++) {
      const typed = i % 2 ? identifier.toUpperCase() : identifier;
      expect(await checkCredentials(data, { identifier: typed, password: `wrong-${i}` }, address())).toMatchObject({ reason: "invalid" });
    }
    expect(await checkCredentials(data, { identifier: identifier.toUpperCase(), password: PASSWORD }, address())).toMatchObject({ reason: "rate_limited" });
  });

  it("refuses a wrong password, an unknown user and a user with no password alike", async () => {
    const identifier = await newUser();
    const oauthOnly = await newUser(null);
    for (const input of [
      { identifier, password: "wrong password" },
      { identifier, password: PASSWORD.toUpperCase() },
      { identifier: `${randomUUID()}@example.com`, password: PASSWORD },
      { identifier: oauthOnly, password: PASSWORD },
    ]) {
      expect(await checkCredentials(data, input, address())).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("refuses malformed input", async () => {
    for (const input of [null, {}, { identifier: "a#b", password: PASSWORD }, { identifier: "x@example.com", password: "" }, { identifier: "x", password: "p".repeat(257) }]) {
      expect(await checkCredentials(data, input, address())).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("limits tries per identifier, from any address, even with the right password", async () => {
    const identifier = await newUser();
    for (let i = 0; i < 10; i++) expect(await checkCredentials(data, { identifier, password: `wrong-${i}` }, address())).toMatchObject({ reason: "invalid" });
    const limited = await checkCredentials(data, { identifier, password: PASSWORD }, address());
    expect(limited).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(limited.ok === false && limited.retryAfterSeconds).toBeGreaterThan(0);
    // Another user is not affected.
    const other = await newUser();
    expect(await checkCredentials(data, { identifier: other, password: PASSWORD }, address())).toMatchObject({ ok: true });
  });

  it("limits tries per address, across identifiers", async () => {
    const from = address();
    for (let i = 0; i < 30; i++) await checkCredentials(data, { identifier: `${randomUUID()}@example.com`, password: "guess" }, from);
    const identifier = await newUser();
    expect(await checkCredentials(data, { identifier, password: PASSWORD }, from)).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await checkCredentials(data, { identifier, password: PASSWORD }, address())).toMatchObject({ ok: true });
  });

  it("forgets an identifier's failures after a success, and all of them after the window", async () => {
    const identifier = await newUser();
    for (let i = 0; i < 9; i++) await checkCredentials(data, { identifier, password: "wrong" }, address());
    expect(await checkCredentials(data, { identifier, password: PASSWORD }, address())).toMatchObject({ ok: true });
    for (let i = 0; i < 10; i++) expect(await checkCredentials(data, { identifier, password: "wrong" }, address())).toMatchObject({ reason: "invalid" });
    expect(await checkCredentials(data, { identifier, password: PASSWORD }, address())).toMatchObject({ reason: "rate_limited" });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 15 * 60_000 + 1000 });
    expect(await checkCredentials(data, { identifier, password: PASSWORD }, address())).toMatchObject({ ok: true });
  });
});
