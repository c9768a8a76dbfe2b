/**
 * Every request a sign-in makes to a provider, bounded in time and bytes (docs/security.md, "Sign-in"): Auth.js's own
 * (OIDC discovery, the token exchange, userinfo) through the `customFetch` each provider carries, and the app's own
 * (oauth-provider-api.ts). Auth.js's default fetch reads an answer whole and waits for it without a timeout, so a slow,
 * hung or compromised issuer (or a man in the middle of a plain-http one) could hold a sign-in for good or make the
 * server buffer any amount. A request over a bound fails the sign-in, which lands on the sign-in page's usual
 * "could not sign in" (pages.error in config.ts), and one log line names the provider's address, never what was sent.
 */
// From Auth.js's core, which next-auth re-exports it from: the same module (package.json pins the version next-auth
// pins), and importable where next-auth's entry is not (vitest).
import { customFetch } from "@auth/core";
import type { MicrosoftEntraIDProfile } from "next-auth/providers/microsoft-entra-id";
import { getLogger } from "@/data";
import { addressOf, boundedFetch, BoundedFetchError, type FetchLike } from "../http/bounded-fetch";

export type { FetchLike };

export const PROVIDER_TIMEOUT_MS = 10_000;
/** A discovery document, a token answer with its ID token, a userinfo or Graph answer: a few KB each. */
export const PROVIDER_MAX_BYTES = 256 * 1024;

const authLog = getLogger("Auth");

/** The bounded fetch over `fetchFn`; tests pass shorter bounds. */
export function providerFetch(fetchFn: FetchLike = fetch, bounds = { timeoutMs: PROVIDER_TIMEOUT_MS, maxBytes: PROVIDER_MAX_BYTES }): FetchLike {
  const bounded = boundedFetch(bounds, fetchFn);
  return async (input, init) => {
    try {
      return await bounded(input, init);
    } catch (error) {
      if (error instanceof BoundedFetchError) authLog.warn(`Sign-in provider request refused: ${error.message}`);
      throw error;
    }
  };
}

/** A provider API's JSON answer, with the sign-in's access token; throws on a failed, refused or non-2xx answer. */
export async function providerJson(url: string, accessToken: string, fetchFn: FetchLike = fetch): Promise<unknown> {
  const response = await providerFetch(fetchFn)(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", "user-agent": "threadbook" },
    redirect: "error",
  });
  if (!response.ok) throw new Error(`${addressOf(url)}: HTTP ${response.status}`);
  return response.json();
}

/**
 * The provider with the bounded fetch Auth.js uses for its requests. Set on the config itself, not passed in its
 * options: Auth.js takes a provider's own `[customFetch]` over the options' one (@auth/core lib/utils/providers.js),
 * and Entra's carries one of its own.
 */
export function withBoundedFetch<P extends object>(provider: P, fetchFn: FetchLike = providerFetch()): P {
  return { ...provider, [customFetch]: fetchFn as typeof fetch };
}

/**
 * GitHub's profile from `/user`, bounded. Auth.js's GitHub provider fetches it with the global fetch (not its
 * customFetch), read whole, and then `/user/emails` the same way to fill a missing public email that the app does not
 * use: the identifier is the login, or the verified address oauth-provider-api.ts reads itself.
 */
export const githubUserinfo = {
  request: ({ tokens, provider }: { tokens: { access_token?: string }; provider: { userinfo?: { url?: URL | string } } }) =>
    providerJson(String(provider.userinfo?.url), tokens.access_token ?? ""),
};

/**
 * Entra's profile without its photo: Auth.js's fetches it from Graph with the global fetch, read whole, into a data
 * URL the app never shows (and the session cookie would carry).
 */
export const entraProfile = (profile: Pick<MicrosoftEntraIDProfile, "sub" | "name" | "email">) => ({
  id: profile.sub,
  name: profile.name,
  email: profile.email,
  image: null,
});

/**
 * Entra's fetch: the bounded one, and the discovery fix Auth.js's Entra provider makes in the fetch it carries (which
 * reads with the global fetch): a multi-tenant discovery document names its issuer `…/{tenantid}/v2.0`, filled here
 * with the configured issuer's tenant (`common` by default) so the tokens' issuer matches.
 */
export function entraFetch(issuer: string | undefined, fetchFn: FetchLike = providerFetch()): FetchLike {
  const tenant = issuer?.match(/microsoftonline\.com\/(\w+)\/v2\.0/)?.[1] ?? "common";
  return async (input, init) => {
    const response = await fetchFn(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    if (!url.pathname.endsWith(".well-known/openid-configuration")) return response;
    const document = (await response.json()) as { issuer?: unknown };
    const filled = typeof document.issuer === "string" ? document.issuer.replace("{tenantid}", tenant) : document.issuer;
    return Response.json({ ...document, issuer: filled }, { status: response.status, headers: response.headers });
  };
}
