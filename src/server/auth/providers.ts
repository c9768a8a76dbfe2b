/**
 * OAuth / OpenID Connect sign-in, switched on by the environment: a provider is enabled when its client id is set.
 * A half-configured one (an id without its secret, an issuer missing) is a ConfigError naming the variable, checked
 * at start by scripts/stack.ts: a typo must not silently hide the button everybody signs in with.
 */
import type { Provider } from "next-auth/providers";
import Cognito from "next-auth/providers/cognito";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import Keycloak from "next-auth/providers/keycloak";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import { ConfigError, parseOAuthEnv, serverEnv, type Env, type OAuthEnv } from "../env";
import { ENTRA_ID, GENERIC_OIDC_ID, GITHUB_ID, type OAuthSettings } from "./oauth-sign-in";
import { entraFetch, entraProfile, githubUserinfo, withBoundedFetch } from "./provider-fetch";

interface ProviderOptions {
  clientId: string;
  clientSecret: string;
  issuer?: string;
  name: string;
}

interface ProviderSpec {
  id: string;
  /** Shown as "Sign in with {name}". */
  name: string;
  /** `AUTH_GITHUB` → AUTH_GITHUB_ID, AUTH_GITHUB_SECRET, AUTH_GITHUB_ISSUER (Auth.js's own naming). */
  prefix: string;
  issuer: "none" | "optional" | "required";
  /** A variable that renames the button (the generic issuer has no name of its own). */
  nameVariable?: keyof OAuthEnv;
  /**
   * The origin of the provider's login page, where the sign-in form's POST is redirected: the page's CSP must allow
   * it as a form target (browsers check form-action on that redirect). Cognito's hosted UI lives on a domain of its
   * own that only discovery tells, so it has none (with JavaScript on, the redirect is a script navigation anyway).
   */
  signInOrigin(issuer: string | undefined): string | undefined;
  build(options: ProviderOptions): Provider;
}


/** Auth.js derives `.well-known/openid-configuration` by appending to the issuer: a trailing slash would double. */
const trimSlash = (issuer: string | undefined) => issuer?.replace(/\/+$/, "");

export { GENERIC_OIDC_ID };

/**
 * Entra's multi-tenant endpoints: anyone with a Microsoft account of any directory (or a personal one) signs in. The
 * last is the personal-accounts tenant by its id, the issuer personal accounts' tokens name: one tenant by its form,
 * but its users are anybody, each with whatever address they put on their account.
 */
const ENTRA_SHARED_TENANTS = new Set(["common", "organizations", "consumers", "9188040d-6c67-4c5b-b112-36a304b66dad"]);
/** True for `https://login.microsoftonline.com/{one tenant}/v2.0`; false without an issuer (Auth.js then uses /common). */
export function isEntraTenantIssuer(issuer: string | undefined): boolean {
  if (!issuer) return false;
  const tenant = new URL(issuer).pathname.split("/").filter(Boolean)[0]?.toLowerCase();
  return Boolean(tenant) && !ENTRA_SHARED_TENANTS.has(tenant!);
}

function originOf(issuer: string | undefined): string | undefined {
  return issuer ? new URL(issuer).origin : undefined;
}

