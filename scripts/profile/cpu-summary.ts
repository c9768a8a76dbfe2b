/**
 * `npx tsx scripts/profile/cpu-summary.ts CPU.….cpuprofile [from-s] [to-s]`: where the Next server's CPU went, from a
 * V8 CPU profile (`BENCH_HTTP_CPU_PROF=dir npm run bench -- --http-only` writes one; bench/HISTORY.md, "The thread
 * page's server cost, second pass"). First the busy milliseconds per second of the profile (to find the load's
 * window: the 32-user load is the run of full seconds), then, within [from-s, to-s), each sample given to the nearest
 * frame on its stack that names a part of the page (Markdown, the sidebar, the tRPC prefetch, the proxy…), else to
 * the file its own frame runs in (Next's runtime is React's RSC and HTML rendering). Names are readable only in a
 * build without server minification (`experimental: { serverMinification: false }` in next.config.mjs, for the
 * profile only).
 * `--by-source` then attributes the same window through the build's source maps, minified or not (cpu-sources.ts):
 * Threadbook's own code against Next/React, GC and the rest; `--next-dir=DIR` if the build was moved after the run.
 */
import { readFileSync } from "node:fs";
import { bySource, type SourceAttribution } from "./cpu-sources";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

const [file, from = "0", to = "1e9"] = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
if (!file) throw new Error("usage: tsx scripts/profile/cpu-summary.ts profile.cpuprofile [from-seconds] [to-seconds] [--by-source [--next-dir=DIR]]");
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const isIdle = (id: number) => byId.get(id)!.callFrame.functionName === "(idle)";

/** The parts of a page view, matched against `functionName@url` from the sample's frame upwards; first match wins. */
const PARTS: Array<[string, RegExp]> = [
  ["Markdown prerender", /^(Markdown|JsonCode|CodeBlock|renderMarkdown|renderJsonCode|prerenderSteps)@/],
  ["sidebar thread list", /^ThreadList@/],
  ["account dialogs (import, shared links)", /^(ImportDialog|SharedLinksDialog)@/],
  ["other shell components", /^(ThreadSearch|UserMenu|Sidebar|FeedbackFilter|AppShell|NewChatButton|LocaleSwitcher|ThemeToggle)@/],
  ["composer", /^Composer@/],
  ["thread view components", /^(ThreadView|ThreadHeader|ThreadBody|Conversation|OwnerFeedbackButtons|StepTime|Message|StepTree|Turn)[A-Za-z]*@/],
  ["composer settings prefetch (tRPC caller)", /^prefetchComposerSettings@/],
  ["react-query dehydration", /^(dehydrate|HydrateClient|HydrationBoundary)@/],
  ["the thread's read and window", /^(readThread|getThreadOutline|latestWindow|findOwnedThreadOutline|splitTurns)@/],
  ["session", /^(sessionUserFromRequest|currentUser|userFromToken)@/],
  ["metadata", /^(accumulateMetadata|mergeMetadata|MetadataOutlet|resolveMetadata)/],
  ["proxy (nonce, CSP; Next's middleware adapter)", /^(proxy|runMiddleware|adapter)@/],
  ["react-query hooks in server rendering", /^(useBaseQuery|useQuery|useInfiniteQuery|useMutation)/],
  ["socket writes", /^(writev|writeUtf8String|writeBuffer|writeGeneric|_writeGeneric)@/],
  ["garbage collection", /^\(garbage collector\)@/],
  ["HTTP parsing", /^(parserOnHeadersComplete|parserOnIncoming)@/],
];

const fileOf = (url: string) => (url.includes("next-server") ? "Next's runtime (React RSC + HTML)" : url.startsWith("node:") ? url.split("/").slice(0, 2).join("/") : url.split("/").pop() || "(native)");

const busyPerSecond = new Map<number, number>();
const parts = new Map<string, number>();
let elapsed = 0;
let busy = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const delta = profile.timeDeltas[i] ?? 0;
  elapsed += delta;
  if (isIdle(id)) continue;
  const second = Math.floor(elapsed / 1e6);
  busyPerSecond.set(second, (busyPerSecond.get(second) ?? 0) + delta);
  if (elapsed < Number(from) * 1e6 || elapsed >= Number(to) * 1e6) continue;
  busy += delta;
  let part: string | undefined;
  for (let current: number | undefined = id; current !== undefined && !part; current = parentOf.get(current)) {
    const { functionName, url } = byId.get(current)!.callFrame;
    part = PARTS.find(([, pattern]) => pattern.test(`${functionName}@${url}`))?.[0];
  }
  part ??= `other: ${fileOf(byId.get(id)!.callFrame.url)}`;
  parts.set(part, (parts.get(part) ?? 0) + delta);
}

console.log(`busy ms per second: ${[...busyPerSecond].map(([s, us]) => `${s}s ${Math.round(us / 1000)}`).join(", ")}`);
console.log(`\nwithin ${from}–${to} s: ${Math.round(busy / 1000)} ms busy`);
for (const [part, us] of [...parts].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${String(Math.round(us / 1000)).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${part}`);
}

if (process.argv.includes("--by-source")) {
  const attribution: SourceAttribution = bySource(profile, parentOf, byId, Number(from) * 1e6, Number(to) * 1e6, process.argv.find((arg) => arg.startsWith("--next-dir="))?.slice("--next-dir=".length));
  console.log(`\nby source (the page's busy ${Math.round(attribution.busyUs / 1000)} ms; bench/HISTORY.md, "The thread page's server cost, fifth pass"):`);
  const show = (title: string, rows: Map<string, number>, top = 25) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(Math.round(us / 1000)).padStart(7)} ms ${((100 * us) / attribution.busyUs).toFixed(1).padStart(5)}%  ${name}`);
  };
  const total = (prefix: string) => [...attribution.cause].filter(([name]) => name.startsWith(prefix)).reduce((sum, [, us]) => sum + us, 0);
  const share = (us: number) => `${Math.round(us / 1000)} ms (${((100 * us) / attribution.busyUs).toFixed(1)}%)`;
  console.log(`Threadbook's own code ${share(total("Threadbook: "))}; Next / React ${share(total("Next / React"))}; garbage collection ${share(total("garbage collection"))}; the rest (Node and native work with neither on the stack: sockets, timers, the DynamoDB client's I/O) ${share(attribution.busyUs - total("Threadbook: ") - total("Next / React") - total("garbage collection"))}`);
  show("who caused it (nearest frame of Threadbook's src/ or of Next/React on the stack; libraries and Node in between count for whoever called them):", attribution.cause);
  show("Threadbook's own, by the src/ function that caused it:", attribution.ownFunctions, 30);
  show("where the CPU itself ran (the sample's own frame):", attribution.self);
}
