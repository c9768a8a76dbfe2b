/**
 * `npm run sweep-orphans` walks the whole bucket once with the orphan sweep every instance runs on a timer
 * (docs/data-layer.md, "Orphaned previews and share copies"): run after run, each one bounded page, until both roots
 * were listed to their end or `--runs` is reached. It takes the same lease as the instances, so it never runs beside
 * one; it goes on from where they stopped, and they from where it stopped. For an operator who wants the previews and
 * share copies of elements Chainlit deleted gone now, rather than a page every ORPHAN_SWEEP_MINUTES.
 *
 * It opens the table and the storage the way `npm run user` does (DYNAMODB_TABLE…, S3_BUCKET or Azure…, or the
 * embedded default's data).
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { type DynamoDBDataLayer, type OrphanSweepRun } from "../src/data";
import { CliError, layerWithStorage, runIfEntryPoint, runOnTable } from "./user";

const USAGE = `Usage:
  npm run sweep-orphans                 delete the previews and share copies of elements that are gone, the whole bucket
  npm run sweep-orphans -- --runs 20    at most 20 runs (pages of up to 1,000 keys) this time (default 1000)`;

const COUNTS = ["listed", "deleted", "live", "fresh", "unparsed", "failed"] as const;

export function parseSweepArgs(argv: string[]): { runs: number } {
  try {
    const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { runs: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) throw new CliError(USAGE, 0);
    const runs = values.runs ?? "1000";
    if (!/^\d{1,6}$/.test(runs) || Number(runs) < 1 || Number(runs) > 100_000) throw new CliError(`--runs: expected a whole number from 1 to 100000\n${USAGE}`, 2);
    return { runs: Number(runs) };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
}

/**
 * Runs until both roots were walked to their end (or `runs` runs); returns the exit code: 0 when the walk finished,
 * 1 when another holder had the lease, a delete failed, or the runs ran out first.
 */
export async function sweepOrphans(data: DynamoDBDataLayer, runs: number, io: { out(line: string): void; progress(line: string): void }, options: { now?: number; pageSize?: number } = {}): Promise<number> {
  const holder = `cli-${randomUUID()}`;
  const total = Object.fromEntries(COUNTS.map((count) => [count, 0])) as Record<(typeof COUNTS)[number], number>;
  let done = 0;
  let run = 0;
  while (done < 2 && run < runs) {
    const result: OrphanSweepRun = await data.sweepOrphanObjects({ holder, ...options });
    if (!result.ran) {
      io.out("Another instance is sweeping now; run this again later.");
      return 1;
    }
    run++;
    for (const count of COUNTS) total[count] += result[count];
    if (result.passDone) done++;
    io.progress(`run ${run}: ${result.root}, listed ${result.listed}, deleted ${result.deleted}…`);
  }
  io.out(`${run} run(s): ${COUNTS.map((count) => `${count} ${total[count]}`).join(", ")}.`);
  if (done < 2) io.out(`Stopped after ${run} run(s), before the end of the bucket; run it again to go on.`);
  if (total.failed > 0) io.out(`${total.failed} delete(s) failed (the app's log names the first); the next walk tries them again.`);
  return done === 2 && total.failed === 0 ? 0 : 1;
}

runIfEntryPoint(import.meta.url, () =>
  runOnTable(parseSweepArgs, async ({ runs }, connection, err) => {
    err(`Sweeping the orphaned previews and share copies of ${connection.describe}.`);
    const data = layerWithStorage(connection.env);
    try {
      return await sweepOrphans(data, runs, { out: (line) => process.stdout.write(`${line}\n`), progress: err });
    } finally {
      await data.close();
    }
  }),
);
