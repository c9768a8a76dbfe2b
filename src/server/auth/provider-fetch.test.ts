/**
 * Every OAuth/OIDC provider the app configures makes its requests through the bounded fetch (provider-fetch.ts), and
 * a real Auth.js sign-in against a local issuer (test/hostile-issuer.ts) that answers too much or never fails to the
 * sign-in page's error, while a well-behaved issuer still signs in.
 */
import { Auth, customFetch, skipCSRFCheck, type AuthConfig } from "@auth/core";
import type { Provider } from "next-auth/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureOf, hugeJson, json, MB, neverAnswers, startHostileIssuer, type Handler, type HostileIssuer } from "../../../test/hostile-issuer";
import { BoundedFetchError, type FetchLike } from "../http/bounded-fetch";
import { OAuthEnvShape, parseOAuthEnv } from "../env";
import { entraFetch, entraProfile, PROVIDER_MAX_BYTES, providerFetch } from "./provider-fetch";
import { oauthProviders } from "./providers";

let issuer: HostileIssuer;
beforeAll(async () => {
  issuer = await startHostileIssuer();
});
afterAll(() => issuer.close());

type ProviderObject = Record<string | symbol, unknown> & { id: string; options?: Record<string | symbol, unknown> };

/**
 * Every provider the environment can enable, each with an id, a secret and (where it takes one) an issuer: read from
 * the environment's own variables, so a provider added later is in this list without the test naming it.
 */
function everyProvider(issuerUrl: string): ProviderObject[] {
  const prefixes = Object.keys(OAuthEnvShape).flatMap((name) => (name.endsWith("_SECRET") ? [name.slice(0, -"_SECRET".length)] : []));
  const env: Record<string, string> = {};
  for (const prefix of prefixes) {
    Object.assign(env, { [`${prefix}_ID`]: "client", [`${prefix}_SECRET`]: "secret" });
    if (`${prefix}_ISSUER` in OAuthEnvShape) env[`${prefix}_ISSUER`] = issuerUrl;
  }
  const providers = oauthProviders(parseOAuthEnv(env)) as unknown as ProviderObject[];
  expect(providers).toHaveLength(prefixes.length);
  return providers;
}

/** The fetch Auth.js will use: the provider's own, else its options' (@auth/core lib/utils/providers.js). */
const effectiveFetch = (p: ProviderObject) => (p[customFetch] ?? p.options?.[customFetch]) as FetchLike | undefined;
/** Auth.js deep-merges a provider's options over its defaults, functions included (lib/utils/merge.js). */
const effective = (p: ProviderObject, key: string) => (p.options?.[key] ?? p[key]) as never;

describe("every configured OAuth/OIDC provider", () => {
  it("hostile: makes Auth.js's requests (discovery, token, userinfo) through the bounded fetch", async () => {
    issuer.on("/.well-known/openid-configuration", hugeJson);
    for (const provider of everyProvider(issuer.url)) {
      const fetchFn = effectiveFetch(provider);
      expect(fetchFn, provider.id).toBeTypeOf("function");
      expect(await failureOf(fetchFn!(`${issuer.url}/.well-known/openid-configuration`, {})), provider.id).toBeInstanceOf(BoundedFetchError);
      expect((await issuer.lastHuge()).cutOff, provider.id).toBe(true);
    }
  });

  it("hostile: GitHub's profile request, which Auth.js makes outside its customFetch, is bounded too", async () => {
    issuer.on("/user", hugeJson);
    const github = everyProvider(issuer.url).find((p) => p.id === "github")!;
    const userinfo = effective(github, "userinfo") as { request: (context: unknown) => Promise<unknown> };
    expect(await failureOf(userinfo.request({ tokens: { access_token: "t" }, provider: { userinfo: { url: new URL(`${issuer.url}/user`) } } }))).toBeInstanceOf(BoundedFetchError);
    expect((await issuer.lastHuge()).cutOff).toBe(true);
    issuer.on("/user", json({ id: 7, login: "octo" }));
    await expect(userinfo.request({ tokens: { access_token: "t" }, provider: { userinfo: { url: new URL(`${issuer.url}/user`) } } })).resolves.toEqual({ id: 7, login: "octo" });
  });

  it("Entra's profile fetches nothing (Auth.js's reads a photo from Graph, whole); its discovery fix is kept", async () => {
    const entra = everyProvider(issuer.url).find((p) => p.id === "microsoft-entra-id")!;
    const profile = effective(entra, "profile") as (claims: unknown, tokens: unknown) => Promise<unknown>;
    expect(profile).toBe(entraProfile);
    expect(await profile({ sub: "s", name: "N", email: "n@x.com" }, { access_token: "t" })).toEqual({ id: "s", name: "N", email: "n@x.com", image: null });

    issuer.on("/.well-known/openid-configuration", json({ issuer: "https://login.microsoftonline.com/{tenantid}/v2.0", token_endpoint: "t" }, 200, { "x-kept": "1" }));
    const discover = (configured: string | undefined) => entraFetch(configured)(`${issuer.url}/.well-known/openid-configuration`, {});
    const common = await discover(undefined);
    expect(await common.json()).toEqual({ issuer: "https://login.microsoftonline.com/common/v2.0", token_endpoint: "t" });
    expect(common.headers.get("x-kept")).toBe("1");
    expect((await (await discover("https://login.microsoftonline.com/contoso/v2.0")).json()).issuer).toBe("https://login.microsoftonline.com/contoso/v2.0");
  });
});

