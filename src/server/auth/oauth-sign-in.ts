/**
 * What an OAuth/OIDC sign-in means for Threadbook, kept apart from next-auth so tests call it directly.
 * As in Chainlit, the user's identifier (their id, which every thread is scoped by) is the email the provider gives.
 */
import { IdentifierSchema, type DynamoDBDataLayer } from "@/data";

export interface OAuthSignIn {
  provider: string;
  email?: string | null;
  name?: string | null;
  /** The provider's raw claims; only `email_verified` is read. */
  profile?: Record<string, unknown> | null;
}

/**
 * The identifier for a provider's email, or null to refuse the sign-in. Lowercased as the password sign-in does,
 * so one person is one user whichever way they sign in. An email the provider itself says is unverified is refused:
 * otherwise anybody could register alice@example.com at a lax issuer and read Alice's threads.
 */
export function oauthIdentifier({ email, profile }: Pick<OAuthSignIn, "email" | "profile">): string | null {
  if (profile?.email_verified === false || profile?.email_verified === "false") return null;
  const parsed = IdentifierSchema.safeParse(email?.toLowerCase());
  return parsed.success && parsed.data.includes("@") ? parsed.data : null;
}

/**
 * Creates the user item on the first sign-in. createUser only fills attributes that are missing, so a later
 * sign-in never resets createdAt, the display name or metadata (Chainlit's login overwrote the user each time).
 */
export async function admitOAuthUser(data: DynamoDBDataLayer, signIn: OAuthSignIn): Promise<string | null> {
  const identifier = oauthIdentifier(signIn);
  if (!identifier) return null;
  const displayName = signIn.name?.trim().slice(0, 200) || null;
  await data.createUser({ identifier, displayName, metadata: { provider: signIn.provider } });
  return identifier;
}
