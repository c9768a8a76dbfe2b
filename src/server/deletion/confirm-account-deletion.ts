/**
 * What a user types before their account is deleted (docs/security.md, "Deleting everything"). A password user types
 * their password, checked exactly as a sign-in is (checkCredentials, its rate limits included, so this form is no way
 * around them): it proves the person at the keyboard owns the account, not someone at an unlocked screen or holding a
 * stolen session cookie. A user with no password here (OAuth, or made by Chainlit) has nothing to prove it with: they
 * type their identifier, which guards against a slip, not against a stolen session.
 */
import { TRPCError } from "@trpc/server";
import { checkCredentials } from "../auth/credentials";
import type { SessionUser } from "../auth/session-user";
import type { Services } from "../services";

export type ConfirmationKind = "password" | "identifier";

/** Which confirmation the user is asked for: one GetItem of their AUTH item. */
export async function confirmationKind(services: Pick<Services, "data">, userId: string): Promise<ConfirmationKind> {
  return (await services.data.getUserAuth(userId))?.passwordHash ? "password" : "identifier";
}

/** Throws FORBIDDEN for a wrong confirmation, TOO_MANY_REQUESTS past the sign-in limits; returns when it is right. */
export async function assertAccountDeletionConfirmed(services: Pick<Services, "data">, user: SessionUser, typed: string, clientAddress: string | null): Promise<void> {
  if ((await confirmationKind(services, user.id)) === "identifier") {
    if (typed.trim().toLowerCase() !== user.id.toLowerCase()) throw wrongConfirmation();
    return;
  }
  // No address (a server-side caller, a test): the identifier's own limit still counts every guess.
  const checked = await checkCredentials(services.data, { identifier: user.id, password: typed }, clientAddress ?? "unknown");
  if (checked.ok) return;
  if (checked.reason === "rate_limited") throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many attempts; try again in ${checked.retryAfterSeconds ?? 60} s.` });
  throw wrongConfirmation();
}

const wrongConfirmation = () => new TRPCError({ code: "FORBIDDEN", message: "That does not confirm this account." });
