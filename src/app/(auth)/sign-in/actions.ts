"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth";

export interface SignInState {
  error: string | null;
}

/** Only same-site relative paths are followed after sign-in (no open redirect). */
function safeCallback(value: FormDataEntryValue | null): string {
  const path = typeof value === "string" ? value : "";
  return path.startsWith("/") && !path.startsWith("//") ? path : "/threads";
}

export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  try {
    await signIn("credentials", {
      identifier: String(form.get("identifier") ?? ""),
      password: String(form.get("password") ?? ""),
      redirectTo: safeCallback(form.get("callbackUrl")),
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
