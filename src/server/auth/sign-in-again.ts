"use server";
/**
 * "Sign in again" in the "Delete my account" dialog (docs/security.md, "Deleting everything"): a user without a
 * password whose sign-in is not recent signs in once more with the provider this session used, and comes back to the
 * page they were on with the dialog open again (the `delete-account` parameter, read once by the user menu). Whoever signs in
 * then is who the session is, and the dialog and the server act on that user alone.
 */
import { currentUser, signIn, signOut } from "./index";
import { ENTRA_ID, GENERIC_OIDC_ID } from "./oauth-sign-in";
import { enabledOAuthProviders } from "./providers";
import { signInAgainTarget } from "./sign-in-again-target";

/**
 * OpenID Connect issuers that honour `prompt=login` (OIDC Core §3.1.2.1) ask for the user's credentials again even
 * while their own session is alive, so a browser left signed in at the provider is not enough. GitHub and Google have
 * no such prompt (Google refuses unknown values): they may pass straight through while their session lasts.
 */
const ASKS_AGAIN = new Set([GENERIC_OIDC_ID, "keycloak", ENTRA_ID]);

export async function signInAgainAction(form: FormData): Promise<void> {
  const user = await currentUser();
  if (!user) return;
  const redirectTo = signInAgainTarget(form.get("returnTo"));
  // The provider comes from the session itself, never from the form.
  const provider = enabledOAuthProviders().find((p) => p.id === user.signInProvider);
  if (provider) {
    await signIn(provider.id, { redirectTo }, ASKS_AGAIN.has(provider.id) ? { prompt: "login" } : undefined);
    return;
  }
  // Unknown (a session from before sign-in times were kept) or no longer offered: the sign-in page, then back.
  await signOut({ redirectTo: `/sign-in?callbackUrl=${encodeURIComponent(redirectTo)}` });
}
