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
  // The attempt is counted before the password is checked (rate-limit.ts), so parallel guesses cannot share one
  // look at the counters; the user's item is read alongside, in the same round trip.
  const limiter = signInLimiter(data, identifier.toLowerCase(), clientAddress);
  const [limit, authRead] = await Promise.allSettled([limiter.begin(), data.getUserAuth(identifier)]);
  if (limit.status === "rejected") throw limit.reason;
  if (!limit.value.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.value.retryAfterSeconds };
  let auth: Awaited<ReturnType<DynamoDBDataLayer["getUserAuth"]>>;
  let verified: boolean;
  try {
    if (authRead.status === "rejected") throw authRead.reason;
    auth = authRead.value;
    // Verified even for an unknown user, so the answer takes as long either way.
    verified = await verifyPassword(parsed.data.password, auth?.passwordHash);
  } catch (error) {
    // Neither a failure nor a success: the attempt is taken back so an outage does not lock anyone out.
    await limiter.abandon();
    throw error;
  }
  if (!verified || !auth) {
    await limiter.fail();
    return { ok: false, reason: "invalid" };
  }
  await limiter.succeed();
  const stored = auth.identifier;
  return { ok: true, user: { id: stored, identifier: stored, name: auth.displayName ?? stored, sessionVersion: auth.sessionVersion } };
}
