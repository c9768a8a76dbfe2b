/**
 * `npx tsx scripts/profile/trace-summary.ts trace.json`: where the time went in one traced view of a thread page
 * (`BENCH_UI_TRACE=dir npm run bench -- --ui` records one per size; bench/HISTORY.md, "Long threads: attributed").
 * Prints, in ms from navigation start, the milestones (HTML received, first paint, first contentful paint, DOM
 * content loaded, load) and every main-thread task of the page's renderer longer than 2 ms with what it did: HTML
 * parsing, a script's evaluation (by URL), a timer, an animation frame, style, layout, paint. Then the totals per kind
 * between the milestones, which is the attributed breakdown.
 */
import { readFileSync } from "node:fs";

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: Record<string, unknown>; frame?: string; name?: string; [key: string]: unknown };
}

const file = process.argv[2];
if (!file) throw new Error("usage: tsx scripts/profile/trace-summary.ts trace.json");
const raw = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : raw.traceEvents;

// The navigation to the page (not the about:blank a new tab starts with, nor the browser's own pages), and the
// renderer main thread it happened on.
const navigation = events.find((e) => e.name === "navigationStart" && String(e.args?.data?.documentLoaderURL ?? "").startsWith("http"));
const parse = navigation && events.find((e) => e.name === "ParseHTML" && e.pid === navigation.pid && e.tid === navigation.tid);
if (!parse) throw new Error("no navigation to an http page with its HTML parsed in this trace");
const main = (e: TraceEvent) => e.pid === parse.pid && e.tid === parse.tid;
const t0 = navigation?.ts ?? parse.ts;
const ms = (ts: number) => Math.round((ts - t0) / 100) / 10;

const marks = ["firstPaint", "firstContentfulPaint", "firstMeaningfulPaint", "largestContentfulPaint::Candidate", "domInteractive", "MarkDOMContent", "MarkLoad", "domContentLoadedEventEnd"];
// The page's own requests (the browser's own WebUI pages show up in the same trace), by request id.
const pageFrame = navigation?.args?.frame;
const requests = new Map<string, string>();
for (const e of events) {
  const data = e.args?.data ?? {};
  if (e.name === "ResourceSendRequest" && data.frame === pageFrame && String(data.url).startsWith("http")) requests.set(String(data.requestId), `${String(data.resourceType)} ${String(data.priority)}${data.renderBlocking === "blocking" ? " render-blocking" : ""} ${shortUrl(String(data.url))}`);
}
const milestones = events
  .filter((e) => marks.includes(e.name) && e.pid === parse.pid && e.ts >= t0 && (e.args?.frame ?? e.args?.data?.frame) === pageFrame)
  .map((e) => ({ at: ms(e.ts), what: e.name }))
  .concat(
    events
      .filter((e) => ["ResourceSendRequest", "ResourceReceiveResponse", "ResourceFinish"].includes(e.name) && requests.has(String(e.args?.data?.requestId)))
      .map((e) => ({ at: ms(e.ts), what: `${e.name.replace("Resource", "")} ${requests.get(String(e.args?.data?.requestId))}` })),
  )
  .sort((a, b) => a.at - b.at);

