/**
 * The e2e suite in the reverse of its usual (alphabetical) file order, to show that no spec depends on another having
 * run before it: `npm run test:e2e -- --config=playwright.reversed.config.ts`. With one worker Playwright runs projects in
 * the order they are listed, so each spec file becomes a project of its own, listed from the last file to the first.
 */
import { readdirSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

const [project] = base.projects!;
const specs = readdirSync(new URL("e2e/", import.meta.url))
  .filter((file) => file.endsWith(".spec.ts"))
  .sort()
  .reverse();

export default defineConfig({
  ...base,
  projects: specs.map((spec) => ({ ...project, name: spec, testMatch: spec })),
});