const SPECS: readonly ProviderSpec[] = [
  { id: GITHUB_ID, name: "GitHub", prefix: "AUTH_GITHUB", issuer: "none", signInOrigin: () => "https://github.com", build: (c) => withBoundedFetch(GitHub({ ...c, userinfo: githubUserinfo })) },
  { id: "google", name: "Google", prefix: "AUTH_GOOGLE", issuer: "none", signInOrigin: () => "https://accounts.google.com", build: (c) => withBoundedFetch(Google(c)) },
  // Without an issuer, Entra's multi-tenant /common endpoint: any work or personal Microsoft account.
  {
    id: ENTRA_ID,
    name: "Microsoft",
    prefix: "AUTH_MICROSOFT_ENTRA_ID",
    issuer: "optional",
    signInOrigin: () => "https://login.microsoftonline.com",
    build: (c) => {
      const provider = MicrosoftEntraID({ ...c, profile: entraProfile });
      // Entra fills in its issuer default (/common) on the options it is given.
      return withBoundedFetch(provider, entraFetch(provider.options?.issuer));
    },
  },
  { id: "cognito", name: "Amazon Cognito", prefix: "AUTH_COGNITO", issuer: "required", signInOrigin: () => undefined, build: (c) => withBoundedFetch(Cognito(c)) },
  { id: "keycloak", name: "Keycloak", prefix: "AUTH_KEYCLOAK", issuer: "required", signInOrigin: originOf, build: (c) => withBoundedFetch(Keycloak(c)) },
  {
    id: GENERIC_OIDC_ID,
    name: "OpenID Connect",
    prefix: "AUTH_OIDC",
    issuer: "required",
    nameVariable: "AUTH_OIDC_NAME",
    // Most issuers serve their authorization endpoint on their own origin (discovery could say otherwise).
    signInOrigin: originOf,
    build: (options) => withBoundedFetch({
      id: GENERIC_OIDC_ID,
      type: "oidc",
      ...options,
      authorization: { params: { scope: "openid email profile" } },
      // An ID token may carry only `sub` (OIDC Core §5.4; oidc-provider and others do so by default). The userinfo
      // endpoint always has the scope's claims, and the email is what the user's id is made of.
      idToken: false,
    }),
  },
];

export interface EnabledProvider {
  id: string;
  name: string;
}

interface Resolved extends EnabledProvider {
  provider: Provider;
  signInOrigin?: string;
}

function resolve(env: OAuthEnv): Resolved[] {
  const read = (name: string) => (env as Record<string, string | undefined>)[name];
  return SPECS.flatMap((spec) => {
    const [idVar, secretVar, issuerVar] = ["ID", "SECRET", "ISSUER"].map((s) => `${spec.prefix}_${s}`) as [string, string, string];
    const clientId = read(idVar);
    const clientSecret = read(secretVar);
    const issuer = trimSlash(read(issuerVar));
    if (!clientId) {
      if (clientSecret) throw new ConfigError(`${idVar}: required when ${secretVar} is set`);
      return [];
    }
    if (!clientSecret) throw new ConfigError(`${secretVar}: required when ${idVar} is set`);
    if (spec.issuer === "required" && !issuer) throw new ConfigError(`${issuerVar}: required when ${idVar} is set (the issuer URL)`);
    const name = (spec.nameVariable && read(spec.nameVariable)) || spec.name;
    const provider = spec.build({ clientId, clientSecret, name, ...(issuer && spec.issuer !== "none" ? { issuer } : {}) });
    return [{ id: spec.id, name, provider, signInOrigin: spec.signInOrigin(issuer) }];
  });
}

/** The next-auth providers the environment enables; throws ConfigError on a half-configured one. */
export const oauthProviders = (env: OAuthEnv = serverEnv()): Provider[] => resolve(env).map((r) => r.provider);

/** Id and button label of each enabled provider, for the sign-in page. */
export const enabledOAuthProviders = (env: OAuthEnv = serverEnv()): EnabledProvider[] =>
  resolve(env).map(({ id, name }) => ({ id, name }));

/** How OAuth identifiers are made (oauth-sign-in.ts), from the same variables. */
export function oauthSettings(env: OAuthEnv = serverEnv()): OAuthSettings {
  return { mode: env.OAUTH_IDENTIFIER, oidcClaim: env.AUTH_OIDC_IDENTIFIER_CLAIM, entraTenantIssuer: isEntraTenantIssuer(env.AUTH_MICROSOFT_ENTRA_ID_ISSUER) };
}

/** The login-page origins of the enabled providers, for the pages' CSP form-action (src/server/security). */
export const oauthSignInOrigins = (env: OAuthEnv = serverEnv()): string[] =>
  resolve(env).flatMap((r) => (r.signInOrigin ? [r.signInOrigin] : []));

/** For scripts/stack.ts: fail `npm start` with one line before Next starts. */
export const checkOAuthEnv = (env: Env): void => void resolve(parseOAuthEnv(env));
