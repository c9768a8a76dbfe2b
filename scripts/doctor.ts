/**
 * `npm run doctor` reports what a table shared with a Chainlit app has drifted into; `npm run doctor -- --fix`
 * repairs it (src/data/layer/doctor.ts says what each finding means). Safe to run while both apps are live, and
 * again: a second `--fix` finds nothing the apps did not write meanwhile.
 *
 * It opens the table the way `npm run user` does (DYNAMODB_TABLE…, or the embedded default's data).
 */
import { parseArgs } from "node:util";
import {
  createStorageFromConfig,
  importUploadKey,
  isDataError,
  parseStorageConfig,
  runDoctor,
  type DoctorOptions,
  type DoctorReport,
  type DynamoDBDataLayer,
  type FindingKind,
  type StorageClient,
} from "../src/data";
import { threadNameFrom } from "../src/server/chat/continue-thread";
import { CliError, runIfEntryPoint, runOnTable } from "./user";

const USAGE = `Usage:
  npm run doctor            report what needs repair (exit code 1 if anything does)
  npm run doctor -- --fix   repair it
  npm run reindex           rebuild every thread's full-text index (and repair the rest)`;

const TITLES: Record<FindingKind, string> = {
  "marker-drift": "feedback markers that disagree with the steps",
  "index-behind": "threads the feedback filter or the search has not caught up with yet",
  reindex: "threads whose full-text index was rebuilt",
  leftovers: "Threadbook items left by a deleted thread",
  "missing-auth": "users without their AUTH item",
  unnamed: "threads without a name",
  "stale-import": "import jobs nobody runs any more, or uploads their jobs left in storage",
  "stale-pins": "pins of threads that are gone or no longer the user's",
};
/** Lines printed per kind; the count is always complete. */
const SHOWN_PER_KIND = 20;

export function parseDoctorArgs(argv: string[]): { fix: boolean; reindex: boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { fix: { type: "boolean" }, reindex: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) throw new CliError(USAGE, 0);
    // A reindex is a repair: it implies --fix.
    return { fix: (values.fix ?? false) || (values.reindex ?? false), reindex: values.reindex ?? false };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
}

/** Prints the report; returns the exit code: 0 when nothing is left to repair. */
export function printReport(report: DoctorReport, fix: boolean, out: (line: string) => void): number {
  out(`Scanned ${report.items} item(s) in ${report.pages} page(s).`);
  if (report.findings.length === 0) {
    out("Nothing to repair.");
    return 0;
  }
  let left = 0;
  for (const kind of Object.keys(TITLES) as FindingKind[]) {
    const findings = report.findings.filter((f) => f.kind === kind);
    if (findings.length === 0) continue;
    const fixed = findings.filter((f) => f.fixed).length;
    left += findings.length - fixed;
    out(`${TITLES[kind]}: ${findings.length}${fix ? `, repaired ${fixed}` : ""}`);
    for (const f of findings.slice(0, SHOWN_PER_KIND)) out(`  ${f.fixed ? "fixed " : ""}${f.id}: ${f.detail}`);
    if (findings.length > SHOWN_PER_KIND) out(`  … and ${findings.length - SHOWN_PER_KIND} more`);
  }
  if (!fix) out("Run `npm run doctor -- --fix` to repair.");
  else if (left > 0) out(`${left} finding(s) could not be repaired here (see above).`);
  return left === 0 ? 0 : 1;
}

export async function doctor(
  data: DynamoDBDataLayer,
  fix: boolean,
  io: { out(line: string): void; progress(line: string): void },
  options: Pick<DoctorOptions, "pageSize" | "reindex" | "importUploads"> = {},
): Promise<number> {
  const report = await runDoctor(data, {
    ...options,
    fix,
    progress: ({ pages, items }) => io.progress(`scanned ${pages} page(s), ${items} item(s)…`),
    repairProgress: ({ done, total }) => io.progress(`repaired ${done} of ${total}…`),
    nameThread: threadNameFrom,
    // The same migration a sign-in runs: moves Chainlit-era attributes into AUTH and writes the alias.
    repairMissingAuth: async (identifier) => (await data.ensureUserAuth(identifier)) !== null,
  });
  return printReport(report, fix, io.out);
}

/** Import uploads in the app's storage (`threadbook-imports/{jobId}`): is one still there, and its delete. */
export function importUploadsIn(storage: StorageClient): NonNullable<DoctorOptions["importUploads"]> {
  return {
    exists: (jobId) =>
      storage.readRange(importUploadKey(jobId), { start: 0, end: 1 }).then(
        () => true,
        // An empty object cannot hold byte 0 (validation), but it is there.
        (error: unknown) => (isDataError(error, "not_found") ? false : isDataError(error, "validation") ? true : Promise.reject(error)),
      ),
    delete: (jobId) => storage.deleteFile(importUploadKey(jobId)),
  };
}

runIfEntryPoint(import.meta.url, () =>
  runOnTable(parseDoctorArgs, async ({ fix, reindex }, connection, err) => {
    err(`Checking ${connection.describe}${fix ? " and repairing" : ""}${reindex ? ", rebuilding every full-text index" : ""}.`);
    const storage = createStorageFromConfig(parseStorageConfig(connection.env));
    try {
      return await doctor(connection.data, fix, { out: (line) => process.stdout.write(`${line}\n`), progress: err }, { reindex, importUploads: importUploadsIn(storage) });
    } finally {
      await storage.close();
    }
  }),
);
