/**
 * The doctor: finds (and with `fix` repairs) what a table shared by Chainlit and Threadbook can drift into.
 *
 * - `marker-drift`: feedback markers that disagree with the steps' feedback (Chainlit rated, un-rated or re-rated
 *   without a session bump the catch-up would see, or a Threadbook write died half way).
 * - `index-behind`: threads active since their feedback markers or their full-text index were last built. Not wrong
 *   yet, but each costs the first filtered listing or search a rebuild, and one rebuilds at most CATCH_UP_REBUILDS:
 *   on a large table Chainlit filled, `--fix` catches them all up in one pass.
 * - `reindex` (only with the `reindex` option, `npm run reindex`): every thread's full-text index is rebuilt from
 *   its partition, whatever its state (after a change of the tokeniser, or to drop postings an interrupted write left).
 * - `leftovers`: Threadbook-only items (markers, step parts, …) in the partition of a thread whose THREAD item is
 *   gone (Chainlit's delete_thread deletes only the items it knows) or has no user (a Chainlit session left open on
 *   the deleted thread wrote it back: leftovers.ts).
 * - `missing-auth`: users whose `USER` item has no sibling `AUTH` item (Threadbook's credentials item).
 * - `stale-pins`: a user's pins naming threads that are gone or no longer theirs (Chainlit's delete_thread and
 *   update_thread know nothing of pins; the sidebar removes those it meets, this the rest: pins.ts).
 * - `unnamed`: threads without a name (Chainlit leaves the name unset when the first message has no text).
 * - `stale-import`: an import job still "running" though nothing has run it for a day (its instance died and its
 *   owner never came back to have it resumed), or an ended job whose upload is still in storage (a delete that
 *   failed). The fix ends the job as interrupted and deletes the upload (docs/import-export.md, "Cleaning up").
 *
 * Safe while both apps run: one paged Scan reads a projection (never step text or parts), and every repair re-reads
 * what it changes and writes conditionally or with set ADD/DELETE (feedback-rebuild.ts, leftovers.ts); nothing is
 * overwritten blindly. Repeating it finds nothing new unless the apps wrote meanwhile.
 * Memory: one small record per thread, per feedback step and per Threadbook-only item (steps without feedback and
 * elements are filtered out by the Scan).
 */
