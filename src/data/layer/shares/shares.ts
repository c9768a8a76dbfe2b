/**
 * Share links (docs/sharing.md). Chainlit 2.x shares a thread by setting `metadata.is_shared = true` and
 * `metadata.shared_at` on the THREAD item; Threadbook reads and writes the same flag, so a thread shared in either app
 * is shared in both. Chainlit's update_thread replaces the whole metadata map (docs/chainlit.md), so nothing of
 * Threadbook's may live there: access and expiry sit in a settings item of their own,
 *
 *   PK = THREAD#{tid}, SK = SHARE, threadId, userId, sharedAt (= the flag's shared_at), access, expiresAt, origin,
 *   UserThreadPK = USER#{userId}#SHARE, UserThreadSK = TS#{sharedAt}
 *
 * in the thread's partition (deleting the thread deletes it) and in the UserThread index under a partition of its
 * own per user (the owner's "Shared links" is one Query, never a scan; Chainlit queries `USER#{userId}` exactly and
 * never sees it). Settings apply only while their `sharedAt` equals the flag's `shared_at`: a share Chainlit made
 * again since is Chainlit's, with the deployment's defaults.
 */
import { threadNameShown } from "../../entities/thread-name";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { timestampMicros } from "../../timestamps";
import { type Item } from "../../dynamo/codec";
import { decodeCursor, encodeCursor, type CursorKey } from "../../cursor";
import { ShareChangeSchema, ShareChoiceSchema, ShareSettingsSchema, type ShareChange, type ShareChoice, type ShareSettings, type ShareState } from "../../entities/share";
import { PaginationSchema, type Pagination } from "../../entities/thread";
import { DataError } from "../../errors";
import { EXPIRING_SHARES_PK, SHARE_EXPIRY_SK, SHARE_SK, THREAD_SK, expiringShareSk, shareIndexPk, threadIdFromPk, threadPk, userThreadSk } from "../../keys";
import { batchGet, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { notFound } from "../edge";
import { isOwnedThread, removeLeftoversOnTheWay } from "../threads/leftovers";
import { removeShareCopies } from "./share-copies";
import { queryNewestFirst } from "../threads/user-thread-index";
import { updateThread } from "../threads/threads";

export const shareKey = (threadId: string) => ({ PK: threadPk(threadId), SK: SHARE_SK });
export const threadItemKey = (threadId: string) => ({ PK: threadPk(threadId), SK: THREAD_SK });
export const expiryMarkerKey = (threadId: string) => ({ PK: threadPk(threadId), SK: SHARE_EXPIRY_SK });

/** An expiry as microseconds; an unreadable one counts as already past (as the share page treats it). */
export const expiryMicros = (expiresAt: string) => timestampMicros(expiresAt) ?? 0;

/** What a state read projects from the THREAD item and the settings item (one BatchGetItem for both). */
export const STATE_ATTRIBUTES = ["PK", "SK", "userId", "name", "metadata", "threadId", "sharedAt", "access", "expiresAt", "origin", "stopped", "superseded"] as const;

/** Earlier shares a settings item remembers: more than any Chainlit session stays open through. */
export const SUPERSEDED_SHARES_KEPT = 32;

function settingsFrom(item: Item | undefined): ShareSettings | null {
  if (!item) return null;
  const parsed = ShareSettingsSchema.safeParse({ ...item, threadId: threadIdFromPk(String(item.PK)) });
  return parsed.success ? parsed.data : null;
}

/** The state of one thread from its THREAD item and settings item (either may be missing). */
export function shareStateOf(threadId: string, thread: Item, settingsItem: Item | undefined): ShareState {
  const metadata = thread.metadata && typeof thread.metadata === "object" ? (thread.metadata as Record<string, unknown>) : {};
  const sharedAt = typeof metadata.shared_at === "string" ? metadata.shared_at : null;
  const owner = typeof thread.userId === "string" ? thread.userId : null;
  const stored = settingsFrom(settingsItem);
  const named = stored !== null && sharedAt !== null && (stored.sharedAt === sharedAt || stored.superseded?.includes(sharedAt) === true);
  let current = named && stored.sharedAt === sharedAt && stored.userId === owner ? stored : null;
  // The flag names a share these settings replaced: a Chainlit session open since then saved its older metadata back
  // (its update_thread replaces the whole map). Or it names the settings' own share, made for a user the THREAD item
  // no longer names: a session left open on the thread deleted under it wrote the item back with no user (leftovers.ts),
  // or the thread moved to someone else. Either share is over, as a stopped one is (refused, and its flag ended again
  // by the next read, so Chainlit's own route stops serving it too); without this the first ran as a share Chainlit
  // made, with the deployment's defaults and no expiry.
  if (!current && named) {
    current = { ...stored, sharedAt, stopped: true, expiresAt: stored.sharedAt, superseded: undefined };
  }
  return {
    threadId,
    userId: owner,
    name: typeof thread.name === "string" ? thread.name : null,
    isShared: metadata.is_shared === true,
    endedByExpiry: metadata.is_shared === false && current?.expiresAt != null && !current.stopped,
    sharedAt,
    settings: current,
    stored,
  };
}

/**
 * The `superseded` list of settings written for the share `next`: what the stored settings remembered, the share they
 * were written for and the share the flag names now, unless it is `next` itself; the newest SUPERSEDED_SHARES_KEPT.
 */
export function supersededBefore(next: string, before: Pick<ShareState, "stored" | "sharedAt"> | null): string[] | undefined {
  const earlier = [...(before?.stored?.superseded ?? []), before?.stored?.sharedAt, before?.sharedAt];
  const kept = [...new Set(earlier.filter((at): at is string => typeof at === "string" && at !== next))].slice(-SUPERSEDED_SHARES_KEPT);
  return kept.length > 0 ? kept : undefined;
}

/** The share state of a thread, or null when there is no THREAD item. One BatchGetItem. */
export async function readShareState(ctx: LayerContext, threadId: string): Promise<ShareState | null> {
  const items = await batchGet(ctx, [threadItemKey(threadId), shareKey(threadId)], STATE_ATTRIBUTES);
  const thread = items.find((item) => item.SK === THREAD_SK);
  return thread ? shareStateOf(threadId, thread, items.find((item) => item.SK === SHARE_SK)) : null;
}

/**
 * The settings item, and beside it (same round trip) the expiry marker when the share expires, which the expiry
 * sweep finds it by. A share that never expires writes no marker: one a previous share left is put right by the
 * sweep when its time comes (share-expiry.ts).
 */
export async function putSettings(ctx: LayerContext, fresh: ShareSettings, before: Pick<ShareState, "stored" | "sharedAt"> | null): Promise<void> {
  const settings: ShareSettings = { ...fresh, superseded: supersededBefore(fresh.sharedAt, before) };
  const item = { ...shareKey(settings.threadId), ...settings, UserThreadPK: shareIndexPk(settings.userId), UserThreadSK: userThreadSk(settings.sharedAt) };
  await Promise.all([
    ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item })),
    settings.expiresAt !== null && putExpiryMarker(ctx, settings.threadId, settings.sharedAt, settings.expiresAt),
  ]);
}

