import { expect, type Locator, type Page } from "@playwright/test";
import { PageObject } from "./page-object";

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "threadbook-demo";

/** The sign-in page: the password form and the OpenID Connect button. */
export class SignInPage extends PageObject {
  readonly heading: Locator;
  readonly identifier: Locator;
  readonly password: Locator;
  readonly submitButton: Locator;

  /** The page's words in the language the browser asks for (English unless a spec names others). */
  constructor(page: Page, words = { title: "Sign in to Threadbook", identifier: "Email or username", password: "Password", submit: "Sign in" }) {
    super(page);
    this.heading = page.getByRole("heading", { name: words.title });
    this.identifier = page.getByLabel(words.identifier);
    this.password = page.getByLabel(words.password);
    this.submitButton = page.getByRole("button", { name: words.submit, exact: true });
  }

  /** The button that signs in through the named OpenID Connect provider. */
  providerButton(providerName: string): Locator {
    return this.page.getByRole("button", { name: `Sign in with ${providerName}` });
  }

  /** An error under the form. Filtered by its text: Next's route announcer is an (empty) alert too. */
  error(text: string | RegExp): Locator {
    return this.page.getByRole("alert").filter({ hasText: text });
  }

  /** Fills the form already shown and submits it. */
  async submit(identifier: string, password = DEMO_PASSWORD) {
    await this.identifier.fill(identifier);
    await this.password.fill(password);
    await this.submitButton.click();
  }

  async signIn(identifier: string, password = DEMO_PASSWORD) {
    await this.page.goto("/sign-in");
    await this.submit(identifier, password);
    if (password === DEMO_PASSWORD) await expect(this.page).toHaveURL(/\/threads/);
  }
}

/** The test OpenID Provider's own login page (e2e/oidc-provider.ts), where the account's claims are chosen. */
export class OidcProviderLoginPage extends PageObject {
  async submit(account: { email: string; name: string; verified?: string }) {
    await this.page.getByLabel("Email", { exact: true }).fill(account.email);
    await this.page.getByLabel("Name").fill(account.name);
    if (account.verified !== undefined) await this.page.getByLabel("Email verified").selectOption(account.verified);
    await this.page.getByRole("button", { name: "Continue" }).click();
  }
}
