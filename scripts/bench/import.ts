/**
 * `npm run bench -- --import [--conversations N]`: imports a generated ChatGPT export of 10,000 conversations (or N; 6 messages each, one
 * branch edited) the way the app does: the zip is stored in S3 (s3rver) under the job's key as an upload is, then
 * runImport reads it from there (the central directory and conversations.json by ranged reads, batch writes with the
 * full-text index). Reports conversations per second, DynamoDB and S3 requests, and the importing process's peak
 * memory. dynalite and s3rver run in child processes, so the memory measured is the importer's alone.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { pipeline } from "node:stream/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import yazl from "yazl";
import { createS3Storage, DynamoDBDataLayer, ensureTable, getLogger, importUploadKey } from "../../src/data";
import { newJobId, THIS_RUNNER } from "../../src/server/import/import-jobs";
import { storedImportFile } from "../../src/server/import/import-file";
import { importLimits } from "../../src/server/import/import-limits";
import { runImport } from "../../src/server/import/run-import";
import { LOCAL_AWS_CREDENTIALS } from "../local-services";

export const BENCH_CONVERSATIONS = 10_000;
const TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ";

/** The i-th conversation of the generated export (also what the request-count test imports). */
export function benchConversation(i: number) {
  const node = (id: string, parent: string | null, children: string[], role: string, text: string, t: number) => ({
    id,
    parent,
    children,
    message: { id, author: { role }, create_time: t, content: { content_type: "text", parts: [text] }, metadata: {}, recipient: "all" },
  });
  const t = 1_700_000_000 + i * 60;
  return {
    title: `Generated conversation ${i}`,
    conversation_id: `bench-${i}`,
    create_time: t,
    update_time: t + 50,
    current_node: "a3",
    mapping: {
      u1: node("u1", null, ["a1"], "user", `Question ${i}. ${TEXT}`, t + 1),
      a1: node("a1", "u1", ["u2", "u2x"], "assistant", TEXT.repeat(4), t + 2),
      u2x: node("u2x", "a1", [], "user", "An edited-away question.", t + 3),
      u2: node("u2", "a1", ["a2"], "user", `Follow-up ${i}.`, t + 10),
      a2: node("a2", "u2", ["u3"], "assistant", TEXT.repeat(6), t + 11),
      u3: node("u3", "a2", ["a3"], "user", "Thanks, one more thing.", t + 20),
      a3: node("a3", "u3", [], "assistant", TEXT.repeat(3), t + 21),
    },
  };
}

/** conversations.json written into the zip as it is generated: the export never exists whole in memory either. */
async function writeExport(file: string, count: number): Promise<void> {
  function* json() {
    yield "[";
    for (let i = 0; i < count; i++) yield `${i ? "," : ""}${JSON.stringify(benchConversation(i))}`;
    yield "]";
  }
  const zip = new yazl.ZipFile();
  zip.addReadStream(Readable.from(json()), "conversations.json");
  zip.addBuffer(Buffer.from("<html></html>"), "chat.html");
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}

/** A server in a child process (its script prints its port), so its memory does not count as the importer's. */
async function startChild(script: string, name: string): Promise<{ endpoint: string; pid: number | undefined; stop(): void }> {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (data: Buffer) => resolve(data.toString().trim()));
    child.once("exit", () => reject(new Error(`${name} exited`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill() };
}

/** CPU seconds (user + system) a child process has used so far, from /proc (Linux); null elsewhere. */
function childCpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second on Linux)
  } catch {
    return null;
  }
}

const startDynaliteProcess = () => startChild("const s=require('dynalite')({createTableMs:0});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))", "dynalite");
const startS3rverProcess = (directory: string) =>
  startChild(
    `const S=require('s3rver');new S({address:'127.0.0.1',port:0,silent:true,directory:${JSON.stringify(directory)},allowMismatchedSignatures:true}).run().then((a)=>console.log(a.port))`,
    "s3rver",
  );

export interface ImportBenchFigure {
  conversations: number;
  zipMiB: number;
  seconds: number;
  conversationsPerSecond: number;
  dynamoRequests: number;
  /** Ranged GETs of the stored upload. */
  storageReads: number;
  /** The importing process's CPU time per conversation (user + system): what a loaded machine distorts least. */
  importerCpuMsPerConversation: number;
  /** dynalite's (the stand-in DynamoDB's) CPU time per conversation; null off Linux. */
  dynaliteCpuMsPerConversation: number | null;
  peakRssMiB: number;
  peakRssGrowthMiB: number;
  peakHeapAndBuffersGrowthMiB: number;
  /** JS heap + buffers right after a forced collection, sampled every 10 s: what the import keeps alive. */
  peakRetainedMiB: number;
  /** The machine's 1-minute load average, lowest and highest seen while importing (every 10 s). */
  loadAverage: [number, number];
}