export async function putExpiryMarker(ctx: LayerContext, threadId: string, sharedAt: string, expiresAt: string): Promise<void> {
  const item = { ...expiryMarkerKey(threadId), threadId, sharedAt, expiresAt, UserThreadPK: EXPIRING_SHARES_PK, UserThreadSK: expiringShareSk(expiryMicros(expiresAt), threadId) };
  await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item }));
}

/**
 * Shares (or shares again, moving the snapshot to now) the thread of `userId`. The settings go first and the flag
 * second: a crash in between leaves settings for a share that never happened (ignored, their sharedAt matches no
 * flag), never a flag without the owner's access and expiry. The state is read first, so the settings remember the
 * shares they replace (`superseded`). Three requests: BatchGetItem + PutItem + UpdateItem.
 */
export async function shareThread(ctx: LayerContext, threadId: string, userId: string, choice: ShareChoice, before?: ShareState | null): Promise<ShareSettings> {
  const { access, expiresAt } = ShareChoiceSchema.parse(choice);
  const state = before === undefined ? await readShareState(ctx, threadId) : before;
  // The name goes into the snapshot as it reads now (the state read holds it): a later rename is not shared.
  const settings: ShareSettings = { threadId, userId, sharedAt: ctx.now(), access, expiresAt, origin: "threadbook", ...(state ? { name: threadNameShown(state.name) } : {}) };
  await putSettings(ctx, settings, state);
  try {
    // Merged key by key (threads.ts), so Chainlit's other metadata (chat_profile, chat_settings) stays as it is.
    await updateThread(ctx, threadId, { metadata: { is_shared: true, shared_at: settings.sharedAt } }, { mustExist: true });
  } catch (error) {
    await restoreSettings(ctx, threadId, state?.stored ?? null);
    throw error;
  }
  return settings;
}

