import { describe, expect, it } from "vitest";
import { ConfigError, parseOAuthEnv } from "../env";
import { checkOAuthEnv, enabledOAuthProviders, isEntraTenantIssuer, oauthProviders, oauthSettings } from "./providers";

describe("OAuth providers from the environment", () => {
  it("enables none by default", () => {
    expect(enabledOAuthProviders(parseOAuthEnv({}))).toEqual([]);
    expect(enabledOAuthProviders(parseOAuthEnv({ AUTH_GITHUB_ID: " ", AUTH_GITHUB_SECRET: "" }))).toEqual([]);
  });

  it("enables each provider whose id and secret are set, in a fixed order", () => {
    const env = {
      AUTH_OIDC_ID: "o",
      AUTH_OIDC_SECRET: "s",
      AUTH_OIDC_ISSUER: "https://sso.example.com/realms/main/",
      AUTH_OIDC_NAME: "Acme SSO",
      AUTH_KEYCLOAK_ID: "k",
      AUTH_KEYCLOAK_SECRET: "s",
      AUTH_KEYCLOAK_ISSUER: "https://kc.example.com/realms/r",
      AUTH_COGNITO_ID: "c",
      AUTH_COGNITO_SECRET: "s",
      AUTH_COGNITO_ISSUER: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
      AUTH_MICROSOFT_ENTRA_ID_ID: "m",
      AUTH_MICROSOFT_ENTRA_ID_SECRET: "s",
      AUTH_GOOGLE_ID: "g",
      AUTH_GOOGLE_SECRET: "s",
      AUTH_GITHUB_ID: "h",
      AUTH_GITHUB_SECRET: "s",
    };
    expect(enabledOAuthProviders(parseOAuthEnv(env))).toEqual([
      { id: "github", name: "GitHub" },
      { id: "google", name: "Google" },
      { id: "microsoft-entra-id", name: "Microsoft" },
      { id: "cognito", name: "Amazon Cognito" },
      { id: "keycloak", name: "Keycloak" },
      { id: "oidc", name: "Acme SSO" },
    ]);
    const providers = oauthProviders(parseOAuthEnv(env)) as unknown as Array<{ id: string; options?: Record<string, unknown> } & Record<string, unknown>>;
    const oidc = providers.find((p) => p.id === "oidc")!;
    // No trailing slash: Auth.js appends /.well-known/openid-configuration to the issuer.
    expect(oidc).toMatchObject({ type: "oidc", issuer: "https://sso.example.com/realms/main", clientId: "o", clientSecret: "s", idToken: false });
    expect(providers.find((p) => p.id === "keycloak")!.options).toMatchObject({ issuer: "https://kc.example.com/realms/r", clientId: "k" });
    expect(providers.find((p) => p.id === "github")!.options).not.toHaveProperty("issuer");
  });

  it("names the variable that is missing or wrong", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ AUTH_GITHUB_ID: "x" }, /^AUTH_GITHUB_SECRET: required when AUTH_GITHUB_ID is set/],
      [{ AUTH_GOOGLE_SECRET: "x" }, /^AUTH_GOOGLE_ID: required when AUTH_GOOGLE_SECRET is set/],
      [{ AUTH_OIDC_ID: "x", AUTH_OIDC_SECRET: "y" }, /^AUTH_OIDC_ISSUER: required/],
      [{ AUTH_KEYCLOAK_ID: "x", AUTH_KEYCLOAK_SECRET: "y", AUTH_KEYCLOAK_ISSUER: "not a url" }, /^AUTH_KEYCLOAK_ISSUER: expected a URL/],
      [{ AUTH_COGNITO_ID: "x", AUTH_COGNITO_SECRET: "y" }, /^AUTH_COGNITO_ISSUER: required/],
    ];
    for (const [env, message] of cases) {
      expect(() => checkOAuthEnv(env)).toThrow(ConfigError);
      expect(() => checkOAuthEnv(env)).toThrow(message);
    }
  });

  it("maps identifiers as Chainlit by default; OAUTH_IDENTIFIER=email switches every provider to the verified email", () => {
    expect(oauthSettings(parseOAuthEnv({}))).toEqual({ mode: "chainlit", oidcClaim: "email", entraTenantIssuer: false });
    expect(oauthSettings(parseOAuthEnv({ OAUTH_IDENTIFIER: "email", AUTH_OIDC_IDENTIFIER_CLAIM: "preferred_username" }))).toMatchObject({ mode: "email", oidcClaim: "preferred_username" });
    expect(() => oauthSettings(parseOAuthEnv({ OAUTH_IDENTIFIER: "login" }))).toThrow(/^OAUTH_IDENTIFIER: expected "chainlit" or "email"/);
    expect(() => oauthSettings(parseOAuthEnv({ AUTH_OIDC_IDENTIFIER_CLAIM: "a b" }))).toThrow(/^AUTH_OIDC_IDENTIFIER_CLAIM: expected a claim name/);
  });

  it("knows a single-tenant Entra issuer from the shared endpoints", () => {
    expect(isEntraTenantIssuer(undefined)).toBe(false);
    // The last is the personal-accounts tenant by its id: the issuer personal Microsoft accounts' tokens carry, whose
    // users put any address they like on their account.
    for (const tenant of ["common", "organizations", "consumers", "Common", "9188040d-6c67-4c5b-b112-36a304b66dad", "9188040D-6C67-4C5B-B112-36A304B66DAD"]) {
      expect(isEntraTenantIssuer(`https://login.microsoftonline.com/${tenant}/v2.0`)).toBe(false);
    }
    expect(isEntraTenantIssuer("https://login.microsoftonline.com/2b7c3f4e-1a5d-4e8f-9c0b-6d7e8f9a0b1c/v2.0")).toBe(true);
    expect(isEntraTenantIssuer("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0")).toBe(true);
    const env = { AUTH_MICROSOFT_ENTRA_ID_ID: "m", AUTH_MICROSOFT_ENTRA_ID_SECRET: "s", AUTH_MICROSOFT_ENTRA_ID_ISSUER: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0" };
    expect(oauthSettings(parseOAuthEnv(env)).entraTenantIssuer).toBe(true);
  });
});
