import { signIn } from "@/server/auth";
import { enabledOAuthProviders, type EnabledProvider } from "@/server/auth/providers";

/** Auth.js's error codes that mean "your account was turned away", as opposed to a broken round trip. */
const REFUSED = new Set(["AccessDenied"]);

/** Runs on the server: the provider and target come from the form, so both are checked again here. */
async function signInWithProvider(form: FormData) {
  "use server";
  const provider = String(form.get("provider") ?? "");
  if (!enabledOAuthProviders().some((p) => p.id === provider)) return;
  const target = String(form.get("callbackUrl") ?? "");
  // Same-site paths only; Auth.js's redirect callback would also refuse another origin.
  await signIn(provider, { redirectTo: target.startsWith("/") && !target.startsWith("//") ? target : "/threads" });
}

/** One button per provider the environment enables (providers.ts); nothing when there are none. */
export function OAuthButtons({ providers, callbackUrl, error }: { providers: EnabledProvider[]; callbackUrl: string; error?: string }) {
  if (providers.length === 0) return null;
  return (
    <section className="auth-card" aria-label="Other ways to sign in">
      {error ? (
        <p role="alert" className="error-text" style={{ margin: 0 }}>
          {REFUSED.has(error)
            ? "That account could not be used: Threadbook needs a verified email address from the provider."
            : "Signing in with that provider did not work. Please try again."}
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
