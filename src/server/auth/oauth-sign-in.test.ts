import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBDataLayer } from "@/data";
import { freshTable } from "../../../test/harness";
import { admitOAuthUser, oauthIdentifier } from "./oauth-sign-in";

describe("oauthIdentifier", () => {
  it("is the lowercased email", () => {
    expect(oauthIdentifier({ email: "Olivia.Smith@Example.COM", profile: { email_verified: true } })).toBe("olivia.smith@example.com");
    expect(oauthIdentifier({ email: "gh-user@users.noreply.github.com" })).toBe("gh-user@users.noreply.github.com");
  });

  it("refuses a missing, malformed or unverified email", () => {
    for (const email of [undefined, null, "", "not-an-email", "a b@example.com", "x#y@example.com", `${"a".repeat(250)}@example.com`]) {
      expect(oauthIdentifier({ email }), String(email)).toBeNull();
    }
    expect(oauthIdentifier({ email: "a@example.com", profile: { email_verified: false } })).toBeNull();
    expect(oauthIdentifier({ email: "a@example.com", profile: { email_verified: "false" } })).toBeNull();
  });
});

describe("admitOAuthUser", () => {
  let data: DynamoDBDataLayer;
  let destroy: () => void;
  beforeAll(async () => {
    const { client, tableName } = await freshTable();
    data = new DynamoDBDataLayer({ tableName, client });
    destroy = () => client.destroy();
  });
  afterAll(() => destroy());

  it("creates the user on first sign-in and never overwrites it later", async () => {
    const email = `${randomUUID()}@Example.com`;
    const identifier = await admitOAuthUser(data, { provider: "google", email, name: "  First Name  " });
    expect(identifier).toBe(email.toLowerCase());
    const created = await data.getUser(identifier!);
    expect(created).toMatchObject({ id: identifier, identifier, displayName: "First Name", metadata: { provider: "google" } });
    expect(await admitOAuthUser(data, { provider: "github", email, name: "Second Name" })).toBe(identifier);
    expect(await data.getUser(identifier!)).toEqual(created);
  });

  it("keeps a password user's item as it was when they later use OAuth", async () => {
    const identifier = `${randomUUID()}@example.com`;
    const before = await data.createUser({ identifier, displayName: "Password User" });
    await data.setUserPassword(identifier, "scrypt$hash");
    await admitOAuthUser(data, { provider: "oidc", email: identifier, name: "IdP Name" });
    expect(await data.getUser(identifier)).toEqual(before);
    expect((await data.getUserAuth(identifier))?.passwordHash).toBe("scrypt$hash");
  });

  it("writes nothing for a refused sign-in", async () => {
    const email = `${randomUUID()}@example.com`;
    expect(await admitOAuthUser(data, { provider: "oidc", email, profile: { email_verified: false } })).toBeNull();
    expect(await data.getUser(email)).toBeNull();
  });
});
