/**
 * `npm run import -- --user <identifier> <file>`: imports a ChatGPT, Claude, Open WebUI, LibreChat or Threadbook export
 * for a user, as the app's "Import conversations" does (same job item, same limits, same summary), with a progress bar
 * on stderr.
 * Ctrl-C asks the job to stop after the batch it is writing. It opens the table as `npm run user` does.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createStorageFromConfig, DynamoDBDataLayer, parseStorageConfig, type ImportJobProgress } from "../src/data";
import { parseServerEnv } from "../src/server/env";
import { newJobId, THIS_RUNNER } from "../src/server/import/import-jobs";
import { localImportFile } from "../src/server/import/import-file";
import { importLimits } from "../src/server/import/import-limits";
import { runImport } from "../src/server/import/run-import";
import { createDynamoClient, dynamoSettings } from "../src/data";
import { CliError, runIfEntryPoint, runOnTable } from "./user";

const USAGE = `Usage:
  npm run import -- --user <identifier> <file>   import a ChatGPT/Claude export (.zip or conversations.json), an Open WebUI
                                                 or LibreChat chat export (.json) or a Threadbook export`;

export function parseImportArgs(argv: string[]): { user: string; file: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { user: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if (parsed.values.help) throw new CliError(USAGE, 0);
  const [file, ...extra] = parsed.positionals;
  if (!parsed.values.user || !file || extra.length > 0) throw new CliError(USAGE, 2);
  return { user: parsed.values.user, file: path.resolve(file) };
}

const BAR = 30;

/** `[#########.....]  120/1000  Trip to Kyoto`: one line, redrawn in place on a terminal. */
export function progressLine(progress: ImportJobProgress & { done: number }): string {
  const total = progress.total ?? 0;
  const filled = total > 0 ? Math.round((progress.done / total) * BAR) : 0;
  const title = progress.current ? `  ${progress.current.slice(0, 40)}` : "";
  return `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${String(progress.done).padStart(String(total).length)}/${total}${title}`;
}

export function summaryLines(outcome: ImportJobProgress): string[] {
  const lines = [
    `${outcome.status === "done" ? "Imported" : outcome.status === "cancelled" ? "Cancelled after importing" : "Failed after importing"} ${outcome.imported ?? 0} conversation(s); ` +
      `${outcome.existing ?? 0} already there (left as they were); ${outcome.attachments ?? 0} attachment(s).`,
  ];
  if (outcome.error) lines.push(outcome.error);
  const attachments = outcome.skippedAttachments ?? 0;
  const skippedWhat = attachments > 0 ? ` (${outcome.skippedCount! - attachments} conversation(s), ${attachments} attachment(s) of imported ones)` : "";
  if (outcome.skippedCount) lines.push(`Skipped ${outcome.skippedCount}${skippedWhat}:`, ...(outcome.skipped ?? []).map((s) => `  ${s.title}: ${s.reason}`));
  if ((outcome.skippedCount ?? 0) > (outcome.skipped?.length ?? 0)) lines.push(`  … and ${outcome.skippedCount! - outcome.skipped!.length} more`);
  return lines;
}

runIfEntryPoint(import.meta.url, () =>
  runOnTable(parseImportArgs, async ({ user, file }, connection, err) => {
    if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`No such file: ${file}`);
    const found = await connection.data.findUser(user);
    if (!found) throw new CliError(`No user ${user}; add one with: npm run user -- add ${user}`);
    const env = parseServerEnv(connection.env);
    // Attachments need storage: a layer of its own over the same table, with the storage the app uses.
    const data = new DynamoDBDataLayer({ tableName: env.DYNAMODB_TABLE!, client: createDynamoClient(dynamoSettings(connection.env)), storageProvider: createStorageFromConfig(parseStorageConfig(connection.env)) });
    const jobId = newJobId();
    // The file stays on this machine ("local"): no other process can resume this job; if this one dies, the job is
    // ended as interrupted when next looked at.
    await data.createImportJob(found.identifier, jobId, { fileName: path.basename(file), upload: "local", runner: THIS_RUNNER });
    err(`Importing ${path.basename(file)} for ${found.identifier} into ${connection.describe} (Ctrl-C to stop).`);
    const onInterrupt = () => void data.requestImportCancel(found.identifier, jobId);
    process.once("SIGINT", onInterrupt);
    const tty = process.stderr.isTTY;
    try {
      const outcome = await runImport({
        data,
        userId: found.identifier,
        jobId,
        file: await localImportFile(file),
        limits: importLimits(env),
        runner: THIS_RUNNER,
        onProgress: (progress) => process.stderr.write(tty ? `\r\u001b[2K${progressLine(progress)}` : `${progressLine(progress)}\n`),
      });
      if (tty) process.stderr.write("\n");
      if (!outcome) throw new CliError("The job was ended elsewhere (npm run doctor, or the app found it silent).");
      for (const line of summaryLines(outcome)) process.stdout.write(`${line}\n`);
      return outcome.status === "done" ? 0 : 1;
    } finally {
      process.off("SIGINT", onInterrupt);
      await data.close();
    }
  }),
);
