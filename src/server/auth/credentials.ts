/** Checks an identifier and password against the user item, with rate limits. Pure of next-auth, so tests call it directly. */
import { z } from "zod";
import { IdentifierSchema, type DynamoDBDataLayer } from "@/data";
import { PASSWORD_MAX, verifyPassword } from "./password";
import { createRateLimiter } from "./rate-limit";

export const CredentialsSchema = z.object({
  identifier: IdentifierSchema,
  password: z.string().min(1, "Enter your password").max(PASSWORD_MAX),
});

export type CredentialsResult =
  | { ok: true; user: { id: string; identifier: string; name: string; sessionVersion: string } }
  | { ok: false; reason: "invalid" | "rate_limited"; retryAfterSeconds?: number };

// 10 tries per identifier and 30 per address in 15 minutes: enough for typos, too few to guess.
const byIdentifier = createRateLimiter({ limit: 10, windowMs: 15 * 60_000 });
const byAddress = createRateLimiter({ limit: 30, windowMs: 15 * 60_000 });

export async function checkCredentials(
  data: DynamoDBDataLayer,
  input: unknown,
  clientAddress: string,
): Promise<CredentialsResult> {
  const parsed = CredentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  // The identifier is looked up in any case and signs in as stored (Chainlit keys threads by its exact case); only
  // the limiter counts it lowercased, so changing the case does not buy more guesses.
  const { identifier } = parsed.data;
  const wait = Math.max(byIdentifier.hit(identifier.toLowerCase()), byAddress.hit(clientAddress));
  if (wait > 0) return { ok: false, reason: "rate_limited", retryAfterSeconds: wait };
  const auth = await data.getUserAuth(identifier);
  // Verified even for an unknown user, so the answer takes as long either way.
  const verified = await verifyPassword(parsed.data.password, auth?.passwordHash);
  if (!verified || !auth) return { ok: false, reason: "invalid" };
  byIdentifier.reset(identifier.toLowerCase());
  const stored = auth.identifier;
  return { ok: true, user: { id: stored, identifier: stored, name: auth.displayName ?? stored, sessionVersion: auth.sessionVersion } };
}