import { IMPORT_CLAIM, isImportClaim } from "./import/import-claims";
import { ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../dynamo/codec";
import { AUTH_SK, ELEMENT_PREFIX, IMPORT_JOB_PREFIX, PINS_SK, STEP_PREFIX, THREAD_SK, USER_SK, idFromKey, threadIdFromPk } from "../keys";
import { sweepStalePins } from "./threads/pins";
import { mapLimited } from "./batch";
import { type LayerContext } from "./context";
import { type DynamoDBDataLayer } from "./data-layer";
import { onConditionFailed } from "./edge";
import { rebuildBudget, rebuildIfBehind } from "./feedback/feedback-catch-up";
import { FEEDBACK_INDEXED_AT, MARKER_ATTRIBUTES, indexIsBehind, planMarkerFixes } from "./feedback/feedback-rebuild";
import { abandonImportJob } from "./import/import-jobs";
import { isOwnedThread, leftoverSks, removeLeftovers } from "./threads/leftovers";
import { SEARCH_INDEXED_AT, searchIsBehind } from "./search/search-index";
import { queryPartition } from "./threads/partition";
import { threadKey } from "../keys";
import { ExpressionBuilder } from "./update-expression";

export type FindingKind = "marker-drift" | "index-behind" | "reindex" | "leftovers" | "missing-auth" | "unnamed" | "stale-import" | "stale-pins";

export interface Finding {
  kind: FindingKind;
  /** The thread id, the user identifier for `missing-auth` and `stale-pins`, `{identifier} {jobId}` for `stale-import`. */
  id: string;
  detail: string;
  /** Repaired by this run (only with `fix`). */
  fixed: boolean;
}

export interface DoctorProgress {
  pages: number;
  items: number;
}

export interface DoctorOptions {
  fix?: boolean;
  /** Called after every Scan page. */
  progress?(progress: DoctorProgress): void;
  /** Items read per Scan page (DynamoDB's `Limit`; default: up to 1 MB). Smaller pages spread the read load of a live table. */
  pageSize?: number;
  /**
   * Names a thread from its first user message and that message's attachments, as Threadbook names a new chat
   * (the app's `threadNameFrom`; the data layer does not know the app). Without it, unnamed threads are only reported.
   */
  nameThread?(firstMessage: string, attachments: Array<{ name?: string | null }>): string;
  /**
   * Creates the AUTH item of a user that has only Chainlit's USER item. Wired to the accounts migration by the
   * CLI; without it, such users are only reported.
   */
  repairMissingAuth?(identifier: string): Promise<boolean>;
  /**
   * The import uploads in storage (the data layer does not hold the storage client here): whether a job's upload is
   * still there, and its delete. Without it, stale jobs are still found and ended, and uploads left by ended jobs not looked for.
   */
  importUploads?: { exists(jobId: string): Promise<boolean>; delete(jobId: string): Promise<boolean> };
  /** Rebuild every thread's indexes (with `fix`), not only those behind. */
  reindex?: boolean;
  /** Called after every 50 repairs and after the last. */
  repairProgress?(progress: { done: number; total: number }): void;
}

export interface DoctorReport extends DoctorProgress {
  findings: Finding[];
}

const SCAN_ATTRIBUTES = [...new Set([...MARKER_ATTRIBUTES, "userId", "UserThreadSK", "name", FEEDBACK_INDEXED_AT, SEARCH_INDEXED_AT, "status", "updatedAt", "upload", "pins", IMPORT_CLAIM])];
/** An import job silent this long is past being resumed by its owner's next visit: the doctor ends it. */
export const DOCTOR_STALE_IMPORT_MS = 24 * 3_600_000;
const REPAIR_PROGRESS_EVERY = 50;
const REPAIRS_IN_FLIGHT = 8;

interface ThreadRecord {
  thread?: Item;
  items: Item[];
}

interface ImportRecord {
  userId: string;
  jobId: string;
  status: string;
  updatedAt: string;
  upload: string;
}

interface Inventory extends DoctorProgress {
  threads: Map<string, ThreadRecord>;
  users: Map<string, { user: boolean; auth: boolean }>;
  imports: ImportRecord[];
  /** Each user's pinned thread ids (their PINS item). */
  pins: Map<string, string[]>;
}

/** One paged Scan: thread items, feedback steps, Threadbook-only items, user and auth items. */
async function takeInventory(ctx: LayerContext, { progress, pageSize }: DoctorOptions): Promise<Inventory> {
  const inventory: Inventory = { threads: new Map(), users: new Map(), imports: [], pins: new Map(), pages: 0, items: 0 };
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const expr = new ExpressionBuilder();
    const sk = expr.name("SK");
    const out = await ctx.doc.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: `NOT (begins_with(${sk}, ${expr.value(STEP_PREFIX)}) AND attribute_not_exists(${expr.name("feedback")})) AND NOT begins_with(${sk}, ${expr.value(ELEMENT_PREFIX)})`,
        ProjectionExpression: expr.projection(SCAN_ATTRIBUTES),
        ...expr.attributes(),
        ...(pageSize ? { Limit: pageSize } : {}),
        ExclusiveStartKey,
      }),
    );
    for (const item of (out.Items ?? []) as Item[]) file(inventory, item);
    inventory.pages++;
    inventory.items += out.Items?.length ?? 0;
    progress?.({ pages: inventory.pages, items: inventory.items });
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return inventory;
}

function file(inventory: Inventory, item: Item): void {
  const pk = String(item.PK);
  const sk = String(item.SK);
  if (pk.startsWith("USER#") && (sk === USER_SK || sk === AUTH_SK)) {
    const identifier = idFromKey(pk, "USER#");
    const user = inventory.users.get(identifier) ?? { user: false, auth: false };
    if (sk === USER_SK) user.user = true;
    else user.auth = true;
    inventory.users.set(identifier, user);
    return;
  }
  if (pk.startsWith("USER#") && sk.startsWith(IMPORT_JOB_PREFIX)) {
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    inventory.imports.push({ userId: idFromKey(pk, "USER#"), jobId: idFromKey(sk, IMPORT_JOB_PREFIX), status: text(item.status), updatedAt: text(item.updatedAt), upload: text(item.upload) });
    return;
  }
  if (pk.startsWith("USER#") && sk === PINS_SK) {
    const pins = item.pins && typeof item.pins === "object" ? Object.keys(item.pins) : [];
    inventory.pins.set(idFromKey(pk, "USER#"), pins);
    return;
  }
  if (!pk.startsWith("THREAD#")) return;
  const threadId = threadIdFromPk(pk);
  const record = inventory.threads.get(threadId) ?? { items: [] };
  if (sk === THREAD_SK) record.thread = item;
  else record.items.push(item);
  inventory.threads.set(threadId, record);
}

