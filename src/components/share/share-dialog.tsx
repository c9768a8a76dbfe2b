"use client";

import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { useEffect, useRef, useState } from "react";
import { formatFullDate } from "@/lib/shared/date-groups";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/router-types";
import { CopyButton } from "@/components/ui/copy-button";
import { ModalDialog } from "@/components/ui/radix-dialog";
import { useToast } from "@/components/ui/toast";
import { StopSharingConfirm } from "./stop-sharing-confirm";

type ShareState = RouterOutputs["share"]["state"];
type Access = "public" | "signed-in";
type Expiry = "1d" | "7d" | "30d" | "never";
const EXPIRIES: Expiry[] = ["1d", "7d", "30d", "never"];

/** The link Chainlit uses too, so a link made in either app opens in both. */
export const shareUrl = (threadId: string) => `${window.location.origin}/share/${encodeURIComponent(threadId)}`;

/**
 * Create the link (and copy it), choose who may open it and when it expires, share again to include new messages,
 * stop sharing. The choices are the deployment's (SHARE_ACCESS).
 */
export function ShareDialog({ threadId, open, onOpenChange }: { threadId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const state = api.share.state.useQuery({ threadId }, { staleTime: 0 });
  const [access, setAccess] = useState<Access | null>(null);
  // Null until the owner picks one: a change of access then keeps the share's own expiry (the server's, left out).
  const [expiry, setExpiry] = useState<Expiry | null>(null);
  const [confirmingStop, setConfirmingStop] = useState(false);
  const onSettled = {
    onSuccess: () => void utils.share.invalidate(),
    onError: (error: { data?: { refusal?: unknown } | null }) => toast(refusalMessage(t, error.data?.refusal) ?? t.shareFailed),
  };
  // The button pressed to create (or share again) is disabled while it works, so focus fell to the page's body: a
  // keyboard or screen reader user was left nowhere, with the new link unannounced. Once the link shows, it takes focus
  // (its field selects it, ready to copy), as the best apps put the new link in front of the user.
  const linkField = useRef<HTMLInputElement>(null);
  const focusLink = useRef(false);
  const create = api.share.create.useMutation({
    ...onSettled,
    onSuccess: () => {
      focusLink.current = true;
      onSettled.onSuccess();
    },
  });
  const update = api.share.update.useMutation(onSettled);
  const revoke = api.share.revoke.useMutation({ ...onSettled, onSettled: () => setConfirmingStop(false) });
  const busy = create.isPending || update.isPending || revoke.isPending;
  const data: ShareState | undefined = state.data;
  const policy = data?.policy ?? null;
  const current = data?.shared ? data : null;
  const chosenAccess: Access = access ?? current?.access ?? policy?.default ?? "signed-in";
  useEffect(() => {
    if (!focusLink.current || !current || busy) return;
    focusLink.current = false;
    linkField.current?.focus();
  });
  // A live share's own expiry is a date, not one of the choices: shown as its own entry until another is picked.
  const currentExpiry = current?.expiresAt ? (current.expired ? t.shareExpired : t.shareExpires(formatFullDate(current.expiresAt, locale))) : null;

  const change = (next: { access?: Access; expiry?: Expiry }) => {
    const choice = { threadId, access: next.access ?? chosenAccess, expiry: next.expiry ?? expiry ?? undefined };
    if (next.access) setAccess(next.access);
    if (next.expiry) setExpiry(next.expiry);
    // On a live share a change applies at once; before it, the choices wait for "Create link".
    if (current) update.mutate(choice);
  };

  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title={t.shareTitle} description={t.shareDescription} testId="share-dialog">
      {state.isPending ? <span className="spinner spinner-sm" aria-hidden="true" /> : null}
      {data && !policy ? <p className="share-status">{t.shareOff}</p> : null}
      {current ? (
        <div className="share-field">
          <label htmlFor="share-link">{t.shareLinkLabel}</label>
          <div className="share-link-row">
            <input ref={linkField} id="share-link" readOnly value={shareUrl(threadId)} data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={shareUrl(threadId)} label={t.shareCopy} className="btn btn-sm" showLabel />
          </div>
          <p className="share-status" data-testid="share-status">
            {current.expired ? t.shareExpired : current.expiresAt ? t.shareExpires(formatFullDate(current.expiresAt, locale)) : t.shareNeverExpires}
            {" · "}
            {t.sharedOn(formatFullDate(current.sharedAt, locale))}
          </p>
        </div>
      ) : null}
      {policy ? (
        <>
          <div className="share-field">
            <fieldset>
              <legend>{t.shareAccessLabel}</legend>
              {policy.choices.map((choice) => (
                <label key={choice}>
                  <input type="radio" name="share-access" value={choice} checked={chosenAccess === choice} disabled={busy} onChange={() => change({ access: choice })} />{" "}
                  {t.shareAccess[choice]}
                </label>
              ))}
            </fieldset>
          </div>
          <div className="share-field">
            <label htmlFor="share-expiry">{t.shareExpiryLabel}</label>
            <select id="share-expiry" value={expiry ?? (currentExpiry ? "" : "never")} disabled={busy} onChange={(e) => change({ expiry: e.target.value as Expiry })}>
              {currentExpiry && !expiry ? (
                <option value="" disabled>
                  {currentExpiry}
                </option>
              ) : null}
              {EXPIRIES.map((choice) => (
                <option key={choice} value={choice}>
                  {t.shareExpiry[choice]}
                </option>
              ))}
            </select>
          </div>
        </>
      ) : null}
      <div className="dialog-actions">
        {/* A way out for a pointer or a touch, beside Escape and the overlay (it had none but Create). */}
        <button type="button" className="btn" onClick={() => onOpenChange(false)}>
          {t.close}
        </button>
        {current ? (
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirmingStop(true)}>
            {t.shareStop}
          </button>
        ) : null}
        {policy ? (
          <button type="button" className="btn btn-primary" disabled={busy} aria-busy={create.isPending || undefined} onClick={() => create.mutate({ threadId, access: chosenAccess, expiry: expiry ?? (current ? undefined : "never") })}>
            {current ? t.shareAgain : t.shareCreate}
          </button>
        ) : null}
      </div>
      <StopSharingConfirm open={confirmingStop} busy={revoke.isPending} onCancel={() => setConfirmingStop(false)} onConfirm={() => revoke.mutate({ threadId })} />
    </ModalDialog>
  );
}
