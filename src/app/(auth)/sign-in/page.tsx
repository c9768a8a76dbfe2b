import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth";
import { enabledOAuthProviders } from "@/server/auth/providers";
import { safeCallbackPath } from "@/server/auth/safe-callback";
import { serverEnv } from "@/server/env";
import { requestLocale } from "@/lib/server/request-locale";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { OAuthButtons } from "./oauth-buttons";
import { SignInForm } from "./sign-in-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: DICTIONARIES[await requestLocale()].signInPage.submit };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  const target = safeCallbackPath(callbackUrl);
  if (await currentUser()) redirect(target);
  // The embedded default shows its demo account; a real deployment never sets THREADBOOK_DEMO.
  const env = serverEnv();
  // In the reader's language (the tb-locale cookie, else Accept-Language), as every other page.
  const t = DICTIONARIES[await requestLocale()];
  const demo = env.THREADBOOK_DEMO ? { identifier: "alice@example.com", password: env.DEMO_PASSWORD ?? "" } : null;
  return (
    <main className="auth-page">
      <div style={{ display: "grid", gap: 12, width: "100%", maxWidth: 380 }}>
        <SignInForm callbackUrl={target} demo={demo} t={t.signInPage} />
        <OAuthButtons providers={enabledOAuthProviders(env)} callbackUrl={target} error={error} t={t} />
      </div>
    </main>
  );
}
