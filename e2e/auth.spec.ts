import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages/sign-in-page";

test.describe("sign-in", () => {
  test("anonymous visitors are sent to sign-in", async ({ page }) => {
    await page.goto("/threads");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByRole("heading", { name: "Sign in to Threadbook" })).toBeVisible();
  });

  test("alice signs in, sees her identifier, and signs out", async ({ page }) => {
    const signIn = new SignInPage(page);
    await signIn.signIn("alice@example.com");
    await expect(page.getByTestId("current-user")).toHaveText("alice@example.com");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/threads");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("a wrong password shows an error and does not sign in", async ({ page }) => {
    const signIn = new SignInPage(page);
    await signIn.signIn("alice@example.com", "not-the-password");
    // Next's route announcer is an (empty) alert too: look for ours by its text.
    await expect(page.getByRole("alert").filter({ hasText: "That email or password is not right." })).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in/);
  });
});
