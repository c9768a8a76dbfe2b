import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { addCompileHints, COMPILE_HINT, firstLoadScripts } from "./compile-hints";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A build directory as `next build` leaves it, reduced to what the step reads. */
function fakeBuild() {
  const dir = mkdtempSync(path.join(tmpdir(), "compile-hints-"));
  dirs.push(dir);
  const chunks = path.join(dir, "static", "chunks");
  mkdirSync(chunks, { recursive: true });
  writeFileSync(path.join(dir, "build-manifest.json"), JSON.stringify({ rootMainFiles: ["static/chunks/react.js", "static/chunks/turbopack-runtime.js"], polyfillFiles: ["static/chunks/polyfill.js"] }));
  const page = path.join(dir, "server", "app", "(threads)", "threads", "[threadId]");
  mkdirSync(page, { recursive: true });
  const manifest = { "/(threads)/threads/[threadId]/page": { entryJSFiles: { "[project]/src/app/layout": ["static/chunks/layout.js"], "[project]/src/app/page": ["static/chunks/layout.js", "static/chunks/page.js"] } } };
  writeFileSync(
    path.join(page, "page_client-reference-manifest.js"),
    `globalThis.__RSC_MANIFEST = (globalThis.__RSC_MANIFEST || {});\nglobalThis.__RSC_MANIFEST["/(threads)/threads/[threadId]/page"] = ${JSON.stringify(manifest["/(threads)/threads/[threadId]/page"])};\n`,
  );
  for (const name of ["react", "turbopack-runtime", "layout", "page", "markdown-lazy", "polyfill"]) writeFileSync(path.join(chunks, `${name}.js`), `push(${JSON.stringify(name)});\n//# sourceMappingURL=${name}.js.map`);
  writeFileSync(path.join(chunks, "page.js.map"), JSON.stringify({ version: 3, sources: ["page.tsx"], names: [], mappings: "AAAA" }));
  return { dir, chunk: (name: string) => readFileSync(path.join(chunks, `${name}.js`), "utf8") };
}

describe("compile hints", () => {
  it("finds the root main files and every route's entry scripts, not the lazily loaded ones", () => {
    const { dir } = fakeBuild();
    expect(firstLoadScripts(dir)).toEqual(["static/chunks/layout.js", "static/chunks/page.js", "static/chunks/react.js", "static/chunks/turbopack-runtime.js"]);
  });

  it("puts the hint on the first line of each first-load script once, and shifts its source map by that line", () => {
    const { dir, chunk } = fakeBuild();
    expect(addCompileHints(dir)).toBe(4);
    for (const name of ["react", "turbopack-runtime", "layout", "page"]) expect(chunk(name).split("\n")[0]).toBe(COMPILE_HINT);
    for (const name of ["markdown-lazy", "polyfill"]) expect(chunk(name)).not.toContain(COMPILE_HINT);
    expect(JSON.parse(readFileSync(path.join(dir, "static", "chunks", "page.js.map"), "utf8")).mappings).toBe(";AAAA");
    // A second run (a build step run again) changes nothing.
    expect(addCompileHints(dir)).toBe(0);
    expect(chunk("page").split(COMPILE_HINT)).toHaveLength(2);
    expect(JSON.parse(readFileSync(path.join(dir, "static", "chunks", "page.js.map"), "utf8")).mappings).toBe(";AAAA");
  });
});
