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
  | { ok: true; user: { id: string; identifier: string; name: string } }
  | { ok: false; reason: "invalid" | "rate_limited"; retryAfterSeconds?: number };

export async function checkCredentials(
  data: DynamoDBDataLayer,
  input: unknown,
  clientAddress: string,
): Promise<CredentialsResult> {
  const parsed = CredentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const identifier = parsed.data.identifier.toLowerCase();
  // Limits (rate-limit.ts) are read before the password is checked, and only failures count.
  const limiter = signInLimiter(data, identifier, clientAddress);
  const decision = await limiter.check();
  if (!decision.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: decision.retryAfterSeconds };
  const hash = await data.getUserPasswordHash(identifier);
  if (!(await verifyPassword(parsed.data.password, hash))) {
    await limiter.fail();
    return { ok: false, reason: "invalid" };
  }
  await limiter.succeed();
  const user = await data.getUser(identifier);
  if (!user) return { ok: false, reason: "invalid" };
  return { ok: true, user: { id: user.id, identifier: user.identifier, name: user.displayName ?? user.identifier } };
}
