import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, expectNoInternals, sessionUser } from "../../../test/callers";
import { hashPassword } from "../auth/password";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

describe("user.me", () => {
  it("returns the stored user, never the password hash", async () => {
    const me = sessionUser(undefined, "From session");
    const stored = await services.data.createUser({ identifier: me.identifier, displayName: "Ada Lovelace" });
    await services.data.setUserPassword(me.identifier, await hashPassword("correct horse"));
    const result = await callerFor(services, me).user.me();
    expect(result).toEqual({ id: me.id, identifier: me.identifier, displayName: "Ada Lovelace", createdAt: stored.createdAt });
    expectNoInternals(result);
    expect(JSON.stringify(result)).not.toContain("scrypt");
  });

  it("falls back to the session for a user without an item", async () => {
    const me = sessionUser(undefined, "Only in the token");
    expect(await callerFor(services, me).user.me()).toEqual({ id: me.id, identifier: me.identifier, displayName: "Only in the token", createdAt: null });
  });
});
