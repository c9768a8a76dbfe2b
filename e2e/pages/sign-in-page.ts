import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "threadbook-demo";

export class SignInPage {
  constructor(readonly page: Page) {}

  async signIn(identifier: string, password = DEMO_PASSWORD) {
    await this.page.goto("/sign-in");
    await this.page.getByLabel("Email or username").fill(identifier);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in", exact: true }).click();
    if (password === DEMO_PASSWORD) await expect(this.page).toHaveURL(/\/threads/);
  }
}
