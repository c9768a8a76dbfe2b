/**
 * A CPU profile of the server attributed through the build's source maps (`cpu-summary.ts … --by-source`):
 * each sample's frames are mapped to the file they were compiled from, so Threadbook's own code (`src/`) can be told
 * from Next and React, the libraries and Node, in a minified build as well as an unminified one.
 *
 * "Who caused it" walks from the sample's own frame towards the root and stops at the first frame that is either
 * Threadbook's (`src/…`) or the framework's (Next, React): a react-query hook run by a sidebar component counts for
 * Threadbook, a socket write made by React's stream for the framework. Libraries and Node's internals in between
 * count for whoever called them. The HTTP entry (src/server/http) sits below Next on every request's stack, so it
 * only gets what it does itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface Node {
  id: number;
  callFrame: Frame;
}

export interface SourceAttribution {
  busyUs: number;
  /** "Threadbook: <file>", "Next / React", "garbage collection", … */
  cause: Map<string, number>;
  /** Threadbook's nearest function on the stack, `file function`. */
  ownFunctions: Map<string, number>;
  /** The sample's own frame: Threadbook, a package by name, Node, native. */
  self: Map<string, number>;
}

const FRAMEWORK = /^(next|react|react-dom|react-server-dom-[a-z]+|scheduler)$/;

interface Origin {
  /** "threadbook", "framework", "library", "node", "native" */
  kind: string;
  /** `src/…` path, package name, `node:…`, or "(native)". */
  name: string;
  fn: string;
}

function packageOf(path: string): string | null {
  const at = path.lastIndexOf("node_modules/");
  if (at < 0) return null;
  const [scope, name] = path.slice(at + "node_modules/".length).split("/");
  return scope?.startsWith("@") ? `${scope}/${name}` : (scope ?? null);
}

const PROJECT_SRC = `${path.resolve("src")}/`;

/** `file`: the original source, resolved (a path, or a bundler's `webpack://pkg/…` / `turbopack:///[turbopack]/…`). */
function originOfSource(file: string, fn: string): Origin {
  // Next's own runtime bundles React (next/dist/compiled/…): counted as the framework, with the rest of Next.
  if (file.startsWith("webpack://next/") || file.startsWith("turbopack:///[turbopack]")) return { kind: "framework", name: "next", fn };
  const pkg = packageOf(file);
  if (pkg) return { kind: FRAMEWORK.test(pkg) ? "framework" : "library", name: pkg, fn };
  if (file.startsWith(PROJECT_SRC)) return { kind: "threadbook", name: `src/${file.slice(PROJECT_SRC.length)}`, fn };
  return { kind: "library", name: file, fn };
}

export function bySource(
  profile: { samples: number[]; timeDeltas: number[] },
  parentOf: Map<number, number>,
  byId: Map<number, Node>,
  fromUs: number,
  toUs: number,
  /** Where the profiled build's `.next` is now, when it was moved aside after the run (its source maps must match it). */
  nextDir?: string,
): SourceAttribution {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (file: string): SourceMap | null => {
    if (!maps.has(file)) {
      let map: SourceMap | null = null;
      try {
        if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
      } catch {
        map = null;
      }
      maps.set(file, map);
    }
    return maps.get(file)!;
  };
  const origins = new Map<number, Origin>();
  const originOf = (id: number): Origin => {
    let origin = origins.get(id);
    if (origin) return origin;
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    if (functionName === "(garbage collector)") origin = { kind: "native", name: "garbage collection", fn: "" };
    else if (!url) origin = { kind: "native", name: functionName.startsWith("(") ? functionName : "(native)", fn: functionName };
    else if (url.startsWith("node:")) origin = { kind: "node", name: url.split("/").slice(0, 2).join("/"), fn: functionName };
    else {
      const at = url.startsWith("file:") ? fileURLToPath(url) : url;
      const file = nextDir ? at.replace(`${path.resolve(".next")}/`, `${path.resolve(nextDir)}/`) : at;
      // An empty object when the position is not mapped.
      const entry = mapOf(file)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; name?: string } | undefined;
      const source = entry?.originalSource ? decodeURIComponent(entry.originalSource) : file;
      const resolved = /^[a-z]+:\/\//.test(source) ? source : path.resolve(path.dirname(file), source);
      origin = originOfSource(resolved, entry?.name || functionName || "(anonymous)");
    }
    origins.set(id, origin);
    return origin;
  };

  const result: SourceAttribution = { busyUs: 0, cause: new Map(), ownFunctions: new Map(), self: new Map() };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed < fromUs || elapsed >= toUs || byId.get(id)!.callFrame.functionName === "(idle)") continue;
    result.busyUs += delta;
    const own = originOf(id);
    add(result.self, own.kind === "threadbook" ? "Threadbook (src/)" : own.kind === "node" ? `Node: ${own.name}` : own.name, delta);
    let cause: Origin | undefined;
    for (let current: number | undefined = id; current !== undefined && !cause; current = parentOf.get(current)) {
      const origin = originOf(current);
      if (origin.kind === "threadbook" || origin.kind === "framework") cause = origin;
    }
    if (cause?.kind === "threadbook") {
      add(result.cause, `Threadbook: ${cause.name}`, delta);
      add(result.ownFunctions, `${cause.name} ${cause.fn}`, delta);
    } else add(result.cause, cause ? "Next / React" : own.kind === "native" ? own.name : `no framework frame: ${own.kind === "node" ? "Node" : own.name}`, delta);
  }
  return result;
}