export async function runImportBench(count = BENCH_CONVERSATIONS): Promise<ImportBenchFigure> {
  getLogger("DynamoDB").level = "warn";
  const dir = mkdtempSync(path.join(os.tmpdir(), "tb-bench-import-"));
  const file = path.join(dir, "chatgpt-export.zip");
  const dynamo = await startDynaliteProcess();
  const s3 = await startS3rverProcess(path.join(dir, "s3"));
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS });
  const storage = createS3Storage({ bucket: "bench-import", endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: LOCAL_AWS_CREDENTIALS });
  let requests = 0;
  let storageReads = 0;
  client.middlewareStack.add((next) => (args) => (requests++, next(args)), { step: "deserialize", name: "benchImportCounter" });
  storage.client.middlewareStack.add((next) => (args) => ((args.input as { Range?: string }).Range && storageReads++, next(args)), { step: "initialize", name: "benchRangeCounter" });
  try {
    console.error(`Generating a ${count}-conversation ChatGPT export…`);
    await writeExport(file, count);
    const tableName = `bench-import-${randomUUID().slice(0, 8)}`;
    await ensureTable(client, tableName);
    await storage.ensureExists();
    const data = new DynamoDBDataLayer({ tableName, client, storageProvider: storage });
    const userId = "importer@example.com";
    const jobId = newJobId();
    await data.createImportJob(userId, jobId, { fileName: "chatgpt-export.zip", upload: "storage", runner: THIS_RUNNER });
    // Stored as POST /api/import stores an upload: streamed under the job's key.
    await storage.uploadFile({ objectKey: importUploadKey(jobId), data: createReadStream(file), mime: "application/octet-stream" });
    const live = (m: NodeJS.MemoryUsage) => m.heapUsed + m.arrayBuffers;
    const start = process.memoryUsage();
    const peak = { rss: 0, live: 0, retained: 0, rssAbsolute: 0 };
    // RSS is cheap to read, so often; the full breakdown walks the heap's spaces, so a few times a second. Sampling
    // must not be what the import spends its time on (it was, at every 50 ms with forced collections every second).
    let ticks = 0;
    const timer = setInterval(() => {
      const rss = process.memoryUsage.rss();
      peak.rssAbsolute = Math.max(peak.rssAbsolute, rss);
      peak.rss = Math.max(peak.rss, rss - start.rss);
      if (++ticks % 10 === 0) peak.live = Math.max(peak.live, live(process.memoryUsage()) - live(start));
    }, 50);
    // What the import keeps alive, as opposed to garbage V8 has not collected yet: sampled after a forced collection.
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    collect();
    const base = live(process.memoryUsage());
    const load = [os.loadavg()[0]!, os.loadavg()[0]!];
    const retainedTimer = setInterval(() => {
      load[0] = Math.min(load[0]!, os.loadavg()[0]!);
      load[1] = Math.max(load[1]!, os.loadavg()[0]!);
      collect();
      peak.retained = Math.max(peak.retained, live(process.memoryUsage()) - base);
    }, 10_000);
    requests = 0;
    storageReads = 0;
    console.error("Importing…");
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    const dynaliteBefore = childCpuSeconds(dynamo.pid);
    const outcome = await runImport({ data, userId, jobId, file: storedImportFile(storage, importUploadKey(jobId), statSync(file).size), limits: importLimits({ IMPORT_MAX_MB: 1024, MAX_UPLOAD_MB: 20 }), runner: THIS_RUNNER });
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const dynaliteAfter = childCpuSeconds(dynamo.pid);
    clearInterval(timer);
    clearInterval(retainedTimer);
    if (!outcome || outcome.status !== "done" || outcome.imported !== count) throw new Error(`import ended ${outcome?.status} with ${outcome?.imported} imported: ${outcome?.error ?? ""}`);
    const MiB = 1024 * 1024;
    return {
      conversations: count,
      zipMiB: Math.round((statSync(file).size / MiB) * 10) / 10,
      seconds: Math.round(seconds * 10) / 10,
      conversationsPerSecond: Math.round(count / seconds),
      dynamoRequests: requests,
      storageReads,
      importerCpuMsPerConversation: Math.round(((cpu.user + cpu.system) / 1000 / count) * 10) / 10,
      dynaliteCpuMsPerConversation: dynaliteBefore === null || dynaliteAfter === null ? null : Math.round((((dynaliteAfter - dynaliteBefore) * 1000) / count) * 10) / 10,
      peakRssMiB: Math.round(peak.rssAbsolute / MiB),
      peakRssGrowthMiB: Math.round(peak.rss / MiB),
      peakHeapAndBuffersGrowthMiB: Math.round(peak.live / MiB),
      peakRetainedMiB: Math.round(peak.retained / MiB),
      loadAverage: [Math.round(load[0]! * 10) / 10, Math.round(load[1]! * 10) / 10],
    };
  } finally {
    client.destroy();
    await storage.close();
    dynamo.stop();
    s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatImportBench(f: ImportBenchFigure): string {
  return [
    `Import of a generated ChatGPT export: ${f.conversations} conversations (6 messages each), ${f.zipMiB} MiB zip`,
    `  ${f.seconds} s, ${f.conversationsPerSecond} conversations/s, ${f.dynamoRequests} DynamoDB requests (${(f.dynamoRequests / f.conversations).toFixed(2)} per conversation), ${f.storageReads} ranged reads of the upload in S3`,
    `  CPU per conversation: importer ${f.importerCpuMsPerConversation} ms, dynalite ${f.dynaliteCpuMsPerConversation ?? "?"} ms (load average ${f.loadAverage[0]}–${f.loadAverage[1]} while importing)`,
    `  importing process: peak RSS ${f.peakRssMiB} MiB (growth ${f.peakRssGrowthMiB} MiB), JS heap + buffers growth ${f.peakHeapAndBuffersGrowthMiB} MiB, retained after GC ${f.peakRetainedMiB} MiB`,
  ].join("\n");
}

/** Records the figure in bench/results.json beside the others. */
export function saveImportBench(f: ImportBenchFigure): void {
  const file = "bench/results.json";
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  writeFileSync(file, JSON.stringify({ ...previous, import: { at: new Date().toISOString(), machine, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 10) / 10), ...f } }, null, 2) + "\n");
}