/**
 * A share that failed puts back the settings it replaced, as they were written: a stop mark (outside the share
 * index), a live share's settings (with their index keys), or nothing. Deleting them instead forgot what they
 * remembered: a stopped share then ran again, with the deployment's defaults and no expiry, the next time a Chainlit
 * session saved its older metadata back, and a live share lost its access and expiry.
 */
async function restoreSettings(ctx: LayerContext, threadId: string, stored: ShareSettings | null): Promise<void> {
  if (!stored) {
    await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: shareKey(threadId) }));
    return;
  }
  const index = stored.stopped ? {} : { UserThreadPK: shareIndexPk(stored.userId), UserThreadSK: userThreadSk(stored.sharedAt) };
  await Promise.all([
    ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: { ...shareKey(threadId), ...stored, ...index } })),
    // The expiry the sweep goes by, which the failed share's own may have replaced.
    !stored.stopped && stored.expiresAt !== null && putExpiryMarker(ctx, threadId, stored.sharedAt, stored.expiresAt),
  ]);
}

/**
 * Changes access and expiry of the current share without moving its snapshot; `not_found` when it is not shared.
 * Without `expiresAt` the share keeps its own.
 */
export async function changeShare(ctx: LayerContext, threadId: string, userId: string, change: ShareChange): Promise<ShareSettings> {
  const parsed = ShareChangeSchema.parse(change);
  const state = await readShareState(ctx, threadId);
  if (!(state?.isShared || state?.endedByExpiry) || state.userId !== userId || state.settings?.stopped) return notFound("share");
  const access = parsed.access;
  const expiresAt = parsed.expiresAt === undefined ? (state.settings?.expiresAt ?? null) : parsed.expiresAt;
  // A share Chainlit made without a shared_at (not seen in practice) starts its snapshot now.
  if (state.sharedAt === null) return shareThread(ctx, threadId, userId, { access, expiresAt }, state);
  // The same snapshot, so the name it was shared under too.
  const name = state.settings?.name;
  const settings: ShareSettings = { threadId, userId, sharedAt: state.sharedAt, access, expiresAt, origin: state.settings?.origin ?? "chainlit", ...(name !== undefined ? { name } : {}) };
  await putSettings(ctx, settings, state);
  // An expired share given a new expiry (or none) is live again: Chainlit's flag back on, the snapshot kept.
  const stillExpired = expiresAt !== null && expiryMicros(expiresAt) <= (timestampMicros(ctx.now()) ?? Date.now() * 1000);
  if (state.endedByExpiry && !stillExpired) await updateThread(ctx, threadId, { metadata: { is_shared: true } }, { mustExist: true });
  return settings;
}

/**
 * Ends the share in both apps: Chainlit's flag cleared (`is_shared: false`, `shared_at` removed, as Chainlit's own
 * unshare leaves a thread unshared). The settings stay, marked `stopped` and expired now: a Chainlit session open on
 * the thread still holds the metadata with the flag on, and saves it back when it disconnects (its update_thread
 * replaces the whole map); that share is then recognised by its `shared_at` as the stopped one, refused, and ended
 * again by the next read, as an expired share is (share-expiry.ts). True if the thread exists.
 */
export async function unshareThread(ctx: LayerContext, threadId: string): Promise<boolean> {
  const state = await readShareState(ctx, threadId);
  const owner = state?.stored?.userId ?? state?.userId;
  // The share to mark: the live one, else the one the stored settings were for (Chainlit unshared it: its metadata
  // may still be saved back by a session open since).
  const live = (state?.isShared || state?.endedByExpiry) && state.sharedAt !== null;
  const markedAt = live ? state.sharedAt : (state?.stored?.sharedAt ?? null);
  // The stop mark goes first, the flag second: a flag write that fails (throttled, timed out) leaves a share that is
  // already refused here and ended by the next read, never one still served with its settings.
  if (state && markedAt !== null && owner) {
    // The stop mark replaces the settings outside the share index (no UserThread keys): "Shared links" never reads it.
    const kept = state.stored?.sharedAt === markedAt ? state.stored : state.settings;
    const mark: ShareSettings = {
      threadId,
      userId: owner,
      sharedAt: markedAt,
      access: kept?.access ?? null,
      expiresAt: ctx.now(),
      origin: kept?.origin ?? "chainlit",
      stopped: true,
      superseded: supersededBefore(markedAt, state),
    };
    await Promise.all([ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: { ...shareKey(threadId), ...mark } })), deleteKeys(ctx, [expiryMarkerKey(threadId)])]);
  }
  try {
    await updateThread(ctx, threadId, { metadata: { is_shared: false, shared_at: null } }, { mustExist: true });
  } catch (error) {
    if (!(error instanceof DataError && error.code === "not_found")) throw error;
    await deleteSettings(ctx, threadId);
    return false;
  }
  if (!state || markedAt === null || !owner) await deleteSettings(ctx, threadId);
  // Viewers' copies of files stored under Chainlit's keys go with the share; sharing again makes them anew.
  await removeShareCopies(ctx, threadId);
  return true;
}

