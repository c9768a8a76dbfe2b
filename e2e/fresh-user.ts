/**
 * Users made for one spec through the `npm run user` code path on the app's table (e2e-table.ts): a spec that writes
 * threads does it in a list nobody else reads, so no spec depends on what another one did or left behind.
 */
import { randomUUID } from "node:crypto";
import { expect, type Browser, type BrowserContextOptions } from "@playwright/test";
import { connect, runCommand, type ParsedCommand } from "../scripts/user";
import { E2E_TABLE_CLIENT_ENV } from "./e2e-table";
import { SignInPage } from "./pages/sign-in-page";

export type StorageState = Exclude<BrowserContextOptions["storageState"], string | undefined>;

export const FRESH_USER_PASSWORD = "a long e2e password";

/** Runs one `npm run user` command against the app's table; new users get FRESH_USER_PASSWORD. */
export async function userCli(command: ParsedCommand, password = FRESH_USER_PASSWORD): Promise<void> {
  const connection = await connect(E2E_TABLE_CLIENT_ENV, () => undefined);
  try {
    await runCommand(command, { data: connection.data, readPassword: async () => password, out: () => undefined });
  } finally {
    await connection.close();
  }
}

/** A unique identifier: `<prefix>-<random>@example.com`. */
export const freshIdentifier = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;

/** Signs a user in once in a context of their own; returns the session for `storageState`. */
export async function signedInSession(browser: Browser, baseURL: string | undefined, identifier: string, password = FRESH_USER_PASSWORD): Promise<StorageState> {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    await new SignInPage(page).signIn(identifier, password);
    // Signed in once the app's page is reached: the session cookie is set by then.
    await expect(page).toHaveURL(/\/threads/);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/** Adds a user, then signs them in once (signedInSession). */
export async function freshUserSession(browser: Browser, baseURL: string | undefined, identifier: string, password = FRESH_USER_PASSWORD): Promise<StorageState> {
  await userCli({ command: "add", identifier, name: null }, password);
  return signedInSession(browser, baseURL, identifier, password);
}
