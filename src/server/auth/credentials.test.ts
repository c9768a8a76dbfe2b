import { randomUUID } from "node:crypto";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoDBDataLayer } from "@/data";
import { chainlitCreateUser, testTable, type TestTable } from "../../../test/data-fixtures";
import { dynamoClient } from "../../../test/harness";
import { checkCredentials } from "./credentials";
import { hashPassword } from "./password";
import { en } from "@/lib/shared/i18n/en";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { SIGN_IN_LIMITS } from "./rate-limit";

const PASSWORD = "correct horse battery";
/** Two app instances: each its own DynamoDB client and data layer, on one table. */
let one: DynamoDBDataLayer;
let two: DynamoDBDataLayer;
let table: TestTable;
let destroy: () => void;

beforeAll(async () => {
  table = await testTable();
  const other = dynamoClient();
  one = table.layer();
  two = new DynamoDBDataLayer({ tableName: table.tableName, client: other });
  destroy = () => {
    table.client.destroy();
    other.destroy();
  };
});
afterAll(() => destroy());
afterEach(() => vi.useRealTimers());

/** Fresh identifiers and addresses per test: the counters live in the shared table. */
async function newUser(password: string | null = PASSWORD, identifier = `${randomUUID()}@example.com`) {
  await one.createUser({ identifier, displayName: "Test User" });
  if (password) await one.setUserPassword(identifier, await hashPassword(password));
  return identifier;
}
let nextAddress = 1;
/** A distinct IPv4 address per call (the server hands checkCredentials normalised addresses). */
const address = () => {
  const n = nextAddress++;
  return `198.51.${(n >> 8) & 255}.${n & 255}`;
};
const instance = (i: number) => (i % 2 === 0 ? one : two);