/** What is wrong with one thread partition, and the repair of each finding. */
function diagnoseThread(ctx: LayerContext, threadId: string, record: ThreadRecord, options: DoctorOptions): Array<[Omit<Finding, "fixed">, () => Promise<boolean>]> {
  const { thread, items } = record;
  // Gone, or written back with no user by a Chainlit session left open on the deleted thread (leftovers.ts). A
  // thread with no user is nobody's to list, search or rate: nothing else is built for it (markers written for it
  // would only be its leftovers at the next run).
  if (!isOwnedThread(thread)) {
    const sks = leftoverSks(items);
    if (sks.length === 0) return [];
    const what = thread ? "a deleted thread written back with no user" : "a deleted thread";
    return [[{ kind: "leftovers", id: threadId, detail: `${sks.length} item(s) of ${what}: ${summarise(sks)}` }, async () => (await removeLeftovers(ctx, threadId)) > 0]];
  }
  // An import's claim is no thread yet: its import finishes it (its finishing PutItem replaces the item whole) or the
  // claims' cleanup deletes it (unfinished-claims.ts). Named or indexed here, it would be rebuilt mid-import (it has a
  // UserThreadSK, its listing among the claims, and no index states).
  if (isImportClaim(thread)) return [];
  const found: Array<[Omit<Finding, "fixed">, () => Promise<boolean>]> = [];
  const userId = String(thread.userId);
  const fixes = planMarkerFixes(items, userId);
  // A fresh rebuild from a strongly consistent read, not from the scanned state (which may be seconds old).
  const rebuild = async () => (await rebuildIfBehind(ctx, thread, rebuildBudget(), true)) !== "deferred";
  if (fixes.length > 0) {
    const detail = fixes
      .map((f) => `FEEDBACK#${f.value}: ${[f.add.length && `+${f.add.length} step(s)`, f.remove.length && `-${f.remove.length} step(s)`, f.reindex && "index keys", f.empty && "empty"].filter(Boolean).join(", ")}`)
      .join("; ");
    found.push([{ kind: "marker-drift", id: threadId, detail }, rebuild]);
  } else if (options.reindex) {
    found.push([{ kind: "reindex", id: threadId, detail: "full-text index rebuilt from the thread" }, rebuild]);
  } else if (indexIsBehind(thread) || searchIsBehind(thread)) {
    const detail = `active at ${String(thread.UserThreadSK)}, feedback indexed at ${String(thread[FEEDBACK_INDEXED_AT] ?? "never")}, search indexed at ${String(thread[SEARCH_INDEXED_AT] ?? "never")}`;
    found.push([{ kind: "index-behind", id: threadId, detail }, rebuild]);
  }
  if (typeof thread.name !== "string" || thread.name === "") {
    const nameThread = options.nameThread;
    found.push([{ kind: "unnamed", id: threadId, detail: "no name" }, nameThread ? () => nameUnnamedThread(ctx, threadId, nameThread) : async () => false]);
  }
  return found;
}

/** A job nobody runs any more, or an upload its ended job left behind; the fix ends the one and deletes the other. */
async function diagnoseImport(ctx: LayerContext, job: ImportRecord, options: DoctorOptions, now: number): Promise<Array<[Omit<Finding, "fixed">, () => Promise<boolean>]>> {
  const uploads = options.importUploads;
  const id = `${job.userId} ${job.jobId}`;
  const deleteUpload = async () => (job.upload === "storage" && uploads ? uploads.delete(job.jobId) : false);
  if (job.status === "running") {
    const silentFor = now - Date.parse(job.updatedAt);
    if (!(silentFor > DOCTOR_STALE_IMPORT_MS)) return [];
    const detail = `running, but not heard from since ${job.updatedAt}`;
    const end = async () => {
      // The problem's code is worded per language by the app's import dialog (src/lib/shared/import-problem.ts).
      const ended = await abandonImportJob(ctx, job.userId, job.jobId, job.updatedAt, "The import was interrupted and never resumed. Conversations imported so far are kept; import the file again to finish.", { code: "never-resumed" });
      if (ended) await deleteUpload();
      return ended;
    };
    return [[{ kind: "stale-import", id, detail }, end]];
  }
  if (job.upload !== "storage" || !uploads || !(await uploads.exists(job.jobId))) return [];
  return [[{ kind: "stale-import", id, detail: `${job.status}, but its upload is still in storage` }, deleteUpload]];
}