function shortUrl(url: string) {
  return url.replace(/^https?:\/\/[^/]+/, "").replace(/\/_next\/static\/chunks\//, "chunks/");
}

/** What a top-level task did, from its longest child events (one line). */
function describe(task: TraceEvent): { kind: string; text: string } {
  const end = task.ts + (task.dur ?? 0);
  const children = events.filter((e) => main(e) && e.ph === "X" && e !== task && e.ts >= task.ts && e.ts < end && e.name !== "RunTask");
  const byName = new Map<string, number>();
  for (const child of children) {
    const data = child.args?.data ?? {};
    const label =
      child.name === "EvaluateScript" || child.name === "v8.compile" || child.name === "v8.compileModule"
        ? `${child.name} ${shortUrl(String(data.url ?? ""))}`
        : child.name === "FunctionCall"
          ? `FunctionCall ${shortUrl(String(data.url ?? ""))}:${String(data.functionName ?? "")}`
          : child.name === "TimerFire" || child.name === "FireAnimationFrame" || child.name === "EventDispatch"
            ? `${child.name} ${String(data.type ?? "")}`
            : child.name;
    byName.set(label, (byName.get(label) ?? 0) + (child.dur ?? 0) / 1000);
  }
  const top = [...byName.entries()].filter(([name]) => !/^(ThreadControllerImpl|RunTask|v8\.run|V8\.)/.test(name)).sort((a, b) => b[1] - a[1]);
  const kind = kindOf(top.map(([name, d]) => `${name} ${d.toFixed(1)}`));
  return { kind, text: top.slice(0, 4).map(([name, d]) => `${name} ${d.toFixed(1)}`).join(" | ") };
}

/** A task's cause, from its heaviest children (names as `describe` labels them). */
function kindOf(names: string[]): string {
  const top = names.slice(0, 2).join(" | ");
  const first = names[0] ?? "";
  if (/FunctionCall :check/.test(top)) return "bench check (+ the frame's layout)";
  if (/FunctionCall \/threads\/[^ ]*:f\b/.test(top)) return "pre-hydration scroll script";
  if (first.startsWith("ParseHTML")) return /EvaluateScript \/threads\//.test(names.slice(0, 3).join(" ")) ? "HTML parse + inline scripts (RSC payload)" : "HTML parse";
  if (/^FunctionCall chunks\/[^ ]*:z$/.test(first.replace(/ [\d.]+$/, ""))) return "React work loop (hydration, renders)";
  if (first.startsWith("EvaluateScript chunks/") || first.startsWith("v8.compile")) return "script evaluation (first-load chunks)";
  if (first.startsWith("EvaluateScript") && /Receive mojo/.test(top)) return "evaluation sent over CDP";
  if (/^(FunctionCall|TimerFire|FireAnimationFrame|EventDispatch|RunMicrotasks|v8\.callFunction)/.test(first)) return "other script callbacks";
  if (/^(UpdateLayoutTree|Layout|RecalculateStyles|ParseAuthorStyleSheet)/.test(first)) return "style + layout";
  if (/^(Paint|Layerize|PrePaint|Commit|CompositeLayers|UpdateLayer)/.test(first)) return "paint";
  if (/^(Receive mojo message|SimpleWatcher|DocumentLoader|NavigationBodyLoader)/.test(first)) return "loading (IPC, body read)";
  return "other";
}

const tasks = events.filter((e) => main(e) && e.ph === "X" && e.name === "RunTask" && e.ts >= t0 && (e.dur ?? 0) > 2000).sort((a, b) => a.ts - b.ts);
const rows = tasks.map((task) => ({ at: ms(task.ts), dur: Math.round((task.dur ?? 0) / 100) / 10, cpu: Math.round((task.tdur ?? task.dur ?? 0) / 100) / 10, ...describe(task) }));

console.log(`Trace ${file}: renderer ${parse.pid}, times in ms from navigation start\n\nMilestones and resources:`);
for (const m of milestones) console.log(`${String(m.at).padStart(8)}  ${m.what}`);
console.log("\nMain-thread tasks over 2 ms:");
for (const r of rows) console.log(`${String(r.at).padStart(8)}  ${String(r.dur).padStart(6)} (cpu ${String(r.cpu).padStart(6)})  ${r.kind.padEnd(18)} ${r.text}`);

// Totals per kind between the HTML's last byte and the bench's marks (or milestones given as arguments, in ms).
const documentDone = events.find((e) => e.name === "ResourceFinish" && String(requests.get(String(e.args?.data?.requestId))).startsWith("Document"));
const benchMarks = ["bench:latest-in-view", "bench:interactive"].map((name) => events.find((e) => e.name === name && e.pid === parse.pid && e.ts >= t0));
const cuts = (process.argv.length > 3 ? process.argv.slice(3).map(Number) : [documentDone, firstPaintOf(), ...benchMarks].flatMap((e) => (e ? [ms(e.ts)] : []))).sort((a, b) => a - b);
function firstPaintOf() {
  return events.find((e) => e.name === "firstContentfulPaint" && e.pid === parse!.pid && e.ts >= t0);
}
console.log(`\nCuts (HTML done, first contentful paint, latest in view, interactive; in time order): ${cuts.join(", ")} ms`);
if (cuts.length) {
  const bounds = [0, ...cuts, Infinity];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i]!, bounds[i + 1]!];
    const totals = new Map<string, { wall: number; cpu: number }>();
    for (const r of rows.filter((r) => r.at >= from && r.at < to)) {
      const total = totals.get(r.kind) ?? { wall: 0, cpu: 0 };
      totals.set(r.kind, { wall: total.wall + r.dur, cpu: total.cpu + r.cpu });
    }
    const busy = [...totals.values()].reduce((a, b) => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu }), { wall: 0, cpu: 0 });
    const list = [...totals.entries()].sort((a, b) => b[1].wall - a[1].wall).map(([k, v]) => `${k} ${v.wall.toFixed(0)} (cpu ${v.cpu.toFixed(0)})`);
    console.log(`\n${from}–${to} ms (${(to - from).toFixed(0)}): main thread in tasks over 2 ms ${busy.wall.toFixed(0)} ms (cpu ${busy.cpu.toFixed(0)}): ${list.join(", ")}`);
  }
}

