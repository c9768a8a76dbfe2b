"use client";

import { useId, useRef, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { actionErrorMessage } from "@/lib/client/error-messages/save-error-message";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { FormActions } from "@/components/ui/form-actions";
import "./deletion.css";

/**
 * "Delete my account": the user types their password (or, without one, their identifier) before anything goes
 * (docs/security.md, "Deleting everything"). A user without a password whose sign-in is not recent is first asked to
 * sign in again (server/auth/sign-in-again.ts), and comes back here. The server decides both; this only asks. On
 * success every session has already ended on the server; `signOut` clears this tab and lands on the sign-in page,
 * while the job deletes the threads in the background.
 */
export function DeleteAccountDialog({
  open,
  onOpenChange,
  identifier,
  signOut,
  signInAgain: signInAgainAction,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  identifier: string;
  signOut: () => Promise<void>;
  signInAgain: (form: FormData) => Promise<void>;
}) {
  const { t } = useI18n();
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [typed, setTyped] = useState("");
  const asks = api.user.deleteAccountConfirmation.useQuery(undefined, { enabled: open, refetchOnWindowFocus: false });
  // An account deletion that failed for good (run-deletion.ts, MAX_ACCOUNT_ATTEMPTS), seen by its owner signed in
  // again: said here, where confirming runs it again.
  const earlier = api.user.deletion.useQuery(undefined, { enabled: open, refetchOnWindowFocus: false, staleTime: 0 });
  const failedBefore = earlier.data?.kind === "account" && earlier.data.status === "failed";
  const remove = api.user.deleteAccount.useMutation({
    onSuccess: () => signOut(),
    // The sign-in grew old while the dialog was open: ask again, which now offers "Sign in again".
    onError: (error) => void (error.data?.code === "PRECONDITION_FAILED" && asks.refetch()),
  });
  const error = remove.error
    ? remove.error.data?.code === "FORBIDDEN"
      ? t.deleteAccountWrong
      : remove.error.data?.code === "TOO_MANY_REQUESTS"
        ? t.deleteAccountTooManyTries
        : remove.error.data?.code === "PRECONDITION_FAILED"
          ? null
          : actionErrorMessage(t, remove.error)
    : null;
  const isPassword = asks.data?.kind === "password";
  const busy = remove.isPending || remove.isSuccess;
  const signInAgain = asks.data?.kind === "identifier" && !asks.data.recentSignIn ? asks.data.recentSignInMinutes : null;
  return (
    <ModalDialog open={open} onOpenChange={(next) => !busy && onOpenChange(next)} title={t.deleteAccountTitle} description={t.deleteAccountBody} initialFocus={field} size="sm" testId="delete-account-dialog">
      {failedBefore ? (
        <p className="delete-account-error" role="status" data-testid="delete-account-failed-before">
          {t.deleteAccountFailedBefore}
        </p>
      ) : null}
      {signInAgain !== null ? (
        <SignInAgain minutes={signInAgain} action={signInAgainAction} onCancel={() => onOpenChange(false)} />
      ) : (
        <form
          className="delete-account-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed && asks.data) remove.mutate({ confirmation: typed });
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-confirm`}>{isPassword ? t.deleteAccountPassword : t.deleteAccountIdentifier(identifier)}</label>
            <input
              ref={field}
              id={`${id}-confirm`}
              type={isPassword ? "password" : "text"}
              autoComplete={isPassword ? "current-password" : "off"}
              value={typed}
              disabled={busy || !asks.data}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(event) => setTyped(event.target.value)}
            />
          </div>
          {error ? (
            <p id={`${id}-error`} className="delete-account-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => onOpenChange(false)} disabled={busy}>
              {t.cancel}
            </button>
            <button type="submit" className="btn btn-danger" disabled={busy || !typed || !asks.data} aria-busy={busy || undefined}>
              {t.deleteAccount}
            </button>
          </div>
        </form>
      )}
    </ModalDialog>
  );
}

/** A user without a password whose sign-in is not recent: sign in again with the same provider, then come back. */
function SignInAgain({ minutes, action, onCancel }: { minutes: number; action: (form: FormData) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  // Back to this very page (the dialog only renders in the browser); the server keeps only this app's own paths.
  const returnTo = typeof window === "undefined" ? "/" : `${window.location.pathname}${window.location.search}`;
  return (
    <form className="delete-account-form" action={action}>
      <p className="delete-account-sign-in-again">{t.deleteAccountSignInAgain(minutes)}</p>
      <input type="hidden" name="returnTo" value={returnTo} />
      <FormActions onCancel={onCancel} submitLabel={t.deleteAccountSignInAgainButton} />
    </form>
  );
}
