/**
 * After `next build`: the scripts every page loads first start with V8's explicit compile hint,
 * `//# allFunctionsCalledOnLoad`, so Chromium compiles all their functions while it streams them in, on a background
 * thread, and keeps that code in its code cache (docs/long-threads.md, "Compiling the first-load scripts early").
 *
 * Why: Turbopack wraps every module in a function that runs only when the page's entry script requires it, after the
 * script itself was evaluated. V8 compiles such functions lazily, on the main thread, the moment they are first called,
 * and a script's code cache holds only what was compiled while its top level ran: so every view in a fresh renderer
 * compiled React DOM, Next's router and the app's modules again, on the main thread, before hydration could start
 * (about a third of the browser's script time before the newest turn answered a click; bench/HISTORY.md). Every
 * function of these scripts runs at load anyway, so compiling them all up front wastes nothing. Scripts loaded
 * later (the Markdown code, the sidebar, dialogs) are left lazy. Browsers without compile hints read a comment.
 *
 * Which scripts: Next's root main files (build-manifest.json) and every route's entry scripts (the client reference
 * manifests under .next/server/app). A source map beside a script is shifted by the added line.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

export const COMPILE_HINT = "//# allFunctionsCalledOnLoad";

/** The first-load scripts of every route, as paths relative to the build directory (`static/chunks/….js`). */
export function firstLoadScripts(buildDir: string): string[] {
  const files = new Set<string>();
  const buildManifest = JSON.parse(readFileSync(path.join(buildDir, "build-manifest.json"), "utf8")) as { rootMainFiles?: string[] };
  for (const file of buildManifest.rootMainFiles ?? []) files.add(file);
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith("_client-reference-manifest.js")) {
        // A script that fills globalThis.__RSC_MANIFEST; run in a context of its own, it touches nothing else.
        const context: { self?: unknown; globalThis?: unknown; __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } = {};
        context.self = context;
        context.globalThis = context;
        vm.runInNewContext(readFileSync(full, "utf8"), context, { filename: full });
        for (const manifest of Object.values(context.__RSC_MANIFEST ?? {}))
          for (const scripts of Object.values(manifest.entryJSFiles ?? {})) for (const file of scripts) files.add(file);
      }
    }
  };
  walk(path.join(buildDir, "server", "app"));
  return [...files].filter((file) => file.endsWith(".js")).sort();
}

/** Puts the compile hint at the top of each first-load script once; returns how many scripts got it. */
export function addCompileHints(buildDir: string): number {
  let marked = 0;
  for (const file of firstLoadScripts(buildDir)) {
    const full = path.join(buildDir, file);
    if (!existsSync(full)) continue;
    const text = readFileSync(full, "utf8");
    if (text.startsWith(COMPILE_HINT)) continue;
    writeFileSync(full, `${COMPILE_HINT}\n${text}`);
    marked++;
    // The map's first generated line is now the hint's: an empty line of mappings in front keeps the rest in place.
    const mapName = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    const map = mapName && !mapName.startsWith("data:") ? path.join(path.dirname(full), mapName) : null;
    if (map && existsSync(map)) {
      const json = JSON.parse(readFileSync(map, "utf8")) as { mappings?: string };
      if (typeof json.mappings === "string") writeFileSync(map, JSON.stringify({ ...json, mappings: `;${json.mappings}` }));
    }
  }
  return marked;
}
