/** Thread items: `THREAD#{id}` / `THREAD`, listed through the UserThread index (`USER#{userId}`, `TS#{time}`). */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { definedEntries } from "../../dynamo/codec";
import { IdSchema } from "../../entities/common";
import { ThreadUpdateSchema, type ThreadUpdate } from "../../entities/thread";
import { DataError, isDataError } from "../../errors";
import { threadKey, userThreadPk, userThreadSk } from "../../keys";
import { type LayerContext } from "../context";
import { notFound, onConditionFailed, toDataError } from "../edge";
import { buildUpdateExpression, ExpressionBuilder, type UpdateSpec } from "../update-expression";
import { FEEDBACK_INDEXED_AT } from "../feedback/feedback-rebuild";
import { SEARCH_INDEXED_AT, indexSource } from "../search/search-index";
import { NAME_SOURCE } from "../../keys";

/** The thread's userId, or null when there is no such thread (one GetItem, projecting only userId). */
export async function readThreadOwner(ctx: LayerContext, threadId: string): Promise<{ userId: string | null } | null> {
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: threadKey(threadId), ConsistentRead: true, ProjectionExpression: "userId, PK" }),
  );
  if (!out.Item) return null;
  return { userId: typeof out.Item.userId === "string" ? out.Item.userId : null };
}

/** Chainlit raised ValueError (a 500) for a missing thread and KeyError for a thread without userId: both are null here. */
export async function getThreadAuthor(ctx: LayerContext, threadId: string): Promise<string | null> {
  return (await readThreadOwner(ctx, threadId))?.userId ?? null;
}

export interface UpdateThreadOptions {
  /** Move the thread to the top of its user's list (new activity). A rename or a metadata change does not. */
  touch?: boolean;
  /**
   * Only update a thread that exists (else `not_found`). Chainlit creates threads through update_thread, so the
   * default upserts; a rename from the API must not resurrect a thread deleted a moment before as a nameless stub.
   */
  mustExist?: boolean;
  /**
   * The thread's owner, when the caller knows it (Threadbook's own writes): a new name is put in the full-text index
   * beside the write, and a `touch` keeps the indexes current instead of leaving the thread to the catch-up.
   */
  owner?: string;
  /**
   * The name the caller read before deciding to write `name` (null: it had none), for a name the app makes by itself
   * (a first send's, an edit's): the name is written only while it is still that one, so a rename landing meanwhile
   * (the user's, in another tab; Chainlit's update_thread) wins. When it no longer is, the rest of the update still
   * lands without the name, and the result says what the name is now. Not with `metadata`.
   */
  nameWas?: string | null;
}

/** What updateThread did beyond writing: `nameLost` when `nameWas` no longer held, with the name the thread keeps. */
export interface UpdateThreadResult {
  nameLost?: { current: string | null };
}

/** How often the metadata merge/create pair is retried when another writer keeps flipping the map's existence. */
const METADATA_ATTEMPTS = 4;

/**
 * One UpdateItem (two the first time metadata meets a thread Chainlit wrote with NULL metadata).
 *
 * - `createdAt` is written once. Chainlit rewrote it on every update, so it meant "last updated"; `updatedAt` and
 *   `UserThreadSK` carry that here.
 * - Without `touch`, `updatedAt`/`UserThreadSK` are only set on a new thread (`if_not_exists`): Chainlit moved a
 *   thread to the top on any update, so renaming an old thread or a disconnect saving metadata reordered the list.
 * - `null` means "leave as is" for name, userId and tags, as None did in Chainlit.
 * - `metadata` is merged key by key, a null value removing its key (Chainlit replaced the whole map, wiping
 *   is_shared on rename and un-sharing threads on disconnect, #2688). Merging into a map needs the map to exist,
 *   hence a conditional merge and a conditional whole-map fallback. Threads written here get an empty map on
 *   their first write, so later merges take the first branch.
 */
export async function updateThread(ctx: LayerContext, threadId: string, update: ThreadUpdate = {}, options: UpdateThreadOptions = {}): Promise<UpdateThreadResult> {
  IdSchema.parse(threadId);
  const { name, metadata } = ThreadUpdateSchema.parse(update);
  const owner = options.owner;
  const guarded = name != null && options.nameWas !== undefined;
  // A failed name condition must not read as the metadata merge's own condition failing (writeThread's loop).
  if (guarded && metadata) throw new DataError("validation", "updateThread: nameWas cannot go with metadata");
  // The name's postings are written beside the thread write, not after it (search-index.ts).
  const [written] = await Promise.all([writeThreadFitting(ctx, threadId, update, options), name != null && owner ? indexSource(ctx, threadId, owner, NAME_SOURCE, name) : undefined]);
  let result: UpdateThreadResult = {};
  if (guarded && !written) {
    // Another writer renamed the thread since the caller read it: its name stays. The rest of the update (the move to
    // the top) still lands, and the name's postings, written beside the refused write, are made the kept name's again.
    await writeThreadFitting(ctx, threadId, { ...update, name: undefined }, { ...options, nameWas: undefined });
    const current = await readThreadName(ctx, threadId);
    if (owner) await indexSource(ctx, threadId, owner, NAME_SOURCE, current ?? "");
    ctx.logger.info("thread renamed meanwhile: the automatic name was not written", { threadId });
    result = { nameLost: { current } };
  }
  // A bump or a new owner reorders the user's search window (search-window.ts); after the write, so a window read
  // meanwhile goes too.
  if (options.touch || update.userId != null) ctx.searchWindows.forgetThread(threadId);
  if (update.userId != null) ctx.searchWindows.forgetUser(update.userId);
  return result;
}

