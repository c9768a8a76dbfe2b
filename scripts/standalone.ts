/**
 * The production artifact: Next's standalone output (next.config.mjs `output: "standalone"`) completed into a folder
 * that runs anywhere with `node server.js`, as the Dockerfile copies it. `npm run build` calls assembleStandalone();
 * scripts/standalone-check.ts, the e2e run and the deployment tests run it from a clean copy (copyStandalone).
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { EMBEDDED_ONLY_PACKAGES, SERVER_EXTERNAL_PACKAGES } from "../next.config.mjs";

export const STANDALONE_DIR = path.resolve(".next/standalone");

/**
 * Adds what Next leaves out of .next/standalone (the browser assets and public/) and replaces Next's server.js with
 * Threadbook's own server (src/server/http/server.ts, bundled: it takes only `next` and the SDKs Next keeps external
 * from the traced node_modules).
 * Fails if a package of the embedded stack or a dev dependency made it into the artifact.
 */
export async function assembleStandalone() {
  if (!existsSync(path.join(STANDALONE_DIR, ".next", "required-server-files.json"))) throw new Error(`${STANDALONE_DIR} is missing: is output "standalone" still set in next.config.mjs?`);
  cpSync(".next/static", path.join(STANDALONE_DIR, ".next", "static"), { recursive: true });
  if (existsSync("public")) cpSync("public", path.join(STANDALONE_DIR, "public"), { recursive: true });
  await build({
    entryPoints: ["src/server/http/server.ts"],
    outfile: path.join(STANDALONE_DIR, "server.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: "tsconfig.json",
    // Next stays the traced package (it loads the build), and so do the SDKs Next keeps external (traced for the
    // routes): the entry shares their copies instead of bundling its own. Everything else it uses is bundled in.
    external: ["next", ...SERVER_EXTERNAL_PACKAGES],
    banner: { js: "import { createRequire as __threadbookCreateRequire } from 'node:module'; const require = __threadbookCreateRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const unwanted = unwantedPackages(STANDALONE_DIR);
  if (unwanted.length > 0) throw new Error(`the standalone output holds packages that must stay out of production: ${unwanted.join(", ")}`);
}

/** Packages of the embedded stack or dev dependencies found in an artifact's node_modules folders. */
export function unwantedPackages(dir: string): string[] {
  const devDependencies = Object.keys((JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies?: Record<string, string> }).devDependencies ?? {});
  const unwanted = new Set<string>([...EMBEDDED_ONLY_PACKAGES, ...devDependencies]);
  const found: string[] = [];
  for (const modules of [path.join(dir, "node_modules"), path.join(dir, ".next", "node_modules")]) {
    if (!existsSync(modules)) continue;
    for (const entry of readdirSync(modules)) {
      const names = entry.startsWith("@") ? [entry, ...readdirSync(path.join(modules, entry)).map((name) => `${entry}/${name}`)] : [entry];
      // Turbopack links externals as `<name>-<hash>` under .next/node_modules.
      for (const name of names) if ([...unwanted].some((p) => name === p || name.startsWith(`${p}-`))) found.push(name);
    }
  }
  return found;
}

/** The Dockerfile's `COPY --from=build /app/.next/standalone ./`: the artifact alone, in a fresh folder. */
export function copyStandalone(dest: string) {
  if (!existsSync(path.join(STANDALONE_DIR, "server.js"))) throw new Error("no standalone build: run npm run build");
  rmSync(dest, { recursive: true, force: true });
  cpSync(STANDALONE_DIR, dest, { recursive: true, verbatimSymlinks: true });
}
