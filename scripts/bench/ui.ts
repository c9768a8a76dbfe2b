/**
 * `npm run bench -- --ui`: what a person opening a long thread gets (docs/long-threads.md). Against the
 * built app on the embedded default (built first if needed), threads of 200, 2,000 and 10,000 steps (turns of user
 * message, run, tool, reply with a small table) are opened in Chromium (/usr/bin/chromium through Playwright),
 * five times each, and the medians reported:
 * - HTML bytes of /threads/{id} (the server-rendered page, RSC payload included);
 * - DOM nodes once the latest turn is on screen;
 * - ms from navigation start to the HTML's first byte and to its last (the server's share);
 * - ms from navigation start until the newest reply is in view (server-rendered, before hydration);
 * - ms from navigation start until the newest reply is in view AND its 👎 is wired (React hydrated it);
 * - ms from a click on that 👎 to the next frame with the comment dialog open (INP-style);
 * - then, in the last view of each size, the other interactions the brief names, each to the first frame that shows
 *   its result (medians of RUNS): opening the newest closed tool step, copying a reply (its "Copied" state), and
 *   sending a message to the demo assistant: to the message on screen, to the reply's first token, and the renderer's
 *   main-thread ms per drawn update of the streaming reply (flat across sizes when a token redraws only its turn);
 * - CPU, which a loaded machine changes far less than wall time: the browser's main thread until interactive (CDP
 *   Performance metrics: all tasks, and script alone) and the app server's process CPU per view (from /proc).
 * A measurement, not a test: it asserts nothing, it prints and records.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, type CDPSession, type Page, chromium } from "@playwright/test";
import { DynamoDBDataLayer } from "../../src/data";
import { hashPassword } from "../../src/server/auth/password";
import { createDynamoClient, dynamoSettings } from "../../src/data";
import { chromiumPath } from "../../e2e/chromium";
import { startAppServer } from "../app-server";
import { cpuMs } from "./http";
import { signIn } from "../http-session";
import { seedLongThread } from "../seed-long-thread";
import { startStack } from "../stack";

/** BENCH_UI_SIZES=200,2000 measures fewer sizes (a slow "before" build, say). */
const SIZES = (process.env.BENCH_UI_SIZES ?? "200,2000,10000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_UI_RUNS ?? 5);
const PASSWORD = "bench-ui-password-1";
/**
 * BENCH_UI_TRACE=dir: also records a Chromium trace of one more view per size there (scripts/profile/trace-summary.ts reads
 * it), and the page's HTML beside it (where its parts sit decides what the parser reaches when).
 */
const TRACE_DIR = process.env.BENCH_UI_TRACE;
const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.frame",
  "blink.user_timing",
  "loading",
  "navigation",
  "toplevel",
  "v8.execute",
  "disabled-by-default-v8.cpu_profiler",
];

export interface UiResult {
  steps: number;
  htmlBytes: number;
  domNodes: number;
  firstByteMs: number;
  htmlDoneMs: number;
  visibleMs: number;
  interactiveMs: number;
  dislikeToDialogMs: number;
  toolStepOpenMs: number;
  copyMs: number;
  sendToMessageMs: number;
  sendToFirstTokenMs: number;
  streamMsPerUpdate: number;
  browserTaskMs: number;
  browserScriptMs: number;
  serverCpuMs: number;
}

/**
 * The thread's newest reply: the last one in the conversation, with no boundary of the server's stream still to fill
 * after it. Not the last in the document: React streams a large Suspense boundary's content after the page, in a
 * hidden element, and moves it into place later; replies in there are older turns, not yet part of the view.
 */
const NEWEST_REPLY = `(() => {
  const replies = document.querySelectorAll('.conversation [data-testid="assistant-message"]');
  const last = replies[replies.length - 1];
  if (!last) return null;
  const pendingAfter = Array.from(document.querySelectorAll(".conversation template")).some((t) => last.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
  return pendingAfter ? null : last;
})()`;
/**
 * Runs in every page before any of the app's scripts (an init script) and notes, at the frame it happens, when the
 * newest reply is first inside the viewport and when its 👎 first carries React's handler (hydrated, so a click does
 * something). Noted in the page rather than asked from here: an evaluation sent from Playwright waits for the page's
 * main thread, so a time read that way includes whatever long task (script evaluation, hydration) was running when
 * the condition became true, and Playwright's own injected script (~80 ms to compile on a loaded machine) ran on the
 * page's main thread in the middle of its first paint. The check costs well under a millisecond a frame.
 */
