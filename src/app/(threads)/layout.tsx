import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ComposerSettingsProvider } from "@/components/composer/composer-settings";
import { AppShell } from "@/components/shell/app-shell";
import { I18nProvider } from "@/lib/client/i18n-provider";
import { requestLocale } from "@/lib/server/request-locale";
import { currentUser, signOut } from "@/server/auth";
import { revokeSessions } from "@/server/auth/sessions";
import { signInAgainAction } from "@/server/auth/sign-in-again";
import { storageOwnerTag } from "@/server/auth/storage-owner";
import { composerSettings } from "@/server/chat/composer-settings";
import { getServices } from "@/server/services";
// KaTeX's styles and fonts (bundled, served from this origin) for math in Markdown (markdown.tsx).
import "katex/dist/katex.min.css";
import "./threads.css";

/** The signed-in shell: the thread sidebar (a drawer on phones), the main pane, and what the message box needs. */
export default async function ThreadsLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  const locale = await requestLocale();
  async function signOutAction() {
    "use server";
    // The shell empties the tab's stores and then loads /sign-in itself (components/shell/app-shell.tsx).
    await signOut({ redirect: false });
  }
  /** Ends every session of this user (sessions.ts), then this browser's. */
  async function signOutEverywhereAction() {
    "use server";
    const signedIn = await currentUser();
    if (signedIn) await revokeSessions(getServices(), signedIn.id);
    await signOut({ redirect: false });
  }
  return (
    <I18nProvider initialLocale={locale}>
      <ComposerSettingsProvider settings={composerSettings(getServices())}>
        <AppShell key={user.identifier} user={{ identifier: user.identifier, name: user.name && user.name !== user.identifier ? user.name : null, storageOwner: storageOwnerTag(user.id, getServices().env.AUTH_SECRET) }} signOutAction={signOutAction} signOutEverywhereAction={signOutEverywhereAction} signInAgainAction={signInAgainAction}>
          {children}
        </AppShell>
      </ComposerSettingsProvider>
    </I18nProvider>
  );
}
