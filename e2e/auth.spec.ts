import { expect, test } from "@playwright/test";
import { freshIdentifier, userCli } from "./fresh-user";
import { SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

test.describe("sign-in", () => {
  test("anonymous visitors are sent to sign-in", async ({ page }) => {
    await page.goto("/threads");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(new SignInPage(page).heading).toBeVisible();
  });

  test("alice signs in, sees her identifier, and signs out", async ({ page }) => {
    const signIn = new SignInPage(page);
    await signIn.signIn("alice@example.com");
    const threads = new ThreadsPage(page);
    await expect(threads.currentUser).toHaveText("alice@example.com");
    await threads.signOut();
    await page.goto("/threads");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  // A failure counts against the identifier's sign-in limit: a user of this test's own, so alice's stays untouched.
  test("a wrong password shows an error and does not sign in", async ({ page }) => {
    const identifier = freshIdentifier("wrong-password");
    await userCli({ command: "add", identifier, name: null });
    const signIn = new SignInPage(page);
    await signIn.signIn(identifier, "not-the-password");
    await expect(signIn.error("That email or password is not right.")).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in/);
    // The identifier typed stays (not the demo's, not empty), and the cursor waits in the emptied password.
    await expect(signIn.identifier).toHaveValue(identifier);
    await expect(signIn.password).toHaveValue("");
    await expect(signIn.password).toBeFocused();
  });
});

// The sign-in page is the first one a visitor sees: in the language the browser asks for, as every other page.
test.describe("sign-in in Chinese", () => {
  test.use({ locale: "zh-CN" });

  test("a browser asking for zh-CN gets the sign-in page and its errors in Chinese", async ({ page }) => {
    const identifier = freshIdentifier("zh-sign-in");
    await userCli({ command: "add", identifier, name: null });
    const signIn = new SignInPage(page, { title: "登录 Threadbook", identifier: "邮箱或用户名", password: "密码", submit: "登录" });
    await page.goto("/sign-in");
    await expect(signIn.heading).toBeVisible();
    await expect(page).toHaveTitle(/^登录/);
    await signIn.submit(identifier, "not-the-password");
    await expect(signIn.error("邮箱或密码不正确。")).toBeVisible();
    await expect(signIn.identifier).toHaveValue(identifier);
  });
});
