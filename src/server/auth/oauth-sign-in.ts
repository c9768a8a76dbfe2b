/**
 * What an OAuth/OIDC sign-in means for Threadbook, kept apart from next-auth so tests call it directly.
 *
 * The identifier (the user's id, which every thread is scoped by) is the one Chainlit uses for that provider, so a
 * person sees the same history in both apps:
 *
 * | provider           | identifier (OAUTH_IDENTIFIER=chainlit, the default)   | with OAUTH_IDENTIFIER=email |
 * | ------------------ | ----------------------------------------------------- | --------------------------- |
 * | GitHub             | `login`                                               | verified primary email      |
 * | Microsoft Entra ID | Graph `userPrincipalName`, case kept                  | verified email              |
 * | Google, Keycloak, Cognito | verified email                                 | verified email              |
 * | generic OIDC       | claim AUTH_OIDC_IDENTIFIER_CLAIM (default `email`)    | verified email              |
 *
 * An email is an identifier only when the provider vouches for it: otherwise anybody could register
 * alice@example.com at a lax issuer and read Alice's threads.
 */
import { IdentifierSchema, type DynamoDBDataLayer } from "@/data";
import type { OAuthIdentifierMode } from "../env";

export const GITHUB_ID = "github";
export const ENTRA_ID = "microsoft-entra-id";
export const GENERIC_OIDC_ID = "oidc";

export interface OAuthSettings {
  mode: OAuthIdentifierMode;
  /** The generic OIDC provider's identifier claim (Chainlit's default: `email`). */
  oidcClaim: string;
  /** True when Entra is configured with one tenant's issuer, whose directory owns its users' addresses. */
  entraTenantIssuer: boolean;
}

/** What a provider said about the person: its claims (or GitHub's /user) and any API answers fetched for them. */
export interface OAuthFacts {
  provider: string;
  profile: Record<string, unknown>;
  /** GitHub's `/user/emails` answer (fetched in email mode). */
  githubEmails?: unknown;
  /** Microsoft Graph's `/me` answer (fetched in chainlit mode). */
  graphUser?: unknown;
}

export type RefusalReason = "UnverifiedEmail" | "NoIdentifier" | "PasswordAccount";
export type OAuthIdentity = { ok: true; identifier: string } | { ok: false; reason: RefusalReason };

/** Which API answers the identifier needs, so the caller fetches only those. */
export function factsNeeded(provider: string, settings: OAuthSettings): { githubEmails: boolean; graphUser: boolean } {
  return {
    githubEmails: provider === GITHUB_ID && settings.mode === "email",
    graphUser: provider === ENTRA_ID && settings.mode === "chainlit",
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const stringOf = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

/** GitHub: the primary address, only if GitHub marks it verified (the public `email` of /user carries no such mark). */
function githubVerifiedEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const primary = emails.find((e) => isObject(e) && e.primary === true);
  return isObject(primary) && primary.verified === true ? stringOf(primary.email) : null;
}

/**
 * Entra's `email` claim is whatever the account's owner typed, unless the directory is one tenant's (its admins own
 * the addresses) or the token itself says the domain owner verified it (`xms_edov`, or the optional
 * `verified_primary_email` claim naming that address). Never the multi-tenant `email` alone.
 */
function entraVerifiedEmail(profile: Record<string, unknown>, settings: OAuthSettings): string | null {
  const email = stringOf(profile.email);
  if (!email) return null;
  const listed = Array.isArray(profile.verified_primary_email) && profile.verified_primary_email.some((e) => typeof e === "string" && e.toLowerCase() === email.toLowerCase());
  return settings.entraTenantIssuer || profile.xms_edov === true || listed ? email : null;
}

/**
 * OIDC's `email_verified` is a boolean, but Amazon Cognito's userinfo endpoint sends the string "true" (or "false").
 * Exactly those four letters count, nothing looser ("TRUE", "1", "yes", " true"): a lax reading of a claim that
 * decides whose history a sign-in opens is how an unverified address would get in.
 */
const vouched = (claim: unknown): boolean => claim === true || claim === "true";

/** The provider's email if it vouches for it; a missing `email_verified` counts as unverified. */
export function verifiedEmail(facts: OAuthFacts, settings: OAuthSettings): string | null {
  if (facts.provider === GITHUB_ID) return githubVerifiedEmail(facts.githubEmails);
  if (facts.provider === ENTRA_ID) return entraVerifiedEmail(facts.profile, settings);
  return vouched(facts.profile.email_verified) ? stringOf(facts.profile.email) : null;
}

/** Chainlit's identifier when it is not the email; null when the email is (then it must be verified). */
function chainlitNonEmailIdentifier(facts: OAuthFacts, settings: OAuthSettings): { value: string | null } | null {
  if (facts.provider === GITHUB_ID) return { value: stringOf(facts.profile.login) };
  if (facts.provider === ENTRA_ID) return { value: isObject(facts.graphUser) ? stringOf(facts.graphUser.userPrincipalName) : null };
  if (facts.provider === GENERIC_OIDC_ID && settings.oidcClaim !== "email") return { value: stringOf(facts.profile[settings.oidcClaim]) };
  return null;
}

/** The identifier for a sign-in, or why it is refused. Case is kept, as Chainlit keeps it. */
export function oauthIdentity(facts: OAuthFacts, settings: OAuthSettings): OAuthIdentity {
  const other = settings.mode === "chainlit" ? chainlitNonEmailIdentifier(facts, settings) : null;
  if (other) {
    const parsed = IdentifierSchema.safeParse(other.value);
    return parsed.success ? { ok: true, identifier: parsed.data } : { ok: false, reason: "NoIdentifier" };
  }
  const email = verifiedEmail(facts, settings);
  if (!email) return { ok: false, reason: "UnverifiedEmail" };
  const parsed = IdentifierSchema.safeParse(email);
  return parsed.success && parsed.data.includes("@") ? { ok: true, identifier: parsed.data } : { ok: false, reason: "NoIdentifier" };
}

/**
 * Whether an OAuth sign-in may enter the account its identifier names. Identifiers are one namespace, whichever
 * provider or password made them, and only an email the provider vouches for says who a person is: a GitHub login,
 * a generic OIDC claim such as `preferred_username` or `sub`, a UPN is a name someone chose or was given at that
 * provider. So an account with a password (made with `npm run user -- add`, which takes any identifier) is entered by
 * OAuth only when the identifier is the email the provider verified: otherwise whoever registers the GitHub login
 * `admin`, or a lax issuer's `preferred_username` `alice@example.com`, signed in to the password user of that name.
 * Accounts without a password (made by an OAuth sign-in, a Chainlit app, `npm run doctor`) are as before.
 */
export async function oauthMayEnter(data: Pick<DynamoDBDataLayer, "getUserAuth">, identity: { identifier: string; verifiedEmail: string | null }): Promise<boolean> {
  if (identity.verifiedEmail !== null && identity.verifiedEmail.toLowerCase() === identity.identifier.toLowerCase()) return true;
  return !(await data.getUserAuth(identity.identifier))?.passwordHash;
}

/**
 * Creates the user item on the first sign-in and returns the stored identifier. createUser only fills attributes
 * that are missing, so a later sign-in never resets createdAt, the display name or metadata.
 */
export async function admitOAuthUser(data: DynamoDBDataLayer, signIn: { provider: string; identifier: string; name?: string | null }): Promise<string> {
  const displayName = signIn.name?.trim().slice(0, 200) || null;
  const user = await data.createUser({ identifier: signIn.identifier, displayName, metadata: { provider: signIn.provider } });
  return user.identifier;
}
