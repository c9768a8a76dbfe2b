import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { testTable, type TestTable } from "../../../test/data-fixtures";
import { callerFor, createTestServices } from "../../../test/callers";
import { uploadElement } from "../chat/uploads/upload-element";
import { checkCredentials } from "./credentials";
import { hashPassword } from "./password";
import { createSessionVersions } from "./session-versions";
import { revokeSessions, sessionUserFromRequest, stampSessionVersion, stampSignIn } from "./sessions";

const SECRET = "test-secret-that-is-at-least-32-characters";
const COOKIE = "authjs.session-token";
const TTL_MS = 30_000;
const PASSWORD = "correct horse battery";
const SIGNED_IN_AT = Date.parse("2026-12-01T12:00:00Z");

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

/** A layer and a session cache on a clock the test moves: expiry without sleeping. */
function instance() {
  const clock = { now: 1_000_000 };
  const data = table.layer();
  const sessions = createSessionVersions((identifier) => data.getSessionVersion(identifier), { ttlMs: TTL_MS, now: () => clock.now });
  return { services: { data, sessions }, clock };
}

/** Signs in with the password and mints the session cookie next-auth would set. */
async function signedIn(services: ReturnType<typeof instance>["services"], identifier: string, typed = identifier) {
  const result = await checkCredentials(services.data, { identifier: typed, password: PASSWORD }, `addr-${randomUUID()}`);
  if (!result.ok) throw new Error("sign-in failed");
  // As config.ts's jwt callback does at sign-in.
  const token = await stampSessionVersion(services, stampSignIn({ sub: result.user.id, email: result.user.identifier, name: result.user.name }, "credentials", SIGNED_IN_AT), result.user.sessionVersion);
  const jwt = await encode({ token: token!, secret: SECRET, salt: COOKIE });
  return new Request("http://localhost/api/trpc/threads.list", { headers: { cookie: `${COOKIE}=${jwt}` } });
}

async function newUser(services: ReturnType<typeof instance>["services"], identifier = `${randomUUID()}@Example.com`) {
  await services.data.createUser({ identifier, displayName: "Session User" });
  await services.data.setUserPassword(identifier, await hashPassword(PASSWORD));
  return identifier;
}

