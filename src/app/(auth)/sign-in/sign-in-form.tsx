"use client";

import { useActionState, useEffect, useRef } from "react";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { signInWithPassword, type SignInState } from "./actions";

/** The page's words in the request's language, handed down by the server page (the sign-in page has no provider). */
export type SignInWords = Dictionary["signInPage"];

export function SignInForm({ callbackUrl, demo, t }: { callbackUrl: string; demo: { identifier: string; password: string } | null; t: SignInWords }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInWithPassword, { error: null, identifier: null });
  const password = useRef<HTMLInputElement>(null);
  // React resets a form once its action has run: the identifier comes back from the action, and the cursor goes to
  // the (emptied) password, so a mistyped password is retyped without typing the identifier again.
  useEffect(() => {
    if (state.error) password.current?.focus();
  }, [state]);
  // Chrome keeps this page in its back/forward cache (nothing on it is the user's until they sign in), field values
  // and all: a password typed and left unsent came back, after Back, for whoever sat down next, one click from signing
  // in as its owner. It goes as the page is left; the identifier may stay, as a browser would refill it anyway.
  useEffect(() => {
    const forget = () => {
      if (password.current) password.current.value = "";
    };
    window.addEventListener("pagehide", forget);
    return () => window.removeEventListener("pagehide", forget);
  }, []);
  return (
    <form action={action} className="auth-card" aria-describedby={state.error ? "sign-in-error" : undefined}>
      <h1>{t.title}</h1>
      <p className="muted" style={{ margin: 0 }}>
        {t.tagline}
      </p>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <div className="field">
        <label htmlFor="identifier">{t.identifier}</label>
        <input id="identifier" name="identifier" autoComplete="username" required maxLength={254} defaultValue={state.identifier ?? demo?.identifier} />
      </div>
      <div className="field">
        <label htmlFor="password">{t.password}</label>
        <input ref={password} id="password" name="password" type="password" autoComplete="current-password" required maxLength={256} />
      </div>
      {state.error ? (
        <p id="sign-in-error" role="alert" className="error-text" style={{ margin: 0 }}>
          {state.error === "rate-limited" ? t.rateLimited : t.wrongPassword}
        </p>
      ) : null}
      <button type="submit" className="btn btn-primary" disabled={pending} style={{ justifyContent: "center" }}>
        {pending ? t.submitting : t.submit}
      </button>
      {demo ? (
        <p className="muted" style={{ margin: 0, fontSize: "0.85rem" }} data-testid="demo-hint">
          {t.demo} <code>{demo.identifier}</code> / <code>{demo.password}</code>
        </p>
      ) : null}
    </form>
  );
}
