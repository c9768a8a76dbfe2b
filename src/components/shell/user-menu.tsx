"use client";

import { useEffect, useState, useTransition } from "react";
import { DELETE_ACCOUNT_PARAM } from "@/lib/shared/delete-account-param";
import { withTabUser } from "@/lib/client/client-state";
import { useI18n } from "@/lib/client/i18n-provider";
import { useShell, type ShellUser } from "./shell-context";
import { ActionMenu } from "@/components/ui/action-menu";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ImportDialog } from "@/components/import/import-dialog";
import { SharedLinksDialog } from "@/components/share/shared-links-dialog";
import { OnceOpened } from "@/components/ui/once-opened";
import { DeleteAllDialog } from "@/components/account/delete-all-dialog";
import { RetentionDialog } from "@/components/account/retention-dialog";
import { DeleteAccountDialog } from "@/components/account/delete-account-dialog";

interface UserMenuProps {
  user: ShellUser;
  signOutEverywhereAction: () => Promise<void>;
  /** Clears the tab and lands on the sign-in page (app-shell.tsx): after the account is deleted. */
  signOutAction: () => Promise<void>;
  /** "Sign in again" before "Delete my account" (server/auth/sign-in-again.ts), a server action. */
  signInAgainAction: (form: FormData) => Promise<void>;
}

/**
 * The signed-in user in the sidebar's foot; its menu holds "Sign out everywhere" (after a confirmation) and the two
 * complete deletes, last and marked as dangerous (docs/security.md, "Deleting everything").
 */
export function UserMenu({ user, signOutEverywhereAction, signOutAction, signInAgainAction }: UserMenuProps) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [sharedLinks, setSharedLinks] = useState(false);
  const [pending, startTransition] = useTransition();
  const [importing, setImporting] = useState(false);
  const { showShortcuts } = useShell();
  const [deletingAll, setDeletingAll] = useState(false);
  const [retention, setRetention] = useState(false);
  const [deletingAccount, setDeletingAccount] = useState(false);
  // Back from "Sign in again" (server/auth/sign-in-again.ts): the dialog opens once, and the parameter leaves the
  // address so a reload or a copied link does not open it again. It only opens the dialog; the server decides.
  // Both steps in one task, so an effect run twice (development's strict mode) still opens it once.
  useEffect(() => {
    if (!new URL(window.location.href).searchParams.has(DELETE_ACCOUNT_PARAM)) return;
    const timer = setTimeout(() => {
      const url = new URL(window.location.href);
      url.searchParams.delete(DELETE_ACCOUNT_PARAM);
      window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
      setDeletingAccount(true);
    });
    return () => clearTimeout(timer);
  }, []);
  return (
    <>
      <ActionMenu
        label={t.accountMenu}
        className="user-chip"
        namedByContent
        side="top"
        align="start"
        testId="user-menu"
        items={[
          { key: "import", label: t.importConversations, focus: "dialog", onSelect: () => setImporting(true) },
          // A plain navigation: the route streams the zip and the browser saves it as it arrives.
          { key: "export-all", label: t.exportAll, hint: ".zip", onSelect: () => window.location.assign(withTabUser("/api/export")) },
          { key: "shared-links", label: t.sharedLinks, focus: "dialog", onSelect: () => setSharedLinks(true) },
          { key: "shortcuts", label: t.keyboardShortcuts, focus: "dialog", onSelect: showShortcuts },
          { key: "retention", label: t.retentionMenu, focus: "dialog", onSelect: () => setRetention(true) },
          { key: "everywhere", label: t.signOutEverywhere, focus: "dialog", onSelect: () => setConfirming(true) },
          { key: "delete-all", label: t.deleteAllConversations, danger: true, focus: "dialog", onSelect: () => setDeletingAll(true) },
          { key: "delete-account", label: t.deleteAccount, danger: true, focus: "dialog", onSelect: () => setDeletingAccount(true) },
        ]}
      >
        <span className="avatar" aria-hidden="true">
          {initials(user.name ?? user.identifier)}
        </span>
        <span className="user-text">
          {user.name ? <span className="user-name">{user.name}</span> : null}
          <span className="user-id" data-testid="current-user" title={user.identifier}>
            {user.identifier}
          </span>
        </span>
      </ActionMenu>
      {/* Mounted on first open: closed, their queries and mutations would run in every page's server render. */}
      <OnceOpened open={importing}>
        <ImportDialog open={importing} onOpenChange={setImporting} />
      </OnceOpened>
      <OnceOpened open={sharedLinks}>
        <SharedLinksDialog open={sharedLinks} onOpenChange={setSharedLinks} />
      </OnceOpened>
      <OnceOpened open={retention}>
        <RetentionDialog open={retention} onOpenChange={setRetention} />
      </OnceOpened>
      <OnceOpened open={deletingAll}>
        <DeleteAllDialog open={deletingAll} onOpenChange={setDeletingAll} />
      </OnceOpened>
      <OnceOpened open={deletingAccount}>
        <DeleteAccountDialog open={deletingAccount} onOpenChange={setDeletingAccount} identifier={user.identifier} signOut={signOutAction} signInAgain={signInAgainAction} />
      </OnceOpened>
      <ConfirmDialog
        open={confirming}
        title={t.signOutEverywhereTitle}
        body={t.signOutEverywhereBody}
        confirmLabel={t.signOutEverywhere}
        busy={pending}
        onCancel={() => setConfirming(false)}
        // The action ends with a redirect to the sign-in page.
        onConfirm={() => startTransition(() => signOutEverywhereAction())}
      />
    </>
  );
}

function initials(name: string): string {
  const words = name.replace(/@.*/, "").split(/[\s._-]+/).filter(Boolean);
  const letters = words.length >= 2 ? words[0]![0]! + words[1]![0]! : (words[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}