describe("revocable sessions", () => {
  it("a session passes while its version is current, and the check reads DynamoDB once per user per TTL", async () => {
    const { services, clock } = instance();
    const identifier = await newUser(services);
    const request = await signedIn(services, identifier, identifier.toUpperCase());
    table.requests.reset();
    for (let i = 0; i < 20; i++) expect(await sessionUserFromRequest(services, request, SECRET)).toEqual({ id: identifier, identifier, name: "Session User", signedInAt: SIGNED_IN_AT, signInProvider: "credentials" });
    expect(table.requests.count).toBe(1);
    clock.now += TTL_MS + 1;
    await Promise.all([...Array(10)].map(() => sessionUserFromRequest(services, request, SECRET)));
    expect(table.requests.count).toBe(2);
  });

  for (const [name, revoke] of [
    ["removing the user", (s: ReturnType<typeof instance>["services"], id: string) => s.data.deleteUser(id)],
    ["changing the password", async (s: ReturnType<typeof instance>["services"], id: string) => s.data.setUserPassword(id, await hashPassword("a new password"))],
    ["signing out everywhere on another instance", (s: ReturnType<typeof instance>["services"], id: string) => s.data.revokeUserSessions(id)],
  ] as const) {
    it(`${name} ends existing sessions on every instance once the cache expires`, async () => {
      const { services, clock } = instance();
      const identifier = await newUser(services);
      const request = await signedIn(services, identifier);
      expect(await sessionUserFromRequest(services, request, SECRET)).not.toBeNull();
      await revoke(services, identifier);
      // Still trusted until this instance's cached version expires: at most SESSION_CHECK_SECONDS.
      clock.now += TTL_MS - 1;
      expect(await sessionUserFromRequest(services, request, SECRET)).not.toBeNull();
      clock.now += 2;
      expect(await sessionUserFromRequest(services, request, SECRET)).toBeNull();
    });
  }

  it("a user removed and added again does not revive an old session; a new sign-in works", async () => {
    const { services, clock } = instance();
    const identifier = await newUser(services);
    const old = await signedIn(services, identifier);
    await services.data.deleteUser(identifier);
    await newUser(services, identifier);
    clock.now += TTL_MS + 1;
    expect(await sessionUserFromRequest(services, old, SECRET)).toBeNull();
    expect(await sessionUserFromRequest(services, await signedIn(services, identifier), SECRET)).toMatchObject({ id: identifier });
  });

  it("sign out everywhere takes effect at once on the instance that did it", async () => {
    const { services } = instance();
    const identifier = await newUser(services);
    const request = await signedIn(services, identifier);
    expect(await sessionUserFromRequest(services, request, SECRET)).not.toBeNull();
    await revokeSessions(services, identifier);
    expect(await sessionUserFromRequest(services, request, SECRET)).toBeNull();
  });

  it("refuses tokens without a current version: none, a forged one, or another user's", async () => {
    const { services } = instance();
    const alice = await newUser(services);
    const bob = await newUser(services);
    const bobVersion = await services.data.getSessionVersion(bob);
    for (const claims of [{ sub: alice }, { sub: alice, sv: "" }, { sub: alice, sv: 1 }, { sub: alice, sv: bobVersion }, { sub: `${randomUUID()}@example.com`, sv: bobVersion }]) {
      const jwt = await encode({ token: claims, secret: SECRET, salt: COOKIE });
      const request = new Request("http://localhost/", { headers: { cookie: `${COOKIE}=${jwt}` } });
      expect(await sessionUserFromRequest(services, request, SECRET), JSON.stringify(claims)).toBeNull();
    }
    // A token encrypted with another secret does not decode at all.
    const forged = await encode({ token: { sub: alice, sv: await services.data.getSessionVersion(alice) }, secret: "another-secret-of-at-least-32-chars!", salt: COOKIE });
    expect(await sessionUserFromRequest(services, new Request("http://localhost/", { headers: { cookie: `${COOKIE}=${forged}` } }), SECRET)).toBeNull();
  });

  it("OAuth sign-in reads the version and lands on the stored identifier; a user with no AUTH item cannot get a session", async () => {
    const { services } = instance();
    const identifier = await newUser(services);
    const sv = await services.data.getSessionVersion(identifier);
    expect(await stampSessionVersion(services, { sub: identifier }, undefined)).toMatchObject({ sub: identifier, sv });
    const lower = identifier.toLowerCase();
    expect(await stampSessionVersion(services, { sub: lower, email: lower, name: "N" }, undefined)).toEqual({ sub: identifier, email: identifier, name: "N", sv });
    expect(await stampSessionVersion(services, { sub: `${randomUUID()}@example.com` }, undefined)).toBeNull();
    expect(await stampSessionVersion(services, {}, "v")).toBeNull();
  });

  it("a session carries when and with which provider it signed in; a token from before has no time", async () => {
    const { services } = instance();
    const identifier = await newUser(services);
    const sv = await services.data.getSessionVersion(identifier);
    const cookieOf = async (token: Parameters<typeof encode>[0]["token"]) =>
      new Request("http://localhost/", { headers: { cookie: `${COOKIE}=${await encode({ token, secret: SECRET, salt: COOKIE })}` } });
    const at = Date.parse("2026-12-01T12:00:00.750Z");
    const stamped = stampSignIn({ sub: identifier, email: identifier, sv }, "oidc", at);
    expect(await sessionUserFromRequest(services, await cookieOf(stamped), SECRET)).toMatchObject({ id: identifier, signedInAt: Date.parse("2026-12-01T12:00:00Z"), signInProvider: "oidc" });
    expect(await sessionUserFromRequest(services, await cookieOf({ sub: identifier, email: identifier, sv }), SECRET)).toMatchObject({ id: identifier, signedInAt: null, signInProvider: null });
  });

  it("a revoked session gets UNAUTHORIZED from the API and 401 from the upload route", async () => {
    const services = await createTestServices({ sessionCheck: { ttlMs: 0 } });
    try {
      const identifier = await newUser(services);
      const request = await signedIn(services, identifier);
      const user = await sessionUserFromRequest(services, request, SECRET);
      await expect(callerFor(services, user).threads.list({})).resolves.toBeDefined();
      await services.data.deleteUser(identifier);
      const after = await sessionUserFromRequest(services, request, SECRET);
      expect(after).toBeNull();
      await expect(callerFor(services, after).threads.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      const upload = await uploadElement(services, after, {
        threadId: randomUUID(),
        elementId: randomUUID(),
        forId: randomUUID(),
        fileName: "a.txt",
        mime: "text/plain",
        contentLength: 1,
        body: new Blob(["x"]).stream(),
      });
      expect(upload.status).toBe(401);
    } finally {
      await services.close();
    }
  });
});
