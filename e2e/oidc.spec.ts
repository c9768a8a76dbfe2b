/**
 * Sign-in through a generic OpenID Connect issuer, end to end: the app's button, the provider's own login page
 * (e2e/oidc-provider.ts, started by global-setup.ts), back to /threads as the email, the user item made once.
 */
import { expect, test, type Page } from "@playwright/test";
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
});
