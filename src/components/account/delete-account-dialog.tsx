"use client";

import { useId, useRef, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { refusalMessage } from "@/lib/client/refusal-message";
import { api } from "@/trpc/react";
import { ModalDialog } from "@/components/ui/radix-dialog";
import "./deletion.css";

/**
 * "Delete my account": the user types their password (or, without one, their identifier) before anything goes
 * (docs/security.md, "Deleting everything"). On success every session has already ended on the server; `signOut`
 * clears this tab and lands on the sign-in page, while the job deletes the threads in the background.
 */
export function DeleteAccountDialog({ open, onOpenChange, identifier, signOut }: { open: boolean; onOpenChange: (open: boolean) => void; identifier: string; signOut: () => Promise<void> }) {
  const { t } = useI18n();
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [typed, setTyped] = useState("");
  const asks = api.user.deleteAccountConfirmation.useQuery(undefined, { enabled: open, refetchOnWindowFocus: false });
  const remove = api.user.deleteAccount.useMutation({ onSuccess: () => signOut() });
  const error = remove.error
    ? remove.error.data?.code === "FORBIDDEN"
      ? t.deleteAccountWrong
      : remove.error.data?.code === "TOO_MANY_REQUESTS"
        ? t.deleteAccountTooManyTries
        : (refusalMessage(t, remove.error.data?.refusal) ?? remove.error.message)
    : null;
  const isPassword = asks.data === "password";
  const busy = remove.isPending || remove.isSuccess;
  return (
    <ModalDialog open={open} onOpenChange={(next) => !busy && onOpenChange(next)} title={t.deleteAccountTitle} description={t.deleteAccountBody} initialFocus={field} size="sm" testId="delete-account-dialog">
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
    </ModalDialog>
  );
}
