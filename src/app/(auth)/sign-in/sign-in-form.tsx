"use client";

import { useActionState, useEffect, useRef } from "react";
import { signInWithPassword, type SignInState } from "./actions";

export function SignInForm({ callbackUrl, demo }: { callbackUrl: string; demo: { identifier: string; password: string } | null }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInWithPassword, { error: null, identifier: null });
  const password = useRef<HTMLInputElement>(null);
  // React resets a form once its action has run: the identifier comes back from the action, and the cursor goes to
  // the (emptied) password, so a mistyped password is retyped without typing the identifier again.
  useEffect(() => {
    if (state.error) password.current?.focus();
  }, [state]);
  return (
    <form action={action} className="auth-card" aria-describedby={state.error ? "sign-in-error" : undefined}>
      <h1>Sign in to Threadbook</h1>
      <p className="muted" style={{ margin: 0 }}>
        Your AI conversations, kept and ready to continue.
      </p>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <div className="field">
        <label htmlFor="identifier">Email or username</label>
        <input id="identifier" name="identifier" autoComplete="username" required maxLength={254} defaultValue={state.identifier ?? demo?.identifier} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input ref={password} id="password" name="password" type="password" autoComplete="current-password" required maxLength={256} />
      </div>
      {state.error ? (
        <p id="sign-in-error" role="alert" className="error-text" style={{ margin: 0 }}>
          {state.error}
        </p>
      ) : null}
      <button type="submit" className="btn btn-primary" disabled={pending} style={{ justifyContent: "center" }}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {demo ? (
        <p className="muted" style={{ margin: 0, fontSize: "0.85rem" }} data-testid="demo-hint">
          Demo: <code>{demo.identifier}</code> / <code>{demo.password}</code>
        </p>
      ) : null}
    </form>
  );
}
