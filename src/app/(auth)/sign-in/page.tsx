import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth";
import { enabledOAuthProviders } from "@/server/auth/providers";
import { safeCallbackPath } from "@/server/auth/safe-callback";
import { serverEnv } from "@/server/env";
import { OAuthButtons } from "./oauth-buttons";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  const target = safeCallbackPath(callbackUrl);
  if (await currentUser()) redirect(target);
  // The embedded default shows its demo account; a real deployment never sets THREADBOOK_DEMO.
  const env = serverEnv();
  const demo = env.THREADBOOK_DEMO ? { identifier: "alice@example.com", password: env.DEMO_PASSWORD ?? "" } : null;
  return (
    <main className="auth-page">
      <div style={{ display: "grid", gap: 12, width: "100%", maxWidth: 380 }}>
        <SignInForm callbackUrl={target} demo={demo} />
        <OAuthButtons providers={enabledOAuthProviders(env)} callbackUrl={target} error={error} />
      </div>
    </main>
  );
}
