/**
 * The index partitions that list running jobs of every user (`IMPORTS#RUNNING`, `DELETIONS#RUNNING`; keys.ts): a job
 * is in one while it runs, so an instance that starts finds what a dead one left with one Query, never a scan.
 *
 * And the bound on takeovers every such job shares. A run that throws is a failure, counted and bounded where it is
 * caught. A run that takes its whole process down (out of memory on one huge thread, a native crash, a poison item)
 * is only ever seen as silence, and silence means a takeover: without a count, the job would be taken over and crash
 * the next instance, forever, across the fleet. So every start of a run (the first, and each takeover, in the
 * takeover's own conditional write) counts in `runsWithoutProgress`, and a run that made progress since the last
 * start (the job's progress mark rose: conversations imported, threads deleted, a failure recorded) starts the count
 * again: a long job on a fleet that restarts often still finishes, while one that dies where it stands is given up.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../dynamo/codec";
import { USER_THREAD_INDEX } from "../keys";
import { type LayerContext } from "./context";

type StartKey = Record<string, unknown>;

/** Where this layer's last look at each running-jobs partition stopped (queryRunningJobs). */
const lookedTo = new WeakMap<LayerContext, Map<string, StartKey>>();

const itemKey = (item: Item) => `${String(item.PK)}\n${String(item.SK)}`;

/**
 * Up to `limit` items of the running-jobs partition `pk` (eventually consistent: read a job before acting), each look
 * going on where this layer's previous one stopped and round to the partition's start past its end. The sweeps look
 * at a few jobs each time (SWEEP_JOBS); always from the start, the same first ones were read every time: jobs running
 * well elsewhere, or waiting out a backoff, ahead of a silent one (deletions are keyed by identifier, so `USER#0…`
 * comes first; imports by start time) kept it from ever being seen, and an account job, whose owner is signed out and
 * cannot look, never finished while they ran. In turn, every running job is looked at within a few sweeps.
 */
export async function queryRunningJobs(ctx: LayerContext, pk: string, limit: number): Promise<Item[]> {
  const query = async (start: StartKey | undefined, max: number) =>
    ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        IndexName: USER_THREAD_INDEX,
        KeyConditionExpression: "UserThreadPK = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        Limit: max,
        ExclusiveStartKey: start,
      }),
    );
  const looks = lookedTo.get(ctx) ?? new Map<string, StartKey>();
  lookedTo.set(ctx, looks);
  const start = looks.get(pk);
  const out = await query(start, limit);
  const items = (out.Items ?? []) as Item[];
  let next = out.LastEvaluatedKey;
  if (start && !next && items.length < limit) {
    // Past the end: on from the start, for the rest of the look (a job already read in it is not read twice).
    const head = await query(undefined, limit - items.length);
    const read = new Set(items.map(itemKey));
    items.push(...((head.Items ?? []) as Item[]).filter((item) => !read.has(itemKey(item))));
    next = head.LastEvaluatedKey;
  }
  if (next) looks.set(pk, next);
  else looks.delete(pk);
  return items;
}

/**
 * How many runs in a row may start with no progress between them: the first and 3 takeovers. A restart during a deploy
 * costs one takeover, a rolling deploy that catches the job twice two; a job that brought down its runner four times
 * running will do it again, and each time it takes an instance (and the requests and jobs on it) with it.
 */
export const MAX_RUNS_WITHOUT_PROGRESS = 4;

/** What a job item keeps of its runs (items written before it existed have neither: 0, so they get the full bound). */
export interface RunCount {
  /** Runs started since the job last made progress, this one included. */
  runsWithoutProgress: number;
  /** The job's progress mark when its latest run started. */
  progressAtStart: number;
}

/** A new job's: its first run has started. */
export const firstRun = (): RunCount => ({ runsWithoutProgress: 1, progressAtStart: 0 });

/**
 * The count a takeover of a job seen as `seen` (with progress mark `mark` now) records: 1 when the job made progress
 * since its latest run started, else one more. `explicit`: a run asked for by a person (an operator's command), which
 * starts the count again as a new job would.
 */
export function runCountOfTakeover(seen: RunCount, mark: number, explicit = false): RunCount {
  const progressed = explicit || mark > seen.progressAtStart;
  return { runsWithoutProgress: progressed ? 1 : seen.runsWithoutProgress + 1, progressAtStart: mark };
}

/** True when a takeover of `seen` would start one run too many with no progress: the job is to be ended failed instead. */
export const takeoverExceedsBound = (seen: RunCount, mark: number) => runCountOfTakeover(seen, mark).runsWithoutProgress > MAX_RUNS_WITHOUT_PROGRESS;
