/**
 * The sweep of orphaned derived objects (docs/data-layer.md, "Orphaned previews and share copies"). Threadbook stores
 * objects of its own beside the element files: previews (`threadbook-previews/{thread}/{element}/{hash}.webp`) and
 * share copies (`threadbook-shared/{thread}/{element}/{name}`). Its own deletes remove them with their element; Chainlit's
 * delete_thread and delete_element remove only the items (docs/chainlit.md, "Deleting a thread: delete_thread"), so
 * those objects would stay in the bucket for good, named by nothing in the table: a deleted picture lived on as its
 * thumbnail. A run lists one page of one root, checks the elements those keys name, and deletes the objects whose
 * element item is gone.
 *
 * What decides is the element item (`THREAD#{thread}` / `ELEMENT#{element}`), read strongly consistent: an element
 * that exists keeps its preview whatever it records (Chainlit's PutItem of an element drops `previewKey`, and the next
 * view makes the same key again). A share copy of an element that exists is kept while its thread is shared (an owned
 * THREAD item with `metadata.is_shared` true). Chainlit ends a share with no read of Threadbook's seeing it: its
 * update_thread writes the whole metadata map without the flag (a rename, a session's save) and its unshare clears it.
 * The copy of the owner's file then stays in the bucket, recorded on the element, for as long as the thread lives.
 * So such a copy goes too: its record first (conditional on naming it, so nothing is written into an element that
 * went meanwhile), then the object. A share made again copies anew at its first download. A key that does not parse exactly as Threadbook builds it is left alone
 * and counted (a Chainlit user named `threadbook-previews` keys files `threadbook-previews/{thread}/{element}`).
 *
 * The grace (ORPHAN_GRACE_MS): an object is only deleted once storage's last-modified is that old. Threadbook stores
 * a preview or a share copy only for an element item that exists (createElement writes the item first; a view or a
 * share reads it first) and records it with a write conditional on the item, deleting the object itself when that
 * fails; so a fresh object whose item is missing is one whose maker is still cleaning up (its making, storage's
 * retries: a couple of minutes at most), or one stamped by a storage clock ahead of ours. An hour covers both many
 * times over. What it cannot cover: an element item re-created under the same ids after this run's read and before
 * its delete (milliseconds), whose preview, made in between, would go; its record would then name nothing and the
 * thumbnail show the original. Element ids are random, so no writer re-creates one.
 *
 * A Chainlit user's identifier may hold a `/`: the files of a user named `threadbook-shared/x` are keyed
 * `threadbook-shared/x/{thread}/{element}`, which reads as a share copy of element `{thread}` in thread `x`. Before an
 * object goes, the user that other reading names (`USER#{root}/{thread}`) is looked up too; when it exists the object
 * is left alone.
 *
 * Requests per run: 1 UpdateItem (take the lease, read the place) + 1 list of at most `pageSize` keys + ⌈n/100⌉
 * BatchGetItem for the n distinct elements past the grace (keys only) + ⌈s/100⌉ for the s distinct threads of share
 * copies whose element exists (the flag alone) + ⌈m/100⌉ for the m distinct users the gone ones' other reading names
 * (none when none is) + 1 delete per orphan (S3: HEAD + DELETE), and 1 UpdateItem before it for a copy of an ended
 * share + 1 UpdateItem (store the place, give the lease back). Nothing past the grace, nothing read; nothing
 * orphaned, nothing deleted.
 */
