/**
 * Checks an identifier and password against the user item, with rate limits. Pure of next-auth, so tests call it
 * directly; `clientAddress` is the one Threadbook's server resolved (server/http/client-address.ts).
 */
import { z } from "zod";
import { IdentifierSchema, type DynamoDBDataLayer } from "@/data";
import { PASSWORD_MAX, verifyPassword } from "./password";
import { signInLimiter } from "./rate-limit";

export const CredentialsSchema = z.object({
  identifier: IdentifierSchema,
  password: z.string().min(1, "Enter your password").max(PASSWORD_MAX),
});

export type CredentialsResult =
  | { ok: true; user: { id: string; identifier: string; name: string; sessionVersion: string } }
  | { ok: false; reason: "invalid" | "rate_limited"; retryAfterSeconds?: number };

export async function checkCredentials(
  data: DynamoDBDataLayer,
  input: unknown,
  clientAddress: string,
): Promise<CredentialsResult> {
  const parsed = CredentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  // The identifier is looked up in any case and signs in as stored (Chainlit keys threads by its exact case); only
  // the limits count it lowercased, so changing the case does not buy more guesses.
  const { identifier } = parsed.data;
  // Limits (rate-limit.ts) are read before the password is checked, and only failures count.
  const limiter = signInLimiter(data, identifier.toLowerCase(), clientAddress);
  const decision = await limiter.check();
  if (!decision.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: decision.retryAfterSeconds };
  const auth = await data.getUserAuth(identifier);
  // Verified even for an unknown user, so the answer takes as long either way.
  const verified = await verifyPassword(parsed.data.password, auth?.passwordHash);
  if (!verified || !auth) {
    await limiter.fail();
    return { ok: false, reason: "invalid" };
  }
  await limiter.succeed();
  const stored = auth.identifier;
  return { ok: true, user: { id: stored, identifier: stored, name: auth.displayName ?? stored, sessionVersion: auth.sessionVersion } };
}