/** The thread's stored name (null: none, or not a string). One GetItem. */
async function readThreadName(ctx: LayerContext, threadId: string): Promise<string | null> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: threadKey(threadId), ConsistentRead: true, ProjectionExpression: "#n", ExpressionAttributeNames: { "#n": "name" } }));
  return typeof out.Item?.name === "string" ? out.Item.name : null;
}

/**
 * A THREAD item Chainlit filled to DynamoDB's 400 KB (update_thread saves a whole `user_session` in its metadata:
 * docs/chainlit.md, "Errors") refuses any write that grows it, and Threadbook's first write to a Chainlit thread adds
 * `updatedAt` and its index states. Refused as too large, the write is sent again lean: only what it was asked to
 * change, and for new activity only `UserThreadSK` (a value of the same length; the thread's last activity is the
 * later of it and `updatedAt`, get-thread.ts). So a message, a stopped share or a rename to a name no longer than
 * the old one still land; what truly grows the item (a longer name, a share's `shared_at`) stays `too_large`.
 */
async function writeThreadFitting(ctx: LayerContext, threadId: string, update: ThreadUpdate, options: UpdateThreadOptions): Promise<boolean> {
  try {
    return await writeThread(ctx, threadId, update, options, false);
  } catch (error) {
    // The SDK's error: DataErrors are made at the layer's edge (edge.ts), as this call returns.
    if (!isDataError(toDataError(error, "updateThread"), "too_large")) throw error;
    ctx.logger.warn("thread item full: writing only what replaces", { threadId });
    return writeThread(ctx, threadId, update, options, true);
  }
}

/** False only when `options.nameWas` no longer held: nothing was written. */
async function writeThread(ctx: LayerContext, threadId: string, update: ThreadUpdate, options: UpdateThreadOptions, lean: boolean): Promise<boolean> {
  const { name, userId, tags, metadata } = ThreadUpdateSchema.parse(update);
  const now = ctx.now();
  const activity: ReadonlyArray<readonly [string, string]> = lean
    ? [["UserThreadSK", userThreadSk(now)]]
    : [
        ["updatedAt", now],
        ["UserThreadSK", userThreadSk(now)],
      ];
  const base: Required<Pick<UpdateSpec, "set" | "setIfNotExists">> = {
    set: [
      ["id", threadId],
      ...(name != null ? [["name", name] as const] : []),
      ...(userId != null
        ? ([
            ["userId", userId],
            ["userIdentifier", userId],
            ["UserThreadPK", userThreadPk(userId)],
          ] as const)
        : []),
      ...(tags != null ? [["tags", tags] as const] : []),
      ...(options.touch ? activity : []),
    ],
    setIfNotExists: lean ? [] : [["createdAt", now], ...(options.touch ? [] : activity)],
  };
  const exists = (expr: ExpressionBuilder) => `attribute_exists(${expr.name("PK")})`;
  // A thread made here holds a NULL name until its first message (createThread); Chainlit's may have none at all.
  const nameWas = name != null ? options.nameWas : undefined;
  const nameStill = (expr: ExpressionBuilder) =>
    nameWas === null ? `(attribute_not_exists(${expr.name("name")}) OR attribute_type(${expr.name("name")}, ${expr.value("NULL")}))` : `${expr.name("name")} = ${expr.value(nameWas!)}`;
  const guard =
    nameWas === undefined ? (options.mustExist ? exists : undefined) : options.mustExist ? (expr: ExpressionBuilder) => `${exists(expr)} AND ${nameStill(expr)}` : nameStill;
  const entries = definedEntries(metadata ?? {});
  if (entries.length === 0) {
    const spec: UpdateSpec = lean ? base : { ...base, setIfNotExists: [...base.setIfNotExists, ["metadata", {}]] };
    if (!lean && options.touch && options.owner && (await touchKeepingIndexesCurrent(ctx, threadId, spec, now, guard))) return true;
    if (!guard) await send(ctx, threadId, spec);
    // A refused name condition is the caller's to handle (updateThread writes the rest without the name, and a
    // missing thread is then not_found); a refused `exists` alone is not_found here.
    else if (nameWas !== undefined) return onConditionFailed(() => send(ctx, threadId, spec, guard), () => false);
    else await onConditionFailed(() => send(ctx, threadId, spec, guard), () => notFound("thread"));
    return true;
  }
  const merge: UpdateSpec = {
    ...base,
    set: [...base.set, ...entries.filter(([, v]) => v !== null).map(([k, v]) => [["metadata", k], v] as const)],
    remove: entries.filter(([, v]) => v === null).map(([k]) => ["metadata", k]),
  };
  const create: UpdateSpec = { ...base, set: [...base.set, ["metadata", Object.fromEntries(entries.filter(([, v]) => v !== null))]] };
  for (let attempt = 0; attempt < METADATA_ATTEMPTS; attempt++) {
    const isMap = attempt % 2 === 0;
    const done = await onConditionFailed(
      () =>
        send(ctx, threadId, isMap ? merge : create, (expr) => {
          const shape = `${isMap ? "" : "NOT "}attribute_type(${expr.name("metadata")}, ${expr.value("M")})`;
          return options.mustExist ? `${exists(expr)} AND ${shape}` : shape;
        }),
      () => false,
    );
    if (done !== false) return true;
  }
  if (options.mustExist && (await readThreadOwner(ctx, threadId)) === null) notFound("thread");
  throw new DataError("conflict", `thread ${threadId}: metadata kept changing, update not applied`);
}

