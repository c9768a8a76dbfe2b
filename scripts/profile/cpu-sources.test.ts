import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bySource } from "./cpu-sources";

/*
 * A synthetic profile: a bundled chunk whose source map sends line 0 to Threadbook's sidebar list and line 1 to
 * React's renderer (both in one file, as a bundler makes them), a library leaf (react-query) called from the list,
 * a Node-internal leaf (a stream write) called from React, and a GC sample.
 */
const dir = mkdtempSync(path.join(tmpdir(), "profile-sources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chunk = path.join(dir, "chunk.js");
writeFileSync(chunk, "function ThreadList(){}\nfunction renderElement(){}\n");
// VLQ "AAAA": column 0 → source 0, line 0, column 0; ";AACA": next line → source 1, line 0.
const sources = [path.resolve("src/components/threads/thread-list.tsx"), "webpack://next/./dist/compiled/react-dom/cjs/react-dom-server.node.production.js"];
writeFileSync(`${chunk}.map`, JSON.stringify({ version: 3, sources, names: [], mappings: "AAAA;ACAA" }));

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });
const nodes = [
  { id: 1, callFrame: frame("(root)", "") },
  { id: 2, callFrame: frame("renderElement", `file://${chunk}`, 1) },
  { id: 3, callFrame: frame("ThreadList", `file://${chunk}`, 0) },
  { id: 4, callFrame: frame("useBaseQuery", path.resolve("node_modules/@tanstack/react-query/build/modern/useBaseQuery.js")) },
  { id: 5, callFrame: frame("writeOrBuffer", "node:internal/streams/writable") },
  { id: 6, callFrame: frame("(garbage collector)", "") },
];
const parentOf = new Map([
  [2, 1],
  [3, 2],
  [4, 3],
  [5, 2],
  [6, 1],
]);
const byId = new Map(nodes.map((node) => [node.id, node]));

describe("bySource", () => {
  it("gives each sample to the nearest of Threadbook's code or the framework's on its stack, through the source map", () => {
    const result = bySource({ samples: [4, 4, 3, 5, 6], timeDeltas: [10, 10, 10, 10, 10] }, parentOf, byId, 0, 1e9);
    expect(result.busyUs).toBe(50);
    // The react-query leaf counts for the list that called it; the stream write for React, which made it.
    expect(Object.fromEntries(result.cause)).toEqual({ "Threadbook: src/components/threads/thread-list.tsx": 30, "Next / React": 10, "garbage collection": 10 });
    expect(Object.fromEntries(result.ownFunctions)).toEqual({ "src/components/threads/thread-list.tsx ThreadList": 30 });
    expect(Object.fromEntries(result.self)).toEqual({ "@tanstack/react-query": 20, "Threadbook (src/)": 10, "Node: node:internal/streams": 10, "garbage collection": 10 });
  });

  it("counts only the samples inside the window", () => {
    const result = bySource({ samples: [4, 5, 6], timeDeltas: [10, 10, 10] }, parentOf, byId, 15, 25);
    expect(result.busyUs).toBe(10);
    expect(Object.fromEntries(result.cause)).toEqual({ "Next / React": 10 });
  });
});
