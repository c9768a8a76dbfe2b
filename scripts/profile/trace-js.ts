/**
 * `npx tsx scripts/profile/trace-js.ts trace.json [.next/static/chunks] [from-mark] [to-mark]`: the JavaScript of one
 * traced thread-page view (`BENCH_UI_TRACE=dir npm run bench -- --ui`), attributed to the source it was built from.
 * trace-summary.ts says which tasks ran; this says whose code ran in them: the V8 samples the trace holds for the
 * page's main thread, between navigation start and the bench's "interactive" mark by default (any trace event name
 * works as a mark), grouped by the original file (an npm package, a Next or React file, `src/…` of Threadbook) through
 * the chunks' source maps. The maps exist only in a build made with `productionBrowserSourceMaps: true` in
 * next.config.mjs (not committed: the maps would be served); without them the chunk's name stands in.
 *
 * Time is counted in samples (their median interval), not in the gaps between them: on a loaded machine a thread
 * descheduled between two samples would otherwise charge the wait to whatever code ran next. "(program)" is the
 * renderer's own work between scripts (parsing, style, layout), "(native)" code without a script (the bench's check).
 * A module function's first compile shows as self time of whoever called it (Turbopack's runtime for module functions).
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";

interface CallFrame {
  functionName: string;
  url?: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: CallFrame;
}
interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  id?: string;
  args?: { data?: Record<string, unknown> & { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[]; startTime?: number } };
}

const [file, chunksDir = ".next/static/chunks", fromName = "navigationStart", toName = "bench:interactive"] = process.argv.slice(2);
if (!file) throw new Error("usage: tsx scripts/profile/trace-js.ts trace.json [chunks dir] [from mark] [to mark]");
const raw = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : raw.traceEvents;
const navigation = events.find((e) => e.name === "navigationStart" && String(e.args?.data?.documentLoaderURL ?? "").startsWith("http"));
if (!navigation) throw new Error("no navigation to an http page in this trace");
const at = (name: string) => (name === "navigationStart" ? navigation.ts : events.find((e) => e.name === name && e.pid === navigation.pid)?.ts);
const from = at(fromName);
const to = at(toName);
if (from === undefined || to === undefined) throw new Error(`no ${from === undefined ? fromName : toName} in this trace`);

// The sampled profiles of the page's main thread (its "Profile" event is stamped with that thread; the chunks that
// carry its nodes and samples come from the sampler's).
const profiles = new Map<string, { start: number; nodes: Map<number, ProfileNode>; samples: number[]; deltas: number[] }>();
for (const e of events) {
  if (e.pid !== navigation.pid || !e.id) continue;
  if (e.name === "Profile" && e.tid === navigation.tid) profiles.set(e.id, { start: Number(e.args?.data?.startTime ?? 0), nodes: new Map(), samples: [], deltas: [] });
  const profile = e.name === "ProfileChunk" ? profiles.get(e.id) : undefined;
  if (!profile) continue;
  for (const node of e.args?.data?.cpuProfile?.nodes ?? []) profile.nodes.set(node.id, node);
  profile.samples.push(...(e.args?.data?.cpuProfile?.samples ?? []));
  profile.deltas.push(...(e.args?.data?.timeDeltas ?? []));
}
const positive = [...profiles.values()].flatMap((p) => p.deltas).filter((d) => d > 0).sort((a, b) => a - b);
const intervalMs = (positive[Math.floor(positive.length / 2)] ?? 0) / 1000;

const maps = new Map<string, SourceMap | null>();
/** The original file of a frame: a package (Next and React by file), `src/…`, or the chunk when it has no map. */
function origin(frame: CallFrame): string {
  const chunk = /chunks\/([^/?]+\.js)/.exec(frame.url ?? "")?.[1];
  if (!chunk) return frame.url ? (frame.url.startsWith("http") ? "the page's inline scripts" : frame.url) : "(native)";
  let map = maps.get(chunk);
  if (map === undefined) {
    const script = path.join(chunksDir, chunk);
    const mapName = existsSync(script) ? /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(script, "utf8"))?.[1] : undefined;
    const mapFile = mapName ? path.join(chunksDir, mapName) : null;
    map = mapFile && existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null;
    maps.set(chunk, map);
  }
  const source = (map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string } | undefined)?.originalSource;
  if (!source) return chunk;
  const file = source.replace(/^.*?\[project\]\//, "").replace(/^turbopack:\/\/\/?/, "");
  const inModules = file.lastIndexOf("node_modules/");
  if (inModules < 0) return file;
  const parts = file.slice(inModules + "node_modules/".length).split("/");
  const name = parts[0]!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return name === "next" ? `next/${parts.slice(1, 4).join("/")}` : name;
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + intervalMs);
let busy = 0;
for (const profile of profiles.values()) {
  let ts = profile.start;
  profile.samples.forEach((id, i) => {
    ts += profile.deltas[i] ?? 0;
    if (ts < from || ts > to) return;
    let node = profile.nodes.get(id);
    if (!node) return;
    const name = node.callFrame.functionName;
    if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") return add(self, name);
    busy += intervalMs;
    add(self, origin(node.callFrame));
    const seen = new Set<string>();
    for (; node; node = node.parent === undefined ? undefined : profile.nodes.get(node.parent)) {
      const key = origin(node.callFrame);
      if (seen.has(key)) continue;
      add(inclusive, key);
      seen.add(key);
    }
  });
}

const show = (title: string, map: Map<string, number>, rows: number) => {
  console.log(`\n${title}`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${ms.toFixed(1).padStart(8)}  ${key}`);
};
console.log(`${file}: ${fromName} → ${toName}, ${((to - from) / 1000).toFixed(1)} ms; samples every ${intervalMs.toFixed(3)} ms`);
console.log(`script samples: ${busy.toFixed(1)} ms`);
show("Self time by source (ms), with the renderer's own work and idle", self, 30);
show("Inclusive time by source (ms): a sample counts once for each source on its stack", inclusive, 40);
