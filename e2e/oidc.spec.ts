/**
 * Sign-in through a generic OpenID Connect issuer, end to end: the app's button, the provider's own login page
 * (e2e/oidc-provider.ts, started by global-setup.ts), back to /threads as the email, the user item made once. And
 * "Delete my account" for such a user, who has no password: it needs a recent sign-in (docs/security.md, "Deleting
 * everything"), so an old session is sent to sign in again at the provider first.
 */
import { expect, test, type Page } from "@playwright/test";
import { ageSignIn } from "./aged-session";
import { onTable } from "./fresh-user";
import { OIDC_ISSUER, OIDC_PROVIDER_NAME, type Verified } from "./oidc-provider";
import { OidcProviderLoginPage, SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

interface Me {
  id: string;
  identifier: string;
  displayName: string | null;
  createdAt: string | null;
}

/** user.me through the app's own tRPC endpoint (superjson wraps the data in `json`). */
async function me(page: Page): Promise<Me> {
  const response = await page.request.get("/api/trpc/user.me");
  expect(response.ok()).toBe(true);
  return (await response.json()).result.data.json as Me;
}

/** user.deleteAccount posted as the app's own page would; the status code is what matters. */
async function deleteAccountStatus(page: Page, confirmation: string): Promise<number> {
  const origin = new URL(page.url()).origin;
  const response = await page.request.post("/api/trpc/user.deleteAccount", { headers: { origin }, data: { json: { confirmation } } });
  return response.status();
}

async function signInAtProvider(page: Page, account: { email: string; name: string; verified?: Verified }) {
  await page.goto("/sign-in");
  await new SignInPage(page).providerButton(OIDC_PROVIDER_NAME).click();
  await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
  await new OidcProviderLoginPage(page).submit({ ...account, verified: account.verified ?? "yes" });
}

test.describe("OpenID Connect sign-in", () => {
  test("signs in as the email, creates the user once, and never overwrites it", async ({ page }) => {
    // As in Chainlit, the identifier is the email as the provider gives it (case kept), not the provider's `sub`.
    const email = `Olivia-${Date.now()}@example.com`;
    await signInAtProvider(page, { email, name: "Olivia Oidc" });
    await expect(page).toHaveURL(/\/threads/);
    const threads = new ThreadsPage(page);
    await expect(threads.currentUser).toHaveText(email);
    const first = await me(page);
    expect(first).toMatchObject({ id: email, identifier: email, displayName: "Olivia Oidc" });
    expect(first.createdAt).toBeTruthy();

    await threads.signOut();
    // Forget the provider's session too, so its login page asks again.
    await page.context().clearCookies();
    await signInAtProvider(page, { email, name: "Someone Else" });
    await expect(threads.currentUser).toHaveText(email);
    expect(await me(page)).toEqual(first);
  });

  for (const verified of ["no", "absent"] as const) {
    test(`refuses an email the provider does not vouch for (email_verified ${verified === "no" ? "false" : "missing"})`, async ({ page }) => {
      await signInAtProvider(page, { email: `unverified-${Date.now()}@example.com`, name: "Mallory", verified });
      await expect(page).toHaveURL(/\/sign-in\?.*error=UnverifiedEmail/);
      await expect(new SignInPage(page).error("did not confirm that its email address is verified")).toBeVisible();
      await page.goto("/threads");
      await expect(page).toHaveURL(/\/sign-in/);
    });
  }

  test('signs in when the provider vouches with the string "true" (Cognito), not with "TRUE"', async ({ page }) => {
    const email = `Cora-${Date.now()}@example.com`;
    await signInAtProvider(page, { email, name: "Cora Cognito", verified: "string-true" });
    await expect(page).toHaveURL(/\/threads/);
    await expect(new ThreadsPage(page).currentUser).toHaveText(email);
    await page.context().clearCookies();
    await signInAtProvider(page, { email: `upper-${Date.now()}@example.com`, name: "Mallory", verified: "string-TRUE" });
    await expect(page).toHaveURL(/\/sign-in\?.*error=UnverifiedEmail/);
  });

  test("an unverified address of an existing user never signs in as that user", async ({ page }) => {
    await signInAtProvider(page, { email: "alice@example.com", name: "Not Alice", verified: "absent" });
    await expect(page).toHaveURL(/\/sign-in\?.*error=UnverifiedEmail/);
    const response = await page.request.get("/api/trpc/user.me");
    expect(response.status()).toBe(401);
    await page.goto("/threads");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("Delete my account after an old sign-in: sign in again at the provider, confirm, and the account is gone", async ({ page }) => {
    test.slow(); // two trips through the provider on a shared machine
    const email = `Della-${Date.now()}@example.com`;
    await signInAtProvider(page, { email, name: "Della Delete" });
    await expect(page).toHaveURL(/\/threads/);
    const threads = new ThreadsPage(page);
    await expect(threads.currentUser).toHaveText(email);
    // Signed in eleven minutes ago: past the ten-minute limit (RECENT_SIGN_IN_SECONDS).
    await ageSignIn(page.context(), 11 * 60);

    // The server refuses this session, whatever the page would send: the identifier typed right is not enough.
    expect(await deleteAccountStatus(page, email)).toBe(412);
    expect((await me(page)).id).toBe(email);

    await threads.chooseFromUserMenu("Delete my account");
    const dialog = page.getByRole("dialog", { name: "Delete your account?" });
    await expect(dialog).toContainText("sign in again first");
    await expect(dialog.getByRole("textbox")).toHaveCount(0);
    await dialog.getByRole("button", { name: "Sign in again" }).click();

    // The provider asks again (prompt=login), though its own session from a moment ago is still alive.
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    await new OidcProviderLoginPage(page).submit({ email, name: "Della Delete", verified: "yes" });
    // Back on the page it left, the dialog open again, and the parameter that opened it gone from the address.
    await expect(page).toHaveURL(/\/threads$/);
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(`Type ${email} to confirm`).fill(email);
    await dialog.getByRole("button", { name: "Delete my account" }).click();

    await expect(page).toHaveURL(/\/sign-in/);
    expect((await page.request.get("/api/trpc/user.me")).status()).toBe(401);
    // The account is gone: its user item no longer exists (a new sign-in would make a new, empty account).
    expect(await onTable((data) => data.getUser(email))).toBeNull();
  });
});