/** Auth.js as the app runs it, with the generic OIDC provider the app builds, pointed at the local issuer. */
function authAt(issuerUrl: string, adjust: (provider: ProviderObject) => ProviderObject = (p) => p) {
  const provider = adjust(oauthProviders(parseOAuthEnv({ AUTH_OIDC_ID: "client", AUTH_OIDC_SECRET: "client-secret", AUTH_OIDC_ISSUER: issuerUrl }))[0] as unknown as ProviderObject);
  const logged: string[] = [];
  const config: AuthConfig = {
    secret: "a-test-secret-that-is-at-least-32-characters",
    trustHost: true,
    basePath: "/api/auth",
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [provider as unknown as Provider],
    skipCSRFCheck,
    logger: { error: (e: Error) => void logged.push(`${e.name}: ${e.message} ${String((e.cause as { err?: Error })?.err?.message ?? "")}`), warn: () => {}, debug: () => {} },
  };
  const app = "http://localhost:3000";
  const cookiesOf = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!);
  return {
    logged,
    /** The sign-in button's POST; the provider's login page or the app's error page. */
    async signIn() {
      const body = new URLSearchParams({ callbackUrl: "/threads" });
      const response = await Auth(new Request(`${app}/api/auth/signin/oidc`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } }), config);
      return { location: response.headers.get("location") ?? "", cookies: cookiesOf(response) };
    },
    /** The provider's redirect back with a code. */
    async callback(cookies: string[]) {
      const response = await Auth(new Request(`${app}/api/auth/callback/oidc?code=the-code`, { headers: { cookie: cookies.join("; ") } }), config);
      return { location: response.headers.get("location") ?? "", cookies: cookiesOf(response) };
    },
  };
}

/** A well-behaved issuer: discovery, a token answer with an ID token (read, not verified, from the token endpoint) and userinfo. */
function wellBehaved(url: string): Record<string, Handler> {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const idToken = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iss: url, aud: "client", sub: "u1", iat: now, exp: now + 600 })}.c2ln`;
  return {
    "/.well-known/openid-configuration": json({
      issuer: url,
      authorization_endpoint: `${url}/authorize`,
      token_endpoint: `${url}/token`,
      userinfo_endpoint: `${url}/userinfo`,
      jwks_uri: `${url}/jwks`,
    }),
    "/token": json({ access_token: "the-access-token", token_type: "Bearer", expires_in: 600, id_token: idToken }),
    "/userinfo": json({ sub: "u1", email: "u1@example.com", email_verified: true, name: "U One" }),
    // Never asked for: ID tokens from the token endpoint are not signature-checked, so no key set is fetched.
    "/jwks": hugeJson,
  };
}

describe("a sign-in through Auth.js with the configured OIDC provider", () => {
  const serve = (handlers: Record<string, Handler>) => Object.entries(handlers).forEach(([path, handler]) => issuer.on(path, handler));

  it("signs in against a well-behaved issuer: its answers pass through the bounded fetch unchanged", async () => {
    serve(wellBehaved(issuer.url));
    const auth = authAt(issuer.url);
    const signIn = await auth.signIn();
    expect(signIn.location.startsWith(`${issuer.url}/authorize?`)).toBe(true);
    const done = await auth.callback(signIn.cookies);
    expect(done.location).toBe("http://localhost:3000/threads");
    expect(done.cookies.some((c) => c.startsWith("authjs.session-token="))).toBe(true);
    expect(auth.logged).toEqual([]);
  });

  it("hostile: a huge discovery document fails the sign-in to the sign-in page, read no further than the bound", async () => {
    serve({ ...wellBehaved(issuer.url), "/.well-known/openid-configuration": hugeJson });
    const auth = authAt(issuer.url);
    expect((await auth.signIn()).location).toBe("http://localhost:3000/sign-in?error=Configuration");
    const streamed = await issuer.lastHuge();
    expect(streamed.cutOff).toBe(true);
    expect(streamed.written).toBeLessThan(64 * MB);
  });

  it.each(["/token", "/userinfo"])("hostile: a huge %s answer fails the callback to the sign-in page, with no secret logged", async (path) => {
    serve(wellBehaved(issuer.url));
    const auth = authAt(issuer.url);
    const signIn = await auth.signIn();
    issuer.on(path, hugeJson);
    expect((await auth.callback(signIn.cookies)).location).toBe("http://localhost:3000/sign-in?error=Configuration");
    expect((await issuer.lastHuge()).cutOff).toBe(true);
    expect(auth.logged.join("\n")).toContain(`answer over ${PROVIDER_MAX_BYTES} bytes`);
    for (const secret of ["client-secret", "the-access-token", "the-code"]) expect(auth.logged.join("\n")).not.toContain(secret);
  });

  it("hostile: a token endpoint that never answers fails the callback at the timeout (a short one injected)", async () => {
    serve({ ...wellBehaved(issuer.url), "/token": neverAnswers });
    const auth = authAt(issuer.url, (p) => ({ ...p, [customFetch]: providerFetch(fetch, { timeoutMs: 100, maxBytes: PROVIDER_MAX_BYTES }) }));
    const signIn = await auth.signIn();
    expect((await auth.callback(signIn.cookies)).location).toBe("http://localhost:3000/sign-in?error=Configuration");
    expect(auth.logged.join("\n")).toContain("no complete answer within 100 ms");
  });
});
