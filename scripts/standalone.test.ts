import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unwantedPackages } from "./standalone";

const dir = mkdtempSync(path.join(tmpdir(), "threadbook-artifact-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("unwantedPackages (the build fails when one is in the artifact)", () => {
  it("finds the emulators, tsx, esbuild and dev dependencies, also as Turbopack's hashed links, and nothing else", () => {
    for (const name of ["next", "react", "@aws-sdk/client-s3", "dynalite", "@esbuild/linux-x64", "vitest", "@playwright/test"]) mkdirSync(path.join(dir, "node_modules", name), { recursive: true });
    mkdirSync(path.join(dir, ".next", "node_modules", "azurite-8f3a2b1c"), { recursive: true });
    mkdirSync(path.join(dir, ".next", "node_modules", "@aws-sdk", "client-dynamodb-1a2b3c"), { recursive: true });
    expect(unwantedPackages(dir).sort()).toEqual(["@esbuild", "@playwright/test", "azurite-8f3a2b1c", "dynalite", "vitest"]);
  });

  it("finds nothing in an artifact of production packages only", () => {
    const clean = path.join(dir, "clean");
    mkdirSync(path.join(clean, "node_modules", "next"), { recursive: true });
    expect(unwantedPackages(clean)).toEqual([]);
  });
});
