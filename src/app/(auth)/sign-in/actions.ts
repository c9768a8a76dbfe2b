"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth";
import { safeCallbackPath } from "@/server/auth/safe-callback";

export interface SignInState {
  error: string | null;
}

export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  try {
    await signIn("credentials", {
      identifier: String(form.get("identifier") ?? ""),
      password: String(form.get("password") ?? ""),
      redirectTo: safeCallbackPath(form.get("callbackUrl")),
    });
    return { error: null };
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      return {
        error:
          code === "rate_limited"
            ? "Too many sign-in attempts. Please wait a few minutes and try again."
            : "That email or password is not right.",
      };
    }
    throw error; // Next's redirect on success travels as an exception.
  }
}