const deleteKeys = (ctx: LayerContext, keys: ReadonlyArray<Record<string, string>>) =>
  Promise.all(keys.map((Key) => ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key }))));
const deleteSettings = (ctx: LayerContext, threadId: string) => deleteKeys(ctx, [shareKey(threadId), expiryMarkerKey(threadId)]);

export interface ShareRow extends ShareState {
  userId: string;
}

export interface SharePage {
  rows: ShareRow[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const SHARE_FILTER = "share";
/** Deleted threads whose leftovers one listing removes, at most. */
const LEFTOVER_THREADS_PER_LISTING = 10;

/**
 * The user's shares, newest first: Query `USER#{userId}#SHARE` (first+1 rows), then one BatchGetItem of the
 * THREAD items and settings items. Settings whose thread is gone, now someone else's, or no longer shared (Chainlit
 * un-shared it, or a crash left them) are skipped, and the loop goes on until the page is full. Two requests per page
 * when nothing is skipped. Cursors are signed and bound to the user and this listing (cursor.ts).
 */
export async function listShares(ctx: LayerContext, userId: string, pagination: Pagination): Promise<SharePage> {
  const { first, cursor } = PaginationSchema.parse(pagination);
  const indexPk = shareIndexPk(userId);
  let startKey: CursorKey | undefined = cursor ? decodeCursor(ctx.cursorSecret, cursor, { userId, filter: SHARE_FILTER, indexPk }) : undefined;
  const rows: Array<{ row: ShareRow; key: CursorKey }> = [];
  const deleted = new Set<string>();
  let more = true;
  for (let page = 0; page < 10 && rows.length <= first && more; page++) {
    const { items: markers, next } = await queryNewestFirst(ctx, indexPk, first + 1 - rows.length, startKey);
    more = next !== undefined;
    startKey = next as CursorKey | undefined;
    if (markers.length === 0) continue;
    const items = await batchGet(ctx, markers.flatMap((m) => [threadItemKey(threadIdFromPk(String(m.PK))), shareKey(threadIdFromPk(String(m.PK)))]), STATE_ATTRIBUTES);
    const byKey = new Map(items.map((item) => [`${String(item.PK)}|${String(item.SK)}`, item]));
    for (const marker of markers) {
      const threadId = threadIdFromPk(String(marker.PK));
      const thread = byKey.get(`${String(marker.PK)}|${THREAD_SK}`);
      // Gone, or written back by a Chainlit session with no user: the settings are leftovers (leftovers.ts).
      if (!isOwnedThread(thread)) deleted.add(threadId);
      const state = thread ? shareStateOf(threadId, thread, byKey.get(`${String(marker.PK)}|${SHARE_SK}`)) : null;
      if (!(state?.isShared || state?.endedByExpiry) || state.userId !== userId || !state.settings) continue;
      const key = { PK: String(marker.PK), SK: String(marker.SK), UserThreadPK: String(marker.UserThreadPK), UserThreadSK: String(marker.UserThreadSK) };
      rows.push({ row: { ...state, name: threadNameShown(state.name), userId }, key });
    }
  }
  // Chainlit's delete_thread leaves the settings item behind: the page is answered without it, then it goes.
  await mapLimited([...deleted].slice(0, LEFTOVER_THREADS_PER_LISTING), 4, (threadId) => removeLeftoversOnTheWay(ctx, threadId));
  const page = rows.slice(0, first);
  const last = page.at(-1);
  return {
    rows: page.map(({ row }) => row),
    // Out of Query pages with markers left (many stale ones in a row): say there is more rather than stop short.
    hasNextPage: rows.length > first || more,
    endCursor: last ? encodeCursor(ctx.cursorSecret, { u: userId, f: SHARE_FILTER, k: last.key }) : null,
  };
}
