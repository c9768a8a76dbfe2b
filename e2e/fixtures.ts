/**
 * Signed-in pages without signing in for every test: each demo user signs in once per worker and the session
 * cookie is reused (sign-in is rate limited to 10 tries per identifier, 30 per address, in 15 minutes).
 * `test.use({ user: "bob@example.com" })` switches user; locale, viewport and colour scheme still come from test.use.
 */
import { expect, test as base, type Browser, type BrowserContextOptions, type Page, type Request } from "@playwright/test";
import { watchCspViolations } from "./csp-violations";
import { DEMO_PASSWORD, SignInPage } from "./pages/sign-in-page";
import { ThreadPage } from "./pages/thread-page";
import { ThreadsPage } from "./pages/threads-page";

export type DemoUser = "alice@example.com" | "bob@example.com";
export type StorageState = Exclude<BrowserContextOptions["storageState"], string | undefined>;

/** Signs a user in once in a context of their own; returns the session for `storageState`. */
export async function signedInSession(browser: Browser, baseURL: string | undefined, identifier: string, password = DEMO_PASSWORD): Promise<StorageState> {
  // Without a session of its own: in a hook or test, a new context would take the test's storageState.
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
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

export const test = base.extend<{ user: DemoUser; threads: ThreadsPage; thread: ThreadPage; pageErrors: void }, { sessions: (user: DemoUser) => Promise<StorageState> }>({
  user: ["alice@example.com", { option: true }],
  /** Every test fails on an uncaught page error, a React hydration mismatch or a CSP violation on the app's pages. */
  pageErrors: [
    async ({ page }, provide) => {
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && /hydrat/i.test(message.text())) errors.push(`console: ${message.text()}`);
      });
      await watchCspViolations(page, (violation) => errors.push(`CSP: ${violation}`));
      await provide();
      if (errors.length) throw new Error(`The page reported errors:\n${errors.join("\n")}`);
    },
    { auto: true },
  ],
  sessions: [
    async ({ browser }, provide, workerInfo) => {
      const cache = new Map<DemoUser, Promise<StorageState>>();
      await provide((user) => {
        let state = cache.get(user);
        if (!state) {
          state = signedInSession(browser, workerInfo.project.use.baseURL, user);
          cache.set(user, state);
        }
        return state;
      });
    },
    { scope: "worker" },
  ],
  storageState: async ({ user, sessions }, provide) => {
    await provide(await sessions(user));
  },
  threads: async ({ page }, provide) => {
    await provide(new ThreadsPage(page));
  },
  thread: async ({ page }, provide) => {
    await provide(new ThreadPage(page));
  },
});

export { expect } from "@playwright/test";

/**
 * A screenshot kept with the test's artifacts (test-results/<test>/<name>.png), for a person looking at a run. Not
 * taken in CI, where no one looks at a passing run's files (41 of them cost 6 to 15 s of each run); E2E_SNAPSHOTS=1
 * takes them there too.
 */
export async function snap(page: Page, name: string) {
  if (process.env.CI && process.env.E2E_SNAPSHOTS !== "1") return;
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), animations: "disabled" });
}

/**
 * Resolves once a tRPC request naming `procedure` has ended. A batch streams its answers after its headers, so a
 * response only says the procedures started; the request ends when every answer is in (finished, or failed: tRPC's
 * stream link may cancel a batch's body once it has read every answer).
 */
export function trpcCallEnded(page: Page, procedure: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const ended = (request: Request) => {
      if (!request.url().includes("/api/trpc/") || !request.url().includes(procedure)) return;
      page.off("requestfinished", ended);
      page.off("requestfailed", ended);
      resolve();
    };
    page.on("requestfinished", ended);
    page.on("requestfailed", ended);
  });
}
