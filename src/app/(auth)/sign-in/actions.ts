"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth";
import { safeCallbackPath } from "@/server/auth/safe-callback";

export interface SignInState {
  /** Worded by the form, in the reader's language. */
  error: "wrong-password" | "rate-limited" | null;
  /** What was typed, given back with an error: React empties the form after its action. */
  identifier: string | null;
}

export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const identifier = String(form.get("identifier") ?? "");
  try {
    await signIn("credentials", {
      identifier,
      password: String(form.get("password") ?? ""),
      redirectTo: safeCallbackPath(form.get("callbackUrl")),
    });
    return { error: null, identifier: null };
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      return { error: code === "rate_limited" ? "rate-limited" : "wrong-password", identifier };
    }
    throw error; // Next's redirect on success travels as an exception.
  }
}