// The waiting: idle stretches of the page's main thread (no task at all) between the HTML's last byte and
// interactive, each with what happened on the network while it lasted and what ran when it ended, which is what it
// waited on (a script or chunk arriving, the RSC payload's end, a timer, a frame).
const allTasks = events.filter((e) => main(e) && e.ph === "X" && e.name === "RunTask" && e.ts >= t0).sort((a, b) => a.ts - b.ts);
const [gapFrom, gapTo] = [documentDone ? ms(documentDone.ts) : 0, benchMarks[1] ? ms(benchMarks[1].ts) : Infinity];
const GAP_MS = Number(process.env.TRACE_GAP_MS ?? 4);
const network = milestones.filter((m) => /^(SendRequest|ReceiveResponse|Finish) /.test(m.what));
const timerInstalls = events.filter((e) => main(e) && e.name === "TimerInstall" && e.ts >= t0);
let idle = 0;
const gaps: string[] = [];
for (let i = 0; i + 1 < allTasks.length; i++) {
  const endOf = allTasks[i]!.ts + (allTasks[i]!.dur ?? 0);
  const next = allTasks[i + 1]!;
  const [start, end] = [ms(endOf), ms(next.ts)];
  if (end <= gapFrom || start >= gapTo) continue;
  const length = Math.min(end, gapTo) - Math.max(start, gapFrom);
  if (length < GAP_MS) continue;
  idle += length;
  const during = network.filter((m) => m.at >= start && m.at <= end).map((m) => `${m.at} ${m.what}`);
  const woke = (next.dur ?? 0) > 0 ? describe(next) : { kind: "", text: "" };
  const timers = timerInstalls.filter((e) => ms(e.ts) <= start && ms(e.ts) >= start - 400).map((e) => `timer ${String(e.args?.data?.timeout ?? "?")} ms installed at ${ms(e.ts)}`);
  gaps.push(`${String(start).padStart(8)} → ${String(end).padStart(8)} (${length.toFixed(1)} ms idle) woke by: ${woke.kind} ${woke.text.slice(0, 140)}${timers.length ? `\n            ${timers.slice(-3).join("; ")}` : ""}${during.map((d) => `\n            net ${d}`).join("")}`);
}
console.log(`\nIdle main thread (gaps ≥ ${GAP_MS} ms) between HTML done (${gapFrom}) and interactive (${gapTo}): ${idle.toFixed(0)} ms in ${gaps.length} gaps`);
for (const gap of gaps) console.log(gap);
