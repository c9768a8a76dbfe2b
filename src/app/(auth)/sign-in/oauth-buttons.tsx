import { signIn } from "@/server/auth";
import type { RefusalReason } from "@/server/auth/oauth-sign-in";
import { enabledOAuthProviders, type EnabledProvider } from "@/server/auth/providers";
import { safeCallbackPath } from "@/server/auth/safe-callback";

/** Why an account was turned away (config.ts signIn → /sign-in?error=…), as opposed to a broken round trip. */
const REFUSALS: Record<RefusalReason | "AccessDenied", string> = {
  UnverifiedEmail: "That account could not be used: the provider did not confirm that its email address is verified. Verify it with the provider, or use another account.",
  NoIdentifier: "That account could not be used: the provider did not give a usable user name or email address.",
  PasswordAccount: "That account could not be used: a Threadbook account of that name signs in with a password. Sign in with the password, or with a provider that confirms this account's email address.",
  AccessDenied: "That account could not be used to sign in to Threadbook.",
};
const refusal = (error: string) => (Object.hasOwn(REFUSALS, error) ? REFUSALS[error as keyof typeof REFUSALS] : null);

/** Runs on the server: the provider and target come from the form, so both are checked again here. */
async function signInWithProvider(form: FormData) {
  "use server";
  const provider = String(form.get("provider") ?? "");
  if (!enabledOAuthProviders().some((p) => p.id === provider)) return;
  // Same-site paths only; Auth.js's redirect callback decides the same way (safe-callback.ts).
  await signIn(provider, { redirectTo: safeCallbackPath(form.get("callbackUrl")) });
}

/** One button per provider the environment enables (providers.ts); nothing when there are none. */
export function OAuthButtons({ providers, callbackUrl, error }: { providers: EnabledProvider[]; callbackUrl: string; error?: string }) {
  if (providers.length === 0) return null;
  return (
    <section className="auth-card" aria-label="Other ways to sign in">
      {error ? (
        <p role="alert" className="error-text" style={{ margin: 0 }}>
          {refusal(error) ?? "Signing in with that provider did not work. Please try again."}
        </p>
      ) : null}
      {providers.map((p) => (
        <form key={p.id} action={signInWithProvider}>
          <input type="hidden" name="provider" value={p.id} />
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          <button type="submit" className="btn" style={{ width: "100%", justifyContent: "center" }}>
            Sign in with {p.name}
          </button>
        </form>
      ))}
    </section>
  );
}
