/**
 * The provider API calls an identifier needs beyond the token's claims (oauth-sign-in.ts, factsNeeded): GitHub's
 * list of the user's addresses with their verified flags, and Microsoft Graph's `/me` for the userPrincipalName.
 * Made with the access token of the sign-in, bounded in time and size (provider-fetch.ts); a failure refuses the
 * sign-in (no identifier).
 */
import { factsNeeded, type OAuthFacts, type OAuthSettings } from "./oauth-sign-in";
import { providerJson, type FetchLike } from "./provider-fetch";

export type { FetchLike };

export const GITHUB_EMAILS_URL = "https://api.github.com/user/emails";
export const GRAPH_ME_URL = "https://graph.microsoft.com/v1.0/me?$select=userPrincipalName,mail,displayName";

/** The answer, or null for any failure (provider-fetch.ts bounds it: an oversized or late answer is a failure). */
const getJson = (fetchFn: FetchLike, url: string, accessToken: string): Promise<unknown> => providerJson(url, accessToken, fetchFn).catch(() => null);

export async function gatherOAuthFacts(
  input: { provider: string; profile: Record<string, unknown>; accessToken: string | undefined },
  settings: OAuthSettings,
  fetchFn: FetchLike = fetch,
): Promise<OAuthFacts> {
  const facts: OAuthFacts = { provider: input.provider, profile: input.profile };
  const need = factsNeeded(input.provider, settings);
  if (!input.accessToken) return facts;
  if (need.githubEmails) facts.githubEmails = await getJson(fetchFn, GITHUB_EMAILS_URL, input.accessToken);
  if (need.graphUser) facts.graphUser = await getJson(fetchFn, GRAPH_ME_URL, input.accessToken);
  return facts;
}