describe("checkCredentials", () => {
  it("accepts the right password in any case of the identifier, and signs in as the identifier stored", async () => {
    const identifier = await newUser(PASSWORD, `Erin.Walsh-${randomUUID()}@Contoso.com`);
    const expected = { ok: true, user: { id: identifier, identifier, name: "Test User", sessionVersion: await one.getSessionVersion(identifier) } };
    for (const [i, typed] of [identifier, `  ${identifier.toUpperCase()} `, identifier.toLowerCase()].entries()) {
      expect(await checkCredentials(instance(i), { identifier: typed, password: PASSWORD }, address()), typed).toEqual(expected);
    }
  });

  it("still accepts the password after Chainlit's create_user rewrote the user item", async () => {
    const identifier = await newUser(PASSWORD, `Grace-${randomUUID()}@Example.com`);
    await chainlitCreateUser(table, identifier, { provider: { S: "credentials" } });
    expect(await checkCredentials(one, { identifier: identifier.toLowerCase(), password: PASSWORD }, address())).toMatchObject({
      ok: true,
      user: { id: identifier, name: "Test User" },
    });
    expect(await one.getUser(identifier)).toMatchObject({ displayName: "Test User", metadata: { provider: "credentials" } });
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
      expect(await checkCredentials(one, input, address())).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("refuses malformed input", async () => {
    for (const input of [null, {}, { identifier: "a#FEEDBACK#1", password: PASSWORD }, { identifier: "x@example.com", password: "" }, { identifier: "x", password: "p".repeat(257) }]) {
      expect(await checkCredentials(one, input, address())).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("spends two round trips on a right password: count the attempt beside the user read, then forgive it", async () => {
    const identifier = await newUser();
    const from = address();
    table.requests.reset();
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, from)).toMatchObject({ ok: true });
    // Three counter ADDs beside one BatchGet of the user's USER, AUTH and alias items; then the pair and identifier
    // counters deleted and the address's hit taken back.
    expect(Object.fromEntries(table.requests.byOperation)).toEqual({ UpdateItemCommand: 4, BatchGetItemCommand: 1, DeleteItemCommand: 2 });
    expect((await one.getRateCounters([`address\n${from}`])).get(`address\n${from}`)?.count).toBe(0);
  });
});

describe("sign-in limits shared by two instances on one table (hostile)", () => {
  it("limits wrong passwords per identifier and address, counted across instances", async () => {
    const identifier = await newUser();
    const attacker = address();
    for (let i = 0; i < SIGN_IN_LIMITS.pairLimit; i++) {
      expect(await checkCredentials(instance(i), { identifier, password: `wrong-${i}` }, attacker)).toMatchObject({ reason: "invalid" });
    }
    for (const layer of [one, two]) {
      const limited = await checkCredentials(layer, { identifier, password: PASSWORD }, attacker);
      expect(limited).toMatchObject({ ok: false, reason: "rate_limited" });
      expect(limited.ok === false && limited.retryAfterSeconds).toBeGreaterThan(0);
    }
    // The counter is an item of the table with the TTL attribute, not process memory; no email or address in its key.
    const out = await table.client.send(new ScanCommand({ TableName: table.tableName, FilterExpression: "begins_with(PK, :p)", ExpressionAttributeValues: { ":p": { S: "RATE#" } } }));
    expect(out.Items!.length).toBeGreaterThan(0);
    for (const item of out.Items!) {
      expect(item.SK).toEqual({ S: "RATE" });
      expect(Number(item.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
      expect(item.PK!.S).not.toContain(identifier);
      expect(item.PK!.S).not.toContain(attacker);
    }
  });

  it("counts an identifier in any case as one: changing the case does not buy more guesses", async () => {
    const identifier = await newUser();
    const attacker = address();
    for (let i = 0; i < SIGN_IN_LIMITS.pairLimit; i++) {
      const typed = i % 2 ? identifier.toUpperCase() : identifier;
      expect(await checkCredentials(instance(i), { identifier: typed, password: `wrong-${i}` }, attacker)).toMatchObject({ reason: "invalid" });
    }
    expect(await checkCredentials(one, { identifier: identifier.toUpperCase(), password: PASSWORD }, attacker)).toMatchObject({ reason: "rate_limited" });
  });

  it("never locks the real user out: guesses from other addresses do not refuse a right password from a clean one", async () => {
    const identifier = await newUser();
    // 5 addresses, each up to its pair limit: 50 wrong passwords, well past the identifier's backoff threshold.
    const attackers = Array.from({ length: 5 }, address);
    for (const [n, from] of attackers.entries()) {
      for (let i = 0; i < SIGN_IN_LIMITS.pairLimit; i++) await checkCredentials(instance(n + i), { identifier, password: `guess-${n}-${i}` }, from);
    }
    expect(await checkCredentials(two, { identifier, password: PASSWORD }, attackers[0]!)).toMatchObject({ reason: "rate_limited" });
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, address())).toMatchObject({ ok: true });
  });

  it("backs off an identifier under attack for every address that has failed on it, even with the right password", async () => {
    const identifier = await newUser();
    // One wrong password from each of many addresses: no pair limit is reached, the identifier's backoff is.
    const addresses = Array.from({ length: SIGN_IN_LIMITS.backoffAfter }, address);
    for (const [i, from] of addresses.entries()) await checkCredentials(instance(i), { identifier, password: `spray-${i}` }, from);
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, addresses[3]!)).toMatchObject({ reason: "rate_limited" });
    expect(await checkCredentials(two, { identifier, password: "again" }, addresses[4]!)).toMatchObject({ reason: "rate_limited" });
    // After the backoff, a try from a failed address is checked again.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + SIGN_IN_LIMITS.backoffBaseMs + 1000 });
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, addresses[3]!)).toMatchObject({ ok: true });
  });

  it("limits one address spraying many identifiers", async () => {
    const from = address();
    for (let i = 0; i < SIGN_IN_LIMITS.addressLimit; i++) await checkCredentials(instance(i), { identifier: `${randomUUID()}@example.com`, password: "guess" }, from);
    const identifier = await newUser();
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, from)).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await checkCredentials(two, { identifier, password: PASSWORD }, address())).toMatchObject({ ok: true });
  });

  it("forgets an address's failures after a success, and all of them once the window has passed (TTL or not)", async () => {
    const identifier = await newUser();
    const from = address();
    for (let i = 0; i < SIGN_IN_LIMITS.pairLimit - 1; i++) await checkCredentials(one, { identifier, password: "wrong" }, from);
    expect(await checkCredentials(two, { identifier, password: PASSWORD }, from)).toMatchObject({ ok: true });
    for (let i = 0; i < SIGN_IN_LIMITS.pairLimit; i++) expect(await checkCredentials(instance(i), { identifier, password: "wrong" }, from)).toMatchObject({ reason: "invalid" });
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, from)).toMatchObject({ reason: "rate_limited" });
    // dynalite never expires TTL items: the stored window end is what lets the user back in.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + SIGN_IN_LIMITS.identifierWindowMs + 1000 });
    expect(await checkCredentials(two, { identifier, password: PASSWORD }, from)).toMatchObject({ ok: true });
  });

  it("counts concurrent failures on two instances without losing one", async () => {
    const identifier = await newUser();
    const from = address();
    await Promise.all(Array.from({ length: 8 }, (_, i) => checkCredentials(instance(i), { identifier, password: `race-${i}` }, from)));
    const counted = await one.getRateCounters([`address\n${from}`]);
    expect(counted.get(`address\n${from}`)?.count).toBe(8);
  });

  it("holds the pair limit against wrong passwords sent all at once (a read-then-check would let the burst through)", async () => {
    const identifier = await newUser();
    const from = address();
    const burst = SIGN_IN_LIMITS.pairLimit * 3;
    const results = await Promise.all(Array.from({ length: burst }, (_, i) => checkCredentials(instance(i), { identifier, password: `burst-${i}` }, from)));
    const checked = results.filter((r) => r.ok === false && r.reason === "invalid").length;
    expect(checked).toBe(SIGN_IN_LIMITS.pairLimit);
    expect(results.filter((r) => r.ok === false && r.reason === "rate_limited")).toHaveLength(burst - SIGN_IN_LIMITS.pairLimit);
    // The refused attempts were taken back: the counters hold the failures, not the refusals.
    const counters = await one.getRateCounters([`pair\n${identifier.toLowerCase()}\n${from}`, `address\n${from}`]);
    expect([...counters.values()].map((c) => c.count)).toEqual([SIGN_IN_LIMITS.pairLimit, SIGN_IN_LIMITS.pairLimit]);
    expect(await checkCredentials(one, { identifier, password: PASSWORD }, from)).toMatchObject({ reason: "rate_limited" });
  });

  it("holds the address limit against many identifiers sprayed all at once", async () => {
    const from = address();
    const burst = SIGN_IN_LIMITS.addressLimit * 2;
    const results = await Promise.all(
      Array.from({ length: burst }, (_, i) => checkCredentials(instance(i), { identifier: `${randomUUID()}@example.com`, password: "guess" }, from)),
    );
    expect(results.filter((r) => r.ok === false && r.reason === "invalid")).toHaveLength(SIGN_IN_LIMITS.addressLimit);
  });
});

describe("the refusal a limited sign-in shows", () => {
  it("names the longest wait the limits can impose, in both languages (the window and the backoff's ceiling)", () => {
    const minutes = Math.max(SIGN_IN_LIMITS.windowMs, SIGN_IN_LIMITS.backoffMaxMs) / 60_000;
    expect(en.signInPage.rateLimited).toContain(`${minutes} minutes`);
    expect(zhCN.signInPage.rateLimited).toContain(`${minutes} 分钟`);
  });
});
