import { DELETE_ACCOUNT_PARAM } from "@/lib/shared/delete-account-param";
import { safeCallbackPath } from "./safe-callback";

/**
 * Where "Sign in again" comes back to: the page the dialog was opened on if it is this app's own (safe-callback.ts:
 * anything else is the thread list), with the parameter that opens the dialog again.
 */
export function signInAgainTarget(returnTo: unknown): string {
  const url = new URL(safeCallbackPath(returnTo), "http://app.invalid");
  url.searchParams.set(DELETE_ACCOUNT_PARAM, "1");
  return `${url.pathname}${url.search}${url.hash}`;
}