const WATCH_LATEST_REPLY = `(() => {
  const marks = (window.__benchUi = { visible: 0, interactive: 0 });
  const check = () => {
    const last = ${NEWEST_REPLY};
    const thumb = last && last.querySelector('[data-testid="feedback-down"]');
    if (last && thumb) {
      const box = last.getBoundingClientRect();
      if (box.bottom > 0 && box.top < window.innerHeight) {
        // performance.mark: a trace (BENCH_UI_TRACE) shows these two moments too.
        if (!marks.visible) marks.visible = performance.mark("bench:latest-in-view").startTime;
        if (Object.keys(thumb).some((key) => key.startsWith("__reactProps"))) marks.interactive = performance.mark("bench:interactive").startTime;
      }
    }
    if (!marks.interactive) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})()`;
/**
 * Resolves, in the page, once the newest reply is interactive (null in a document that is not the thread's yet).
 * Awaited through one CDP Runtime.evaluate rather than Playwright's waitForFunction: that compiles Playwright's
 * injected script (~100 KB) on the page's main thread while the HTML is still being parsed, which a user's browser
 * never does (123 ms of one traced view's main thread at load 6, between the parser's chunks, before the first paint).
 */
const LATEST_MARKS = `new Promise((resolve) => {
  if (!window.__benchUi || location.protocol === "about:") return resolve(null);
  const check = () => (window.__benchUi.interactive ? resolve(window.__benchUi) : requestAnimationFrame(check));
  check();
})`;
const NAVIGATION_TIMING = `(() => { const n = performance.getEntriesByType("navigation")[0]; return [n.responseStart, n.responseEnd]; })()`;

/** ms from a click on the last reply's 👎 to the first frame with the dialog in the document. */
const DISLIKE_TO_DIALOG = `new Promise((resolve) => {
  const thumb = ${NEWEST_REPLY}.querySelector('[data-testid="feedback-down"]');
  const start = performance.now();
  thumb.click();
  const check = () => (document.querySelector('[role="dialog"]') ? resolve(performance.now() - start) : requestAnimationFrame(check));
  requestAnimationFrame(check);
})`;

/** Resolves with the ms until `done()` first holds in a frame, or null after 10 s (the snippets below). */
const FRAMES_UNTIL = `(start, done) => new Promise((resolve) => {
  const check = () => (done() ? resolve(performance.now() - start) : performance.now() - start > 10000 ? resolve(null) : requestAnimationFrame(check));
  requestAnimationFrame(check);
})`;

/** ms from a click on the newest closed tool step's summary to the first frame with its body open below it. */
const OPEN_TOOL_STEP = `(() => {
  const closed = document.querySelectorAll('.conversation details[data-step-type="tool"]:not([open])');
  const step = closed[closed.length - 1];
  if (!step) return null;
  const summary = step.querySelector("summary");
  const start = performance.now();
  summary.click();
  return (${FRAMES_UNTIL})(start, () => step.open && step.getBoundingClientRect().height > summary.getBoundingClientRect().height + 4);
})()`;

/** ms from a click on a reply's copy button (the `back`-th from the newest) to the first frame saying "Copied". */
const COPY_REPLY = (back: number) => `(() => {
  const replies = document.querySelectorAll('.conversation [data-testid="assistant-message"]');
  const button = replies[replies.length - 1 - ${back}]?.querySelector('button[aria-label="Copy message"]');
  if (!button) return null;
  const start = performance.now();
  button.click();
  return (${FRAMES_UNTIL})(start, () => button.dataset.copied === "true");
})()`;

/**
 * A click on Send (the composer already holds the text): ms to the first frame with the message in the conversation,
 * to the first with the reply's first token, to the one with the reply done (the Stop button gone), and how many
 * frames drew a new reply text in between.
 */
const SEND_AND_STREAM = (text: string) => `(() => {
  const replies = () => document.querySelectorAll('.conversation [data-testid="assistant-message"]');
  const before = replies().length;
  const send = document.querySelector('button.composer-send');
  const marks = { shownMs: null, firstTokenMs: null, doneMs: null, updates: 0 };
  let lastText = "";
  const start = performance.now();
  send.click();
  return new Promise((resolve) => {
    const check = () => {
      const now = performance.now() - start;
      if (marks.shownMs === null && Array.from(document.querySelectorAll('.conversation [data-testid="user-message"]')).some((m) => m.textContent.includes(${JSON.stringify(text)}))) marks.shownMs = now;
      const all = replies();
      const reply = all.length > before ? all[all.length - 1] : null;
      const text = reply ? reply.querySelector('[data-testid="message-text"]')?.textContent ?? "" : "";
      if (text && text !== lastText) {
        if (marks.firstTokenMs === null) marks.firstTokenMs = now;
        marks.updates++;
        lastText = text;
      }
      const streaming = Array.from(document.querySelectorAll("button")).some((b) => b.getAttribute("aria-label") === "Stop" || b.textContent.trim() === "Stop");
      if (marks.firstTokenMs !== null && !streaming) marks.doneMs = now;
      if (marks.doneMs !== null || now > 30000) resolve(marks);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
})()`;

