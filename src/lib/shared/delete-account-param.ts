/**
 * The query parameter that re-opens "Delete my account" after "Sign in again" (server/auth/sign-in-again.ts): the
 * user menu opens the dialog once and removes it from the address, so a reload or a shared link does not.
 */
export const DELETE_ACCOUNT_PARAM = "delete-account";
