import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBDataLayer } from "@/data";
import { freshTable } from "../../../test/harness";
import { gatherOAuthFacts, GITHUB_EMAILS_URL, GRAPH_ME_URL, type FetchLike } from "./oauth-provider-api";
import { admitOAuthUser, oauthIdentity, oauthMayEnter, verifiedEmail, type OAuthFacts, type OAuthSettings } from "./oauth-sign-in";

const CHAINLIT: OAuthSettings = { mode: "chainlit", oidcClaim: "email", entraTenantIssuer: false };
const EMAIL: OAuthSettings = { ...CHAINLIT, mode: "email" };
const identify = (facts: OAuthFacts, settings = CHAINLIT) => oauthIdentity(facts, settings);
const refused = (reason: string) => ({ ok: false, reason });
const ok = (identifier: string) => ({ ok: true, identifier });

describe("OIDC providers with email_verified (Google, Keycloak, Cognito, generic OIDC)", () => {
  it("take the email, case kept, only when email_verified is exactly true or Cognito's string \"true\"", () => {
    for (const provider of ["google", "keycloak", "cognito", "oidc"]) {
      for (const settings of [CHAINLIT, EMAIL]) {
        for (const email_verified of [true, "true"]) {
          expect(identify({ provider, profile: { email: "Erin.Walsh@Contoso.com", email_verified } }, settings), `${provider} ${JSON.stringify(email_verified)}`).toEqual(ok("Erin.Walsh@Contoso.com"));
        }
        const looser = ["TRUE", "True", "1", "yes", " true", "true ", "\"true\"", "", ["true"], { value: "true" }];
        for (const email_verified of [false, "false", 1, 0, undefined, null, ...looser]) {
          expect(identify({ provider, profile: { email: "erin@contoso.com", email_verified } }, settings), `${provider} ${JSON.stringify(email_verified)}`).toEqual(refused("UnverifiedEmail"));
        }
        expect(identify({ provider, profile: { email: "erin@contoso.com" } }, settings)).toEqual(refused("UnverifiedEmail"));
      }
    }
  });

  it("refuse a missing or malformed email, or one aliasing a reserved partition", () => {
    for (const email of [undefined, "", "not-an-email", "a b@example.com", `${"a".repeat(250)}@example.com`, "v@example.com#FEEDBACK#1"]) {
      expect(identify({ provider: "google", profile: { email, email_verified: true } }), String(email)).toMatchObject({ ok: false });
    }
  });

  it("generic OIDC: a configured claim is the identifier as given", () => {
    const settings = { ...CHAINLIT, oidcClaim: "preferred_username" };
    expect(identify({ provider: "oidc", profile: { preferred_username: "Erin.Walsh", email_verified: false } }, settings)).toEqual(ok("Erin.Walsh"));
    expect(identify({ provider: "oidc", profile: { email: "e@x.com", email_verified: true } }, settings)).toEqual(refused("NoIdentifier"));
    // In email mode the claim setting does not apply: the verified email does.
    expect(identify({ provider: "oidc", profile: { preferred_username: "erin", email: "e@x.com", email_verified: false } }, { ...settings, mode: "email" })).toEqual(refused("UnverifiedEmail"));
  });
});

describe("GitHub", () => {
  it("is the login as Chainlit maps it, case kept", () => {
    expect(identify({ provider: "github", profile: { login: "OctoCat", email: null } })).toEqual(ok("OctoCat"));
    expect(identify({ provider: "github", profile: { email: "octo@example.com" } })).toEqual(refused("NoIdentifier"));
  });

  it("in email mode, is the verified primary address from /user/emails, never the profile's email", () => {
    const profile = { login: "octocat", email: "public@example.com" };
    const emails = (list: unknown) => identify({ provider: "github", profile, githubEmails: list }, EMAIL);
    expect(emails([{ email: "other@example.com", primary: false, verified: true }, { email: "Octo@Example.com", primary: true, verified: true }])).toEqual(ok("Octo@Example.com"));
    expect(emails([{ email: "octo@example.com", primary: true, verified: false }, { email: "v@example.com", primary: false, verified: true }])).toEqual(refused("UnverifiedEmail"));
    for (const list of [undefined, null, [], { email: "x@example.com" }, [{ email: "x@example.com", primary: true, verified: "true" }]]) {
      expect(emails(list)).toEqual(refused("UnverifiedEmail"));
    }
  });
});