interface InteractionRun {
  toolStepOpenMs: number | null;
  copyMs: number | null;
  sendToMessageMs: number | null;
  sendToFirstTokenMs: number | null;
  streamMsPerUpdate: number | null;
}

/** The interactions after the views (SEND_AND_STREAM and the rest), RUNS times in the thread's open page. */
async function measureInteractions(page: Page, cdp: CDPSession): Promise<InteractionRun[]> {
  const runs: InteractionRun[] = [];
  await page.keyboard.press("Escape");
  for (let run = 0; run < RUNS; run++) {
    const toolStepOpenMs = (await page.evaluate(OPEN_TOOL_STEP)) as number | null;
    const copyMs = (await page.evaluate(COPY_REPLY(run))) as number | null;
    const text = `Bench message ${run} ${randomUUID().slice(0, 8)}`;
    await page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
    const [taskBefore] = await rendererCpu(cdp);
    const marks = (await page.evaluate(SEND_AND_STREAM(text))) as { shownMs: number | null; firstTokenMs: number | null; doneMs: number | null; updates: number };
    const [taskAfter] = await rendererCpu(cdp);
    runs.push({
      toolStepOpenMs,
      copyMs,
      sendToMessageMs: marks.shownMs,
      sendToFirstTokenMs: marks.firstTokenMs,
      streamMsPerUpdate: marks.updates > 0 && marks.doneMs !== null ? (taskAfter - taskBefore) / marks.updates : null,
    });
    // The stored turn replaces the streamed one (a refetch) before the next round starts.
    await page.waitForTimeout(1_000);
  }
  return runs;
}

/** The page's marks once its newest reply is interactive (LATEST_MARKS), through the page's CDP session. */
async function latestMarks(cdp: CDPSession): Promise<{ visible: number; interactive: number }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    // Right after the commit the evaluation can still land in the blank document the tab started with: then again.
    const answer = await cdp
      .send("Runtime.evaluate", { expression: LATEST_MARKS, awaitPromise: true, returnByValue: true })
      .catch(() => null);
    const value = answer?.result.value as { visible: number; interactive: number } | null | undefined;
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the newest reply did not become interactive within 60 s");
}

/**
 * BENCH_UI_TAB: how each view is opened.
 * - `site` (the default): in one tab, coming from a page of another site (the app's own address as 127.0.0.1), so
 *   each view has a renderer process of its own with the browser's HTTP and code caches warm, as when a reader opens
 *   a thread link in the tab they have open.
 * - `same`: in one tab, coming from about:blank: the renderer of the view before is reused, its memory cache too
 *   (a reload, or a second thread opened by its address in that tab).
 * - `new`: a new tab per view (the bench before 2026-12-01): this Chromium then also loads its own omnibox popup
 *   (a WebUI renderer, ~200 chrome:// module requests) at the moment the page loads, competing with it for the two
 *   cores, which no reader's browser does when a page opens (bench/HISTORY.md, "Long threads: the bench's own work").
 */
const TAB = process.env.BENCH_UI_TAB ?? "site";
if (!["site", "same", "new"].includes(TAB)) throw new Error(`BENCH_UI_TAB must be site, same or new, not ${TAB}`);

/** The renderer's main-thread CPU so far (CDP Performance metrics: all tasks, script alone) and its documents. */
async function rendererCpu(cdp: CDPSession): Promise<[number, number, number]> {
  const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  return [(metrics.TaskDuration ?? 0) * 1000, (metrics.ScriptDuration ?? 0) * 1000, metrics.Documents ?? 0];
}

