import { defineConfig, devices } from "@playwright/test";
import { chromiumPath } from "./e2e/chromium";
import { E2E_TABLE_APP_ENV } from "./e2e/e2e-table";
import { FAKE_OPENAI_ENV } from "./e2e/fake-openai-port";
import { OIDC_APP_ENV } from "./e2e/oidc-provider";

const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "./e2e",
  // Apart for a run beside another (the sources stage beside the suite: scripts/e2e.ts).
  outputDir: process.env.E2E_OUTPUT_DIR ?? "test-results",
  globalSetup: "./e2e/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"], ["html", { open: "never", outputFolder: process.env.E2E_REPORT_DIR ?? "playwright-report" }]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    // localhost, not 127.0.0.1: next-auth sets its cookie on the host Next reports.
    baseURL: `http://localhost:${port}`,
    // A failure's screenshot and trace; the states worth looking at in a passing run are taken by `snap()` in the specs.
    screenshot: "only-on-failure",
    // In CI a failed test runs again (retries: 1) and that run is traced: recording a trace for every test, to keep
    // only a failure's, cost a third of the suite's CPU (the browser's screencast and the DOM snapshots of each step;
    // bench/HISTORY.md, "CI: e2e without a trace per test"). A run on a desktop, with no retry, traces each failure.
    trace: process.env.CI ? "on-first-retry" : "retain-on-failure",
    // One browser context per worker, reset between tests (cookies, cache, local storage and IndexedDB of every
    // visited origin, service workers, pages, routes, init scripts; the storage state put back), instead of a new
    // context per test: making a context costs Chromium's browser process about a second of CPU, most of a short
    // test's. A test that changes locale or user (storageState) still gets a fresh one. Not reset: permissions,
    // geolocation, offline and extra headers set during a test; no spec sets them (docs/testing.md).
    reuseContext: true,
  },
  projects: [
    {
      name: "debian-chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromiumPath(),
          args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"],
        },
      },
    },
  ],
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    env: {
      PORT: String(port),
      THREADBOOK_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data-e2e",
      THREADBOOK_SKIP_BUILD: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      // The server's output is shown with the results: its warnings and errors, without a line per request.
      LOG_LEVEL_HTTP: "warn",
      ...OIDC_APP_ENV,
      ...FAKE_OPENAI_ENV,
      ...E2E_TABLE_APP_ENV,
      ...(process.env.E2E_EXTRA_ENV ? JSON.parse(process.env.E2E_EXTRA_ENV) : {}),
    },
  },
});
