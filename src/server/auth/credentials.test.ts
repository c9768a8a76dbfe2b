import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoDBDataLayer } from "@/data";
import { freshTable } from "../../../test/harness";
import { checkCredentials } from "./credentials";
import { hashPassword } from "./password";

const PASSWORD = "correct horse battery";
let data: DynamoDBDataLayer;
let destroy: () => void;

beforeAll(async () => {
  const { client, tableName } = await freshTable();
  data = new DynamoDBDataLayer({ tableName, client });
  destroy = () => client.destroy();
});
afterAll(() => destroy());
afterEach(() => vi.useRealTimers());

/** Fresh identifiers and addresses per test: the limiters are per process and outlive a test. */
async function newUser(password: string | null = PASSWORD) {
  const identifier = `${randomUUID()}@example.com`;
  await data.createUser({ identifier, displayName: "Test User" });
  if (password) await data.setUserPassword(identifier, await hashPassword(password));
  return identifier;
}
const address = () => `client-${randomUUID()}`;

describe("checkCredentials", () => {
  it("accepts the right password, whatever the case of the identifier", async () => {
    const identifier = await newUser();
    const expected = { ok: true, user: { id: identifier, identifier, name: "Test User" } };
    expect(await checkCredentials(data, { identifier, password: PASSWORD }, address())).toEqual(expected);
    expect(await checkCredentials(data, { identifier: `  ${identifier.toUpperCase()} `, password: PASSWORD }, address())).toEqual(expected);
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
    for (const input of [null, {}, { identifier: "a#FEEDBACK#1", password: PASSWORD }, { identifier: "x@example.com", password: "" }, { identifier: "x", password: "p".repeat(257) }]) {
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
