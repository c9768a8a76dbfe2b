import type { Dictionary } from "@/lib/shared/i18n/en";
import { signIn } from "@/server/auth";
import type { RefusalReason } from "@/server/auth/oauth-sign-in";
import { enabledOAuthProviders, type EnabledProvider } from "@/server/auth/providers";
import { safeCallbackPath } from "@/server/auth/safe-callback";

/** Why an account was turned away (config.ts signIn → /sign-in?error=…), as opposed to a broken round trip. */
type Refusals = Record<RefusalReason | "AccessDenied", string>;
const refusal = (refusals: Refusals, error: string) => (Object.hasOwn(refusals, error) ? refusals[error as keyof Refusals] : null);

/** Runs on the server: the provider and target come from the form, so both are checked again here. */
async function signInWithProvider(form: FormData) {
  "use server";
  const provider = String(form.get("provider") ?? "");
  if (!enabledOAuthProviders().some((p) => p.id === provider)) return;
  // Same-site paths only; Auth.js's redirect callback decides the same way (safe-callback.ts).
  await signIn(provider, { redirectTo: safeCallbackPath(form.get("callbackUrl")) });
}

/** One button per provider the environment enables (providers.ts); nothing when there are none. */
export function OAuthButtons({ providers, callbackUrl, error, t }: { providers: EnabledProvider[]; callbackUrl: string; error?: string; t: Dictionary }) {
  if (providers.length === 0) return null;
  return (
    <section className="auth-card" aria-label={t.signInPage.otherWays}>
      {error ? (
        <p role="alert" className="error-text" style={{ margin: 0 }}>
          {refusal(t.signInPage.refusals, error) ?? t.signInPage.providerFailed}
        </p>
      ) : null}
      {providers.map((p) => (
        <form key={p.id} action={signInWithProvider}>
          <input type="hidden" name="provider" value={p.id} />
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          <button type="submit" className="btn" style={{ width: "100%", justifyContent: "center" }}>
            {t.signInWith(p.name)}
          </button>
        </form>
      ))}
    </section>
  );
}