describe("Microsoft Entra ID", () => {
  const upn = "alice_contoso.com#EXT#@fabrikam.onmicrosoft.com";
  it("is the Graph userPrincipalName, case kept, guest UPNs included", () => {
    expect(identify({ provider: "microsoft-entra-id", profile: { email: "x@y.com" }, graphUser: { userPrincipalName: "Erin.Walsh@Contoso.com" } })).toEqual(ok("Erin.Walsh@Contoso.com"));
    expect(identify({ provider: "microsoft-entra-id", profile: {}, graphUser: { userPrincipalName: upn } })).toEqual(ok(upn));
    for (const graphUser of [undefined, null, {}, { userPrincipalName: 42 }, { userPrincipalName: "victim#FEEDBACK#1" }]) {
      expect(identify({ provider: "microsoft-entra-id", profile: { email: "a@b.com" }, graphUser })).toEqual(refused("NoIdentifier"));
    }
  });

  it("in email mode, trusts the email only from a tenant issuer or a verified-email claim, never multi-tenant alone", () => {
    const facts = (profile: Record<string, unknown>): OAuthFacts => ({ provider: "microsoft-entra-id", profile });
    expect(identify(facts({ email: "alice@contoso.com", email_verified: true }), EMAIL)).toEqual(refused("UnverifiedEmail"));
    expect(identify(facts({ email: "alice@contoso.com" }), EMAIL)).toEqual(refused("UnverifiedEmail"));
    expect(identify(facts({ email: "alice@contoso.com" }), { ...EMAIL, entraTenantIssuer: true })).toEqual(ok("alice@contoso.com"));
    expect(identify(facts({ email: "alice@contoso.com", xms_edov: true }), EMAIL)).toEqual(ok("alice@contoso.com"));
    expect(identify(facts({ email: "alice@contoso.com", xms_edov: "1" }), EMAIL)).toEqual(refused("UnverifiedEmail"));
    expect(identify(facts({ email: "Alice@contoso.com", verified_primary_email: ["alice@contoso.com"] }), EMAIL)).toEqual(ok("Alice@contoso.com"));
    expect(identify(facts({ email: "alice@contoso.com", verified_primary_email: ["mallory@contoso.com"] }), EMAIL)).toEqual(refused("UnverifiedEmail"));
  });
});

