import { defineConfig } from "vitest/config";
import path from "node:path";

/** Test files that replace a module with vi.mock: they need a module graph of their own. */
const MOCKING = ["src/app/api/auth/**/route.test.ts", "src/app/api/export/route.test.ts"];

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "src") } },
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the servers and the suite share them.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
          exclude: MOCKING,
          // Each file reuses the modules earlier files in its worker loaded (the SDKs, Next's server code) instead of
          // importing them again: that import was 90 s of the suite's CPU. Files keep no state in shared modules that
          // another reads: each makes its own users, threads and clients (test/ helpers), with ids of its own.
          isolate: false,
        },
      },
      { extends: true, test: { name: "isolated", include: MOCKING } },
    ],
  },
});
