import { defineConfig } from "vitest/config";
import path from "node:path";

/**
 * Deployment tests (test/deploy): the standalone artifact of the last build run as a production deployment would run
 * it. They need a build, so `npm run test:e2e` runs them after its build (scripts/e2e.ts), not `npm run test:unit`.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "src") } },
  test: {
    include: ["test/deploy/**/*.deploy.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
