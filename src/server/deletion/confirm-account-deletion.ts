/**
 * What a user proves before their account is deleted (docs/security.md, "Deleting everything"). A password user types
 * their password, checked exactly as a sign-in is (checkCredentials, its rate limits included, so this form is no way
 * around them): it proves the person at the keyboard owns the account, not someone at an unlocked screen or holding a
 * stolen session cookie. A user with no password here (OAuth, or made by Chainlit) has nothing to type that proves
 * it, so their session must have signed in within RECENT_SIGN_IN_SECONDS (GitHub's "sudo mode", Google's "verify
 * it's you"): an old or stolen cookie alone cannot erase the account; signing in again at the provider can. They
 * also type their identifier, which guards against a slip.
 */
import { TRPCError } from "@trpc/server";
import { checkCredentials } from "../auth/credentials";
import type { SessionUser } from "../auth/session-user";
import type { Services } from "../services";

/** How recent a sign-in must be for a user without a password to delete their account: 10 minutes. */
export const RECENT_SIGN_IN_SECONDS = 600;

export type ConfirmationKind = "password" | "identifier";

/**
 * What "Delete my account" asks for. For a user without a password, whether this session's sign-in is recent enough
 * and which provider signs in again (null: unknown, the dialog signs out to the sign-in page instead).
 */
export type DeletionConfirmation = { kind: "password" } | { kind: "identifier"; recentSignIn: boolean; recentSignInMinutes: number; provider: string | null };

/** Which confirmation the user is asked for: one GetItem of their AUTH item. */
export async function confirmationKind(services: Pick<Services, "data">, userId: string): Promise<ConfirmationKind> {
  return (await services.data.getUserAuth(userId))?.passwordHash ? "password" : "identifier";
}

/** A sign-in time in the last RECENT_SIGN_IN_SECONDS; a missing one (a token from before they were stamped) is not. */
export function isRecentSignIn(user: SessionUser, now = Date.now()): boolean {
  const at = user.signedInAt;
  // A time ahead of the clock by more than a minute of skew is no sign-in this server stamped.
  return typeof at === "number" && now - at <= RECENT_SIGN_IN_SECONDS * 1000 && at - now <= 60_000;
}

export async function deletionConfirmation(services: Pick<Services, "data">, user: SessionUser): Promise<DeletionConfirmation> {
  if ((await confirmationKind(services, user.id)) === "password") return { kind: "password" };
  const provider = user.signInProvider && user.signInProvider !== "credentials" ? user.signInProvider : null;
  return { kind: "identifier", recentSignIn: isRecentSignIn(user), recentSignInMinutes: RECENT_SIGN_IN_SECONDS / 60, provider };
}

/**
 * Throws FORBIDDEN for a wrong confirmation, PRECONDITION_FAILED for a user without a password whose sign-in is not
 * recent, TOO_MANY_REQUESTS past the sign-in limits; returns when it is right. Decided here, never by the browser.
 */
export async function assertAccountDeletionConfirmed(services: Pick<Services, "data">, user: SessionUser, typed: string, clientAddress: string | null): Promise<void> {
  if ((await confirmationKind(services, user.id)) === "identifier") {
    if (!isRecentSignIn(user)) throw signInAgain();
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
const signInAgain = () =>
  new TRPCError({ code: "PRECONDITION_FAILED", message: `Sign in again to delete this account: it needs a sign-in within the last ${RECENT_SIGN_IN_SECONDS / 60} minutes.` });