/**
 * Threadbook's own turn indexes every step it writes (steps.ts), so the activity it adds needs no catch-up: when
 * both indexes were current before (their state equals UserThreadSK), the bump moves them along in the same
 * UpdateItem. Otherwise (Chainlit wrote since) the condition fails and the plain bump leaves the thread to the
 * catch-up. Returns false when the condition failed.
 */
function touchKeepingIndexesCurrent(ctx: LayerContext, threadId: string, spec: UpdateSpec, now: string, guard?: (expr: ExpressionBuilder) => string): Promise<boolean> {
  const at = userThreadSk(now);
  const withState: UpdateSpec = { ...spec, set: [...(spec.set ?? []), [FEEDBACK_INDEXED_AT, at], [SEARCH_INDEXED_AT, at]] };
  return onConditionFailed(
    () =>
      send(ctx, threadId, withState, (expr) => {
        const current = `${expr.name(FEEDBACK_INDEXED_AT)} = ${expr.name("UserThreadSK")} AND ${expr.name(SEARCH_INDEXED_AT)} = ${expr.name("UserThreadSK")}`;
        return guard ? `${guard(expr)} AND ${current}` : current;
      }),
    () => false,
  );
}

async function send(ctx: LayerContext, threadId: string, spec: UpdateSpec, condition?: (expr: ExpressionBuilder) => string): Promise<true> {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression(spec, expr)!;
  const ConditionExpression = condition?.(expr);
  await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, Key: threadKey(threadId), UpdateExpression, ConditionExpression, ...expr.attributes() }));
  return true;
}

/**
 * A new thread for `userId`, under an id the caller made (the API makes a random UUID: a client never names a new
 * thread). One UpdateItem guarded by `attribute_not_exists(PK)`, so an existing thread, anyone's, is never taken
 * over: an id already in use is `conflict`, and nothing is written.
 */
export async function createThread(ctx: LayerContext, threadId: string, userId: string): Promise<void> {
  IdSchema.parse(threadId);
  const now = ctx.now();
  const spec: UpdateSpec = {
    set: [
      ["id", threadId],
      ["userId", userId],
      ["userIdentifier", userId],
      ["UserThreadPK", userThreadPk(userId)],
      ["createdAt", now],
      ["updatedAt", now],
      ["UserThreadSK", userThreadSk(now)],
      // A thread that did not exist has no feedback: its (absent) markers are exact as of now, so the feedback
      // filter's catch-up (feedback-catch-up.ts) has nothing to rebuild for it.
      [FEEDBACK_INDEXED_AT, userThreadSk(now)],
      [SEARCH_INDEXED_AT, userThreadSk(now)],
      ["metadata", {}],
      // Chainlit's list reads `item["name"]` on every row of the user's index, and one row without the attribute is a
      // KeyError (a 500 for the whole list) until the first message names the thread. NULL reads as None: "untitled".
      ["name", null],
    ],
  };
  await onConditionFailed(
    () => send(ctx, threadId, spec, (expr) => `attribute_not_exists(${expr.name("PK")})`),
    () => {
      throw new DataError("conflict", `thread ${threadId} already exists`);
    },
  );
  ctx.searchWindows.forgetUser(userId); // the user's search window does not hold the new thread
}