/** The tab each view opens in (BENCH_UI_TAB), with the renderer CPU to count from. */
async function viewTab(context: BrowserContext, baseUrl: string) {
  let current: { page: Page; cdp: CDPSession } | undefined;
  const fresh = async () => {
    await current?.page.close();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    return (current = { page, cdp });
  };
  return {
    async next(): Promise<{ page: Page; cdp: CDPSession; cpuBefore: [number, number, number] }> {
      if (!current || TAB === "new") return { ...(await fresh()), cpuBefore: [0, 0, 0] };
      const { page, cdp } = current;
      if (TAB === "same") {
        await page.goto("about:blank");
        // The same renderer goes on: count from here.
        return { page, cdp, cpuBefore: await rendererCpu(cdp) };
      }
      // Another site: the view's document gets a renderer process of its own, whose counters start at zero.
      await page.goto(`${baseUrl.replace("//localhost:", "//127.0.0.1:")}/api/health`);
      return { page, cdp, cpuBefore: [0, 0, 0] };
    },
    close: async () => current?.page.close(),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median of the values measured (-1 when none was: a control missing from the page, or 10 s without a frame). */
const medianOf = (values: Array<number | null>, digits = 0) => {
  const measured = values.filter((value): value is number => value !== null);
  return measured.length ? Math.round(median(measured) * 10 ** digits) / 10 ** digits : -1;
};

export async function runUiBench(log: (line: string) => void = console.error): Promise<UiResult[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "threadbook-bench-ui-"));
  const stack = await startStack({ ...process.env, THREADBOOK_DATA_DIR: dataDir, DYNAMODB_TABLE: "", S3_BUCKET: "", LOG_LEVEL: "warn" }, () => {});
  const identifier = `bench-ui-${randomUUID().slice(0, 8)}@example.com`;
  const client = createDynamoClient(dynamoSettings(stack.env));
  const data = new DynamoDBDataLayer({ tableName: stack.env.DYNAMODB_TABLE!, client });
  const threads: Array<{ steps: number; threadId: string }> = [];
  try {
    await data.createUser({ identifier });
    await data.setUserPassword(identifier, await hashPassword(PASSWORD));
    for (const steps of SIZES) {
      log(`Seeding a thread of ${steps.toLocaleString("en-US")} steps…`);
      threads.push({ steps, threadId: (await seedLongThread(data, { userId: identifier, steps, concurrency: 32 })).threadId });
    }
  } finally {
    await data.close();
    client.destroy();
  }
  const server = await startAppServer(stack.env);
  if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath() });
  try {
    const cookie = await signIn(server.baseUrl, identifier, PASSWORD);
    const [name, value] = cookie.split("=") as [string, string];
    // bypassCSP: the measuring snippets are evaluated as strings, which the app's CSP (rightly) forbids to pages.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await context.addInitScript(WATCH_LATEST_REPLY);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.baseUrl });
    await context.addCookies([{ name, value: cookie.slice(name.length + 1) || value, url: server.baseUrl }]);
    const results: UiResult[] = [];
    for (const { steps, threadId } of threads) {
      const url = `${server.baseUrl}/threads/${threadId}`;
      const html = await (await fetch(url, { headers: { cookie } })).text();
      if (TRACE_DIR) writeFileSync(path.join(TRACE_DIR, `thread-${steps}.html`), html);
      const runs: Array<Pick<UiResult, "domNodes" | "firstByteMs" | "htmlDoneMs" | "visibleMs" | "interactiveMs" | "dislikeToDialogMs" | "browserTaskMs" | "browserScriptMs" | "serverCpuMs">> = [];
      let lastView: { page: Page; cdp: CDPSession } | undefined;
      const tab = await viewTab(context, server.baseUrl);
      // One warm-up view (the server's first render of a route compiles nothing, but fills its caches).
      for (let run = -1; run < RUNS; run++) {
        const { page, cdp, cpuBefore } = await tab.next();
        const serverCpuBefore = cpuMs(server.pid);
        await page.goto(url, { waitUntil: "commit" });
        // Page-side code as strings: tsx names functions with a helper the page does not have.
        // Resolved in the frame the page notes it, so the CPU metrics below are read as soon as possible after.
        const { visible: visibleMs, interactive: interactiveMs } = await latestMarks(cdp);
        const serverCpuMs = cpuMs(server.pid) - serverCpuBefore;
        const cpuAfter = await rendererCpu(cdp);
        const [browserTaskMs, browserScriptMs] = [cpuAfter[0] - cpuBefore[0], cpuAfter[1] - cpuBefore[1]];
        if (process.env.BENCH_UI_DEBUG) log(`    renderer CPU before ${cpuBefore.map(Math.round).join("/")}, after ${cpuAfter.map(Math.round).join("/")}, documents ${cpuAfter[2]}`);
        const [firstByteMs, htmlDoneMs] = (await page.evaluate(NAVIGATION_TIMING)) as [number, number];
        const domNodes = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
        const dislikeToDialogMs = (await page.evaluate(DISLIKE_TO_DIALOG)) as number;
        if (run >= 0) runs.push({ domNodes, firstByteMs, htmlDoneMs, visibleMs, interactiveMs, dislikeToDialogMs, browserTaskMs, browserScriptMs, serverCpuMs });
        lastView = { page, cdp };
      }
      // After the views, so the turns they open are the seeded ones: each send adds a turn to the thread.
      const interactions = await measureInteractions(lastView!.page, lastView!.cdp);
      if (TRACE_DIR) {
        // One more view, opened the same way, traced (not in the medians: tracing slows the page down a little).
        const { page, cdp } = await tab.next();
        // A hydration mismatch makes React draw the page again on the client: worth knowing before reading a trace.
        page.on("console", (message) => {
          if (message.type() === "error" || message.type() === "warning") log(`  console ${message.type()}: ${message.text().slice(0, 300)}`);
        });
        const file = path.join(TRACE_DIR, `thread-${steps}.json`);
        await browser.startTracing(page, { path: file, categories: TRACE_CATEGORIES });
        await page.goto(url, { waitUntil: "commit" });
        await latestMarks(cdp);
        // A few frames more, so the trace shows what follows interactivity too.
        await page.waitForTimeout(500);
        await browser.stopTracing();
        log(`  traced one view of ${steps} steps: ${file} (npx tsx scripts/profile/trace-summary.ts ${file})`);
      }
      await tab.close();
      const result = {
        steps,
        htmlBytes: Buffer.byteLength(html),
        domNodes: median(runs.map((r) => r.domNodes)),
        firstByteMs: Math.round(median(runs.map((r) => r.firstByteMs))),
        htmlDoneMs: Math.round(median(runs.map((r) => r.htmlDoneMs))),
        visibleMs: Math.round(median(runs.map((r) => r.visibleMs))),
        interactiveMs: Math.round(median(runs.map((r) => r.interactiveMs))),
        dislikeToDialogMs: Math.round(median(runs.map((r) => r.dislikeToDialogMs)) * 10) / 10,
        toolStepOpenMs: medianOf(interactions.map((r) => r.toolStepOpenMs), 1),
        copyMs: medianOf(interactions.map((r) => r.copyMs), 1),
        sendToMessageMs: medianOf(interactions.map((r) => r.sendToMessageMs)),
        sendToFirstTokenMs: medianOf(interactions.map((r) => r.sendToFirstTokenMs)),
        streamMsPerUpdate: medianOf(interactions.map((r) => r.streamMsPerUpdate), 1),
        browserTaskMs: Math.round(median(runs.map((r) => r.browserTaskMs))),
        browserScriptMs: Math.round(median(runs.map((r) => r.browserScriptMs))),
        serverCpuMs: Math.round(median(runs.map((r) => r.serverCpuMs))),
      };
      // Wall times mean little on a loaded machine: say how loaded it was.
      log(`  ${steps} steps: ${JSON.stringify(result)} (load average ${loadavg().map((n) => n.toFixed(1)).join(" ")})`);
      results.push(result);
    }
    return results;
  } finally {
    await browser.close();
    await server.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatUiTable(results: UiResult[]): string {
  const rows = [["steps", "HTML bytes", "DOM nodes", "first byte (ms)", "HTML done (ms)", "latest in view (ms)", "to interactive (ms)", "👎 to dialog (ms)", "browser CPU (ms)", "of it script (ms)", "server CPU (ms)"]];
  const interactionRows = [["steps", "tool step open (ms)", "copy (ms)", "send → message shown (ms)", "send → first token (ms)", "streaming: renderer ms per drawn update"]];
  for (const r of results)
    rows.push([
      r.steps.toLocaleString("en-US"),
      r.htmlBytes.toLocaleString("en-US"),
      r.domNodes.toLocaleString("en-US"),
      ...[r.firstByteMs, r.htmlDoneMs, r.visibleMs, r.interactiveMs, r.dislikeToDialogMs, r.browserTaskMs, r.browserScriptMs, r.serverCpuMs].map(String),
    ]);
  for (const r of results) interactionRows.push([r.steps.toLocaleString("en-US"), ...[r.toolStepOpenMs, r.copyMs, r.sendToMessageMs, r.sendToFirstTokenMs, r.streamMsPerUpdate].map(String)]);
  return `${table(rows)}\n\nInteractions in the opened thread (medians; -1: not measured):\n${table(interactionRows)}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join("  ")).join("\n");
}