const summarise = (sks: string[]) => (sks.length > 3 ? `${sks.slice(0, 3).join(", ")}, …` : sks.join(", "));

/**
 * Names the thread from its first user message (the oldest `user_message` step) and that step's attachments. The
 * write only lands while the thread still exists and still has no name, so a rename meanwhile wins. It does not
 * touch UserThreadSK: naming is not activity, and the thread keeps its place in the list.
 */
async function nameUnnamedThread(ctx: LayerContext, threadId: string, nameThread: NonNullable<DoctorOptions["nameThread"]>): Promise<boolean> {
  const items = await queryPartition(ctx, threadId, { attributes: ["SK", "type", "output", "createdAt", "forId", "name"] });
  const first = items
    .filter((item) => String(item.SK).startsWith(STEP_PREFIX) && item.type === "user_message")
    .sort((a, b) => String(a.createdAt ?? "").localeCompare(String(b.createdAt ?? "")))[0];
  const firstId = first ? idFromKey(String(first.SK), STEP_PREFIX) : null;
  const attachments = items
    .filter((item) => String(item.SK).startsWith(ELEMENT_PREFIX) && firstId !== null && item.forId === firstId)
    .map((item) => ({ name: typeof item.name === "string" ? item.name : null }));
  const name = nameThread(typeof first?.output === "string" ? first.output : "", attachments);
  const expr = new ExpressionBuilder();
  const attr = expr.name("name");
  return onConditionFailed(
    async () => {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: threadKey(threadId),
          UpdateExpression: `SET ${attr} = ${expr.value(name)}`,
          ConditionExpression: `attribute_exists(${expr.name("PK")}) AND (attribute_not_exists(${attr}) OR attribute_type(${attr}, ${expr.value("NULL")}) OR ${attr} = ${expr.value("")})`,
          ...expr.attributes(),
        }),
      );
      return true;
    },
    () => false,
  );
}

export async function runDoctor(layer: DynamoDBDataLayer, options: DoctorOptions = {}): Promise<DoctorReport> {
  const ctx = layer.context;
  const inventory = await takeInventory(ctx, options);
  const diagnosed: Array<[Omit<Finding, "fixed">, () => Promise<boolean>]> = [];
  for (const [threadId, record] of inventory.threads) diagnosed.push(...diagnoseThread(ctx, threadId, record, options));
  for (const [identifier, { user, auth }] of inventory.users) {
    if (!user || auth) continue;
    const repair = options.repairMissingAuth;
    diagnosed.push([{ kind: "missing-auth", id: identifier, detail: "USER item without an AUTH item" }, repair ? () => repair(identifier) : async () => false]);
  }
  for (const [identifier, threadIds] of inventory.pins) {
    const stale = threadIds.filter((threadId) => inventory.threads.get(threadId)?.thread?.userId !== identifier);
    if (stale.length === 0) continue;
    const detail = `${stale.length} pin(s) of threads gone or not theirs: ${summarise(stale)}`;
    diagnosed.push([{ kind: "stale-pins", id: identifier, detail }, async () => (await sweepStalePins(ctx, identifier)) > 0]);
  }
  const now = Date.now();
  for (const found of await mapLimited(inventory.imports, REPAIRS_IN_FLIGHT, (job) => diagnoseImport(ctx, job, options, now))) diagnosed.push(...found);
  let done = 0;
  const findings = await mapLimited(diagnosed, REPAIRS_IN_FLIGHT, async ([finding, repair]): Promise<Finding> => {
    const fixed = options.fix ? await repair() : false;
    if (options.fix && (++done % REPAIR_PROGRESS_EVERY === 0 || done === diagnosed.length)) options.repairProgress?.({ done, total: diagnosed.length });
    return { ...finding, fixed };
  });
  ctx.logger.info("doctor finished", { pages: inventory.pages, items: inventory.items, findings: findings.length, fixed: findings.filter((f) => f.fixed).length });
  return { pages: inventory.pages, items: inventory.items, findings };
}