describe("gatherOAuthFacts", () => {
  const answering = (byUrl: Record<string, unknown>, seen: string[]): FetchLike => async (input, init) => {
    const url = String(input);
    seen.push(`${url} ${new Headers(init?.headers).get("authorization")}`);
    return url in byUrl ? Response.json(byUrl[url]) : new Response("nope", { status: 404 });
  };

  it("asks only for what the identifier needs, with the sign-in's token", async () => {
    const seen: string[] = [];
    const fetchFn = answering({ [GITHUB_EMAILS_URL]: [{ email: "o@x.com", primary: true, verified: true }], [GRAPH_ME_URL]: { userPrincipalName: "u@x.com" } }, seen);
    expect(await gatherOAuthFacts({ provider: "github", profile: { login: "o" }, accessToken: "t1" }, CHAINLIT, fetchFn)).toEqual({ provider: "github", profile: { login: "o" } });
    expect(seen).toEqual([]);
    const github = await gatherOAuthFacts({ provider: "github", profile: { login: "o" }, accessToken: "t1" }, EMAIL, fetchFn);
    expect(identify(github, EMAIL)).toEqual(ok("o@x.com"));
    const entra = await gatherOAuthFacts({ provider: "microsoft-entra-id", profile: {}, accessToken: "t2" }, CHAINLIT, fetchFn);
    expect(identify(entra)).toEqual(ok("u@x.com"));
    expect(seen).toEqual([`${GITHUB_EMAILS_URL} Bearer t1`, `${GRAPH_ME_URL} Bearer t2`]);
  });

  it("turns a failing or oversized answer into no facts (a refusal), never a crash", async () => {
    const failing: FetchLike[] = [
      async () => new Response("{", { status: 200 }),
      async () => new Response("x".repeat(300_000), { status: 200 }),
      async () => new Response("", { status: 500 }),
      async () => {
        throw new TypeError("fetch failed");
      },
    ];
    for (const fetchFn of failing) {
      const facts = await gatherOAuthFacts({ provider: "microsoft-entra-id", profile: { email: "a@b.com" }, accessToken: "t" }, CHAINLIT, fetchFn);
      expect(identify(facts)).toEqual(refused("NoIdentifier"));
    }
  });

  it("hostile: reads an answer only up to its size bound, not whole before measuring it", async () => {
    // 50 MB of a JSON string, made as it is read: what the server pulled is what it held.
    let pulled = 0;
    const huge = () =>
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode('{"userPrincipalName":"')),
        pull: (controller) => {
          if (pulled >= 50 * 1024 * 1024) return controller.close();
          pulled += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
        },
      });
    const facts = await gatherOAuthFacts({ provider: "microsoft-entra-id", profile: {}, accessToken: "t" }, CHAINLIT, async () => new Response(huge(), { status: 200 }));
    expect(identify(facts)).toEqual(refused("NoIdentifier"));
    expect(pulled).toBeLessThan(1024 * 1024);
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
    const identifier = `${randomUUID()}@Example.com`;
    expect(await admitOAuthUser(data, { provider: "google", identifier, name: "  First Name  " })).toBe(identifier);
    const created = await data.getUser(identifier);
    expect(created).toMatchObject({ id: identifier, identifier, displayName: "First Name", metadata: { provider: "google" } });
    expect(await admitOAuthUser(data, { provider: "github", identifier, name: "Second Name" })).toBe(identifier);
    expect(await data.getUser(identifier)).toEqual(created);
  });

  it("keeps a password user's item as it was when they later use OAuth", async () => {
    const identifier = `${randomUUID()}@example.com`;
    const before = await data.createUser({ identifier, displayName: "Password User" });
    await data.setUserPassword(identifier, "scrypt$hash");
    await admitOAuthUser(data, { provider: "oidc", identifier, name: "IdP Name" });
    expect(await data.getUser(identifier)).toEqual(before);
    expect((await data.getUserAuth(identifier))?.passwordHash).toBe("scrypt$hash");
  });

  it("enters an account with a password only through the email the provider verified (hostile: a GitHub login or an OIDC claim naming a password user)", async () => {
    const admin = `admin-${randomUUID().slice(0, 8)}`;
    const alice = `alice-${randomUUID().slice(0, 8)}@example.com`;
    for (const identifier of [admin, alice]) {
      await data.createUser({ identifier, displayName: null });
      await data.setUserPassword(identifier, "scrypt$hash");
    }
    // Whoever registers the GitHub login `admin` (chainlit mode: the login is the identifier, no email is read).
    const github = identify({ provider: "github", profile: { login: admin } });
    expect(github).toEqual(ok(admin));
    expect(await oauthMayEnter(data, { identifier: admin, verifiedEmail: verifiedEmail({ provider: "github", profile: { login: admin } }, CHAINLIT) })).toBe(false);
    // In another case too: a sign-in follows the case alias to the stored account.
    expect(await oauthMayEnter(data, { identifier: admin.toUpperCase(), verifiedEmail: null })).toBe(false);
    // A lax issuer's `preferred_username`, with an unverified (or another) email beside it.
    const settings = { ...CHAINLIT, oidcClaim: "preferred_username" };
    for (const profile of [{ preferred_username: alice }, { preferred_username: alice, email: alice, email_verified: false }, { preferred_username: alice, email: "mallory@example.com", email_verified: true }]) {
      const facts = { provider: "oidc", profile };
      expect(identify(facts, settings)).toEqual(ok(alice));
      expect(await oauthMayEnter(data, { identifier: alice, verifiedEmail: verifiedEmail(facts, settings) }), JSON.stringify(profile)).toBe(false);
    }
    // The verified email of that very account still signs in to it, in any case, as a password-less account does.
    const google = { provider: "google", profile: { email: alice.toUpperCase(), email_verified: true } };
    expect(await oauthMayEnter(data, { identifier: alice, verifiedEmail: verifiedEmail(google, CHAINLIT) })).toBe(true);
    const oauthOnly = `octocat-${randomUUID().slice(0, 8)}`;
    await admitOAuthUser(data, { provider: "github", identifier: oauthOnly, name: null });
    expect(await oauthMayEnter(data, { identifier: oauthOnly, verifiedEmail: null })).toBe(true);
    expect(await oauthMayEnter(data, { identifier: `new-${randomUUID().slice(0, 8)}`, verifiedEmail: null })).toBe(true);
  });
});
