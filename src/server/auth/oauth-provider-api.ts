/**
 * The provider API calls an identifier needs beyond the token's claims (oauth-sign-in.ts, factsNeeded): GitHub's
 * list of the user's addresses with their verified flags, and Microsoft Graph's `/me` for the userPrincipalName.
 * Made with the access token of the sign-in, bounded in time and size; a failure refuses the sign-in (no identifier).
 */
import { readBoundedBody } from "../http/bounded-body";
import { factsNeeded, type OAuthFacts, type OAuthSettings } from "./oauth-sign-in";

export const GITHUB_EMAILS_URL = "https://api.github.com/user/emails";
export const GRAPH_ME_URL = "https://graph.microsoft.com/v1.0/me?$select=userPrincipalName,mail,displayName";
const TIMEOUT_MS = 10_000;
const MAX_BYTES = 256 * 1024;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

async function getJson(fetchFn: FetchLike, url: string, accessToken: string): Promise<unknown> {
  try {
    const response = await fetchFn(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", "user-agent": "threadbook" },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "error",
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return null;
    }
    // Counted as it arrives: read whole first (response.text()), an endless or huge answer was held in memory for
    // as long as the timeout let it stream, whatever its size, before its length was looked at.
    const body = await readBoundedBody(response, MAX_BYTES);
    return body.ok && body.bytes ? JSON.parse(new TextDecoder().decode(body.bytes)) : null;
  } catch {
    return null;
  }
}

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