import { elementSk, THREAD_SK, threadIdFromPk, threadPk, USER_SK, userPk } from "../../keys";
import { DERIVED_ROOTS, parseDerivedObjectKey, SHARE_COPY_ROOT, type DerivedRoot } from "../../storage/object-key";
import { MAX_LIST_PAGE, type ListedObject } from "../../storage/storage-client";
import { StorageError } from "../../storage/storage-errors";
import { batchGet, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { forgetShareCopy } from "../shares/share-copies";
import { isOwnedThread } from "../threads/leftovers";
import { finishSweep, takeSweep, type SweepPlace } from "./orphan-sweep-state";

/** How old an orphan must be before it is deleted (see above). */
export const ORPHAN_GRACE_MS = 60 * 60_000;

/** A run's bounds: keys listed (one page), and the time its deletes may take before it stops and leaves the rest. */
export const ORPHAN_SWEEP_BOUNDS = { pageSize: MAX_LIST_PAGE, maxRunMs: 2 * 60_000 };

const DELETES_IN_FLIGHT = 8;

export interface OrphanSweepOptions {
  /** Who runs it: the lease's holder (one per process). */
  holder: string;
  /** The time the grace is measured to (ms since the epoch); the process clock by default. */
  now?: number;
  pageSize?: number;
  maxRunMs?: number;
}

export interface OrphanSweepRun {
  /** False when another holder has the lease (or there is no storage): nothing was listed. */
  ran: boolean;
  root?: DerivedRoot;
  listed: number;
  /** Keys under the root that are not a derived object's, or may be a Chainlit user's file: left alone. */
  unparsed: number;
  /** Objects younger than the grace: left for a later pass. */
  fresh: number;
  /** Objects whose element exists (a share copy: and whose thread is shared). */
  live: number;
  deleted: number;
  /** Deletes that failed: left for the next pass over this root (the first failure is logged with the summary). */
  failed: number;
  firstFailure?: string;
  /** The run stopped at its time bound: the next run lists the same page again. */
  stoppedEarly: boolean;
  /** The listing of this root reached its end: the next run starts the other root from its start. */
  passDone: boolean;
}

const emptyRun = (ran: boolean): OrphanSweepRun => ({ ran, listed: 0, unparsed: 0, fresh: 0, live: 0, deleted: 0, failed: 0, stoppedEarly: false, passDone: false });

/** One bounded run; see the module comment. */
export async function sweepOrphanObjects(ctx: LayerContext, options: OrphanSweepOptions): Promise<OrphanSweepRun> {
  const storage = ctx.storage;
  if (!storage) return emptyRun(false);
  const now = options.now ?? Date.now();
  const deadline = Date.now() + (options.maxRunMs ?? ORPHAN_SWEEP_BOUNDS.maxRunMs);
  const place = await takeSweep(ctx, options.holder, now, storage.description);
  if (!place) {
    ctx.logger.debug("orphan sweep: another instance holds the lease");
    return emptyRun(false);
  }
  const run: OrphanSweepRun = { ...emptyRun(true), root: place.root };
  let next: SweepPlace = place;
  try {
    const page = await listPage(ctx, place, options.pageSize ?? ORPHAN_SWEEP_BOUNDS.pageSize, () => (next = { root: place.root }));
    run.listed = page.objects.length;
    await deleteOrphans(ctx, page.objects, now, deadline, run);
    if (!run.stoppedEarly) next = page.continuation ? { root: place.root, continuation: page.continuation } : { root: nextRoot(place.root) };
    run.passDone = !run.stoppedEarly && !page.continuation;
  } finally {
    if (!(await finishSweep(ctx, options.holder, storage.description, next))) ctx.logger.warn("orphan sweep: the lease ran out during the run; its place was not stored");
  }
  const { ran: _ran, passDone: _done, ...summary } = run;
  if (run.failed > 0) ctx.logger.warn("orphan sweep: deletes failed", summary);
  else if (run.deleted > 0) ctx.logger.info("orphan sweep deleted previews and share copies of elements that are gone, and copies of ended shares", summary);
  else ctx.logger.debug("orphan sweep", summary);
  return run;
}

const nextRoot = (root: DerivedRoot): DerivedRoot => DERIVED_ROOTS[(DERIVED_ROOTS.indexOf(root) + 1) % DERIVED_ROOTS.length]!;

/**
 * The page after the stored place. A place storage cannot go on from (azurite answers a marker it cannot read with a
 * 500) would fail every run at the same spot, so on any failure but an unreachable, missing or refused store,
 * `restart` is called first: this root is walked again from its start next time. A server error that was not about
 * the place costs a repeat of the root's pages, never a key missed.
 */
async function listPage(ctx: LayerContext, place: SweepPlace, pageSize: number, restart: () => void) {
  try {
    return await ctx.storage!.listObjects(`${place.root}/`, { pageSize, continuation: place.continuation });
  } catch (error) {
    if (place.continuation && error instanceof StorageError && error.failure === "failed") restart();
    throw error;
  }
}

type TableKey = { PK: string; SK: string };
type ElementKey = TableKey & { root: DerivedRoot; threadId: string };
/** `recorded`: a share copy of an element that exists, whose record on the item goes before the object. */
type Candidate = { key: ElementKey; objectKeys: string[]; recorded?: boolean };

const keyId = (key: TableKey) => `${key.PK}\n${key.SK}`;
const chainlitReading = (key: ElementKey): TableKey => ({ PK: userPk(`${key.root}/${key.threadId}`), SK: USER_SK });

/** Which of `keys` name an item (strongly consistent BatchGetItem, 100 a request, keys only); none asked, no request. */
async function existingKeys(ctx: LayerContext, keys: readonly TableKey[]): Promise<Set<string>> {
  const unique = [...new Map(keys.map((key) => [keyId(key), { PK: key.PK, SK: key.SK }])).values()];
  if (unique.length === 0) return new Set();
  return new Set((await batchGet(ctx, unique, ["PK", "SK"])).map((item) => keyId({ PK: String(item.PK), SK: String(item.SK) })));
}

/** Past the grace, grouped by element, checked in batches of 100, the orphans deleted (8 at a time, until the deadline). */
async function deleteOrphans(ctx: LayerContext, objects: readonly ListedObject[], now: number, deadline: number, run: OrphanSweepRun): Promise<void> {
  const byElement = new Map<string, Candidate>();
  for (const object of objects) {
    const parsed = parseDerivedObjectKey(object.key);
    if (!parsed) {
      run.unparsed++;
      continue;
    }
    if (object.lastModified.getTime() > now - ORPHAN_GRACE_MS) {
      run.fresh++;
      continue;
    }
    const key = { PK: threadPk(parsed.threadId), SK: elementSk(parsed.elementId), root: parsed.root, threadId: parsed.threadId };
    const id = keyId(key);
    const entry = byElement.get(id) ?? { key, objectKeys: [] };
    entry.objectKeys.push(object.key);
    byElement.set(id, entry);
  }
  if (byElement.size === 0) return;
  const existing = await existingKeys(ctx, [...byElement.values()].map((entry) => entry.key));
  const copiesOfLive = [...byElement.values()].filter((entry) => entry.key.root === SHARE_COPY_ROOT && existing.has(keyId(entry.key)));
  const shared = await sharedThreads(ctx, copiesOfLive.map((entry) => entry.key.threadId));
  const gone: Candidate[] = [];
  for (const [id, entry] of byElement) {
    if (!existing.has(id)) gone.push(entry);
    // A share copy outlives its share when Chainlit ends it (update_thread's metadata without the flag, its unshare):
    // no read of Threadbook's sees that happen, so the copy goes here, its record first.
    else if (entry.key.root === SHARE_COPY_ROOT && !shared.has(entry.key.threadId)) gone.push({ ...entry, recorded: true });
    else run.live += entry.objectKeys.length;
  }
  // The other reading of such a key: a file Chainlit stored for a user whose identifier is `{root}/{thread}`
  // (identifiers may hold a `/`) as `{identifier}/{its thread}/{its element}`. When that user exists, the object may
  // be such a file: Chainlit's, and left alone (counted with the keys that do not parse).
  const users = await existingKeys(ctx, gone.map((entry) => chainlitReading(entry.key)));
  const orphans: { objectKey: string; recordOn?: TableKey }[] = [];
  for (const entry of gone) {
    if (users.has(keyId(chainlitReading(entry.key)))) run.unparsed += entry.objectKeys.length;
    else orphans.push(...entry.objectKeys.map((objectKey) => ({ objectKey, recordOn: entry.recorded ? { PK: entry.key.PK, SK: entry.key.SK } : undefined })));
  }
  await mapLimited(orphans, DELETES_IN_FLIGHT, async ({ objectKey, recordOn }) => {
    if (Date.now() > deadline) {
      run.stoppedEarly = true;
      return;
    }
    try {
      if (recordOn) await forgetShareCopy(ctx, recordOn, objectKey);
      if (await ctx.storage!.deleteFile(objectKey)) run.deleted++;
    } catch (error) {
      // Storage's errors name the bucket and what failed, never a credential.
      if (run.failed++ === 0) run.firstFailure = String(error).slice(0, 300);
    }
  });
}

/**
 * Which of `threadIds` are shared now: an owned THREAD item with Chainlit's flag on (the one truth of "shared" for both
 * apps; a share stopped or expired with the flag still on is ended, copies and all, by the next read of it). Strongly
 * consistent BatchGetItem, 100 a request, projecting the flag alone (a Chainlit session's metadata may be 400 KB).
 */
async function sharedThreads(ctx: LayerContext, threadIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(threadIds)];
  if (unique.length === 0) return new Set();
  const items = await batchGet(ctx, unique.map((threadId) => ({ PK: threadPk(threadId), SK: THREAD_SK })), ["PK", "userId", ["metadata", "is_shared"]]);
  return new Set(items.filter((item) => isOwnedThread(item) && (item.metadata as { is_shared?: unknown } | undefined)?.is_shared === true).map((item) => threadIdFromPk(String(item.PK))));
}
