/**
 * Writing whole threads that come from an export (docs/import-export.md): items exactly as Chainlit's layer writes
 * them (a THREAD item, one `STEP#` item per step, big fields split into parts as every step write here does), sent
 * with BatchWriteItem, so a batch of conversations costs one BatchGetItem plus a handful of BatchWriteItems instead
 * of one request per step, and three requests a conversation for its claim (import-claims.ts: the claim, its check,
 * the finished THREAD item, which no batch can carry: BatchWriteItem takes no condition).
 *
 * Ids come from the importer (deterministic per user and source conversation), so importing the same file again finds
 * the threads already there: they are reported as existing and not written again. A thread id that exists under
 * another user, or that anyone takes between the check and the claim, is never written into.
 *
 * Feedback (a Threadbook export's 👍/👎) is written as upsertFeedback leaves it: the map inside the step item, in
 * Chainlit's shape, and the thread's marker item per value (feedback-markers.ts), so the feedback filter finds the
 * thread the moment it appears and the index stays exact.
 */
import { type Item } from "../../dynamo/codec";
import { JsonObjectSchema, WrittenTimestampSchema } from "../../entities/common";
import { StepInputSchema, type StepInput } from "../../entities/step";
import { THREAD_NAME_MAX, ThreadTagsSchema } from "../../entities/thread";
import { definedEntries } from "../../dynamo/codec";
import { FEEDBACK_COMMENT_MAX, FeedbackValueSchema, type FeedbackValue } from "../../entities/feedback";
import { NAME_SOURCE, THREAD_SK, feedbackId, feedbackIndexPk, feedbackMarkerSk, searchDocSk, stepSk, threadPk, userThreadPk, userThreadSk } from "../../keys";
import { batchDelete, batchGet, batchPut, mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { FEEDBACK_INDEXED_AT } from "../feedback/feedback-rebuild";
import { newSourceItems, SEARCH_INDEXED_AT } from "../search/search-index";
import { wantedSources } from "../search/search-rebuild";
import { partsAttribute, planStepWrite } from "../steps/step-parts";
import { removeLeftovers } from "../threads/leftovers";
import { deleteThread } from "../threads/delete-thread";
import { IMPORTED_AT } from "../threads/true-activity";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { claimThread, dropClaimMark, finishClaim, holdsOnlyTheClaim, IMPORT_CLAIM, isImportClaim, isUnlistedClaimOf, releaseClaim, type ClaimKind } from "./import-claims";
import { IdSchema } from "../../entities/common";

/** BatchWriteItems of one batch in flight at once (the import job runs a few batches at once besides). */
const WRITES_IN_FLIGHT = 4;

export const ImportedThreadSchema = z.object({
  id: IdSchema,
  name: z.string().max(THREAD_NAME_MAX).nullable(),
  createdAt: WrittenTimestampSchema,
  updatedAt: WrittenTimestampSchema,
  metadata: JsonObjectSchema,
  /** The tags the file carried (Chainlit's `tags` attribute), as an add through the tags router would write them. */
  tags: ThreadTagsSchema.optional(),
});
/** A rating of one of the thread's steps (`forId`: the step's id as imported). */
export const ImportedFeedbackSchema = z.object({
  forId: IdSchema,
  value: FeedbackValueSchema,
  comment: z.string().max(FEEDBACK_COMMENT_MAX).nullable(),
});
export type ImportedFeedback = z.infer<typeof ImportedFeedbackSchema>;

/**
 * `sameAs`: the id of the thread this conversation was exported from (a Threadbook export's own thread id). When that
 * thread is still this user's, the conversation is already there: exporting everything and importing the file back
 * (after deleting one thread, say) must not add a second copy of every other thread.
 */
export type ImportedThread = z.input<typeof ImportedThreadSchema> & { steps: StepInput[]; feedback?: ImportedFeedback[]; sameAs?: string };

export interface ImportThreadsResult {
  written: string[];
  /** Already this user's (an earlier import of the same conversation): left as they are. */
  existing: string[];
  /** Copies of a thread still this user's (`sameAs`): nothing written, counted as already there. */
  originals: string[];
  /** Held by another user: never touched. */
  taken: string[];
}

function stepItems(threadId: string, step: StepInput, feedback: ImportedFeedback | undefined): Item[] {
  const { id, threadId: _thread, ...rest } = StepInputSchema.parse({ ...step, threadId });
  const plan = planStepWrite(threadId, id, Object.fromEntries(definedEntries(rest)));
  const counts = Object.fromEntries(Object.entries(plan.counts).map(([field, count]) => [partsAttribute(field as "input" | "output"), count]));
  // The map upsertFeedback writes (Chainlit's FeedbackDict).
  const rated = feedback ? { feedback: { id: feedbackId(threadId, id), forId: id, threadId, value: feedback.value, comment: feedback.comment } } : {};
  return [...plan.parts, { PK: threadPk(threadId), SK: stepSk(id), id, threadId, ...plan.fields, ...counts, ...rated }];
}

/** The thread's rated steps (of its own steps only), by step id. */
function feedbackByStep(thread: ImportedThread): Map<string, ImportedFeedback> {
  const steps = new Set(thread.steps.map((step) => step.id));
  const rated = (thread.feedback ?? []).map((f) => ImportedFeedbackSchema.parse(f)).filter((f) => steps.has(f.forId));
  return new Map(rated.map((f) => [f.forId, f]));
}

/** The marker items addToFeedbackMarker keeps, one per value given, listed at the thread's activity time. */
function markerItems(userId: string, thread: ImportedThread, rated: Map<string, ImportedFeedback>, at: string): Item[] {
  return ([0, 1] as FeedbackValue[]).flatMap((value) => {
    const stepIds = [...rated.values()].filter((f) => f.value === value).map((f) => f.forId);
    if (stepIds.length === 0) return [];
    return [{
      PK: threadPk(thread.id),
      SK: feedbackMarkerSk(value),
      id: thread.id,
      stepIds: new Set(stepIds),
      UserThreadPK: feedbackIndexPk(userId, value),
      UserThreadSK: at,
    }];
  });
}

function threadItem(ctx: LayerContext, userId: string, thread: ImportedThread): Item {
  const parsed = ImportedThreadSchema.parse(thread);
  return {
    PK: threadPk(parsed.id),
    SK: THREAD_SK,
    id: parsed.id,
    name: parsed.name,
    userId,
    userIdentifier: userId,
    UserThreadPK: userThreadPk(userId),
    UserThreadSK: userThreadSk(parsed.updatedAt),
    createdAt: parsed.createdAt,
    updatedAt: parsed.updatedAt,
    metadata: parsed.metadata,
    // Only when there are some: Chainlit leaves `tags` absent on a thread it never tagged, so does an import.
    ...(parsed.tags && parsed.tags.length > 0 ? { tags: parsed.tags } : {}),
    // The file's times date the thread; a retention period runs from the import instead (true-activity.ts).
    [IMPORTED_AT]: ctx.now(),
    // The markers are written with the steps' feedback, before this item: exact, so the feedback catch-up skips these threads.
    [FEEDBACK_INDEXED_AT]: userThreadSk(parsed.updatedAt),
    // Indexed below, before this item is written. It must be: an imported thread keeps its old activity time, which
    // sits under the catch-up's watermark, so the catch-up would never reach it.
    [SEARCH_INDEXED_AT]: userThreadSk(parsed.updatedAt),
  };
}

/**
 * What the existence check reads of each thread: its THREAD item, and the items a partition holds whenever its earlier
 * life left anything that would show: a 👍/👎 marker, or the docs of a turn continued here (continuing names the
 * thread, so its name doc is there too). Four keys a thread keep a batch of 25 conversations in one BatchGetItem.
 */
const PROBED_SKS = [THREAD_SK, searchDocSk(NAME_SOURCE), feedbackMarkerSk(0), feedbackMarkerSk(1)];

export async function importThreads(ctx: LayerContext, userId: string, threads: readonly ImportedThread[]): Promise<ImportThreadsResult> {
  userThreadPk(userId); // refuses a reserved identifier before anything is read
  const sameAs = (thread: ImportedThread) => (thread.sameAs !== undefined && IdSchema.safeParse(thread.sameAs).success ? thread.sameAs : null);
  const originalKeys = threads.flatMap((t) => (sameAs(t) ? [{ PK: threadPk(sameAs(t)!), SK: THREAD_SK }] : []));
  const found = await batchGet(ctx, [...threads.flatMap((t) => PROBED_SKS.map((SK) => ({ PK: threadPk(t.id), SK }))), ...originalKeys], ["PK", "SK", "userId", IMPORT_CLAIM, "UserThreadPK"]);
  const before = new Map(found.filter((item) => item.SK === THREAD_SK).map((item) => [String(item.PK), item]));
  const usedBefore = new Set(found.filter((item) => item.SK !== THREAD_SK).map((item) => String(item.PK)));
  const result: ImportThreadsResult = { written: [], existing: [], originals: [], taken: [] };
  const candidates: Array<{ thread: ImportedThread; kind: ClaimKind }> = [];
  // THREAD items that name nobody: a Chainlit session left open on this import's thread saved its user_session back
  // after the delete (update_thread with no user: docs/chainlit.md, "One table, two apps"), its steps beside it. The
  // id is this user's own (the importer derives it from the user and the source), so what is there is this import's
  // own leftover: it goes whole, and the conversation is written as the file has it. An item naming another user is
  // never touched (taken). This user's own claim that never finished (an interrupted import) is claimed again and
  // written over (the ids are the same).
  for (const thread of threads) {
    const head = before.get(threadPk(thread.id));
    const original = sameAs(thread) ? before.get(threadPk(sameAs(thread)!)) : undefined;
    if (!head && original?.userId === userId && !isImportClaim(original)) result.originals.push(thread.id);
    else if (!head) candidates.push({ thread, kind: "fresh" });
    else if (typeof head.userId !== "string" || head.userId === "") candidates.push({ thread, kind: "ownerless" });
    else if (isUnlistedClaimOf(head, userId)) candidates.push({ thread, kind: "unfinished" });
    else (head.userId === userId ? result.existing : result.taken).push(thread.id);
  }
  // Validate everything before the first write, so a bad step fails the batch without half of it stored.
  const rated = candidates.map(({ thread }) => feedbackByStep(thread));
  const contentsByThread = candidates.map(({ thread }, i) => thread.steps.flatMap((step) => stepItems(thread.id, step, rated[i]!.get(step.id))));
  const heads = candidates.map(({ thread }) => threadItem(ctx, userId, thread));

  const token = randomUUID();
  // Each thread is claimed (a conditional write of its THREAD item) before anything goes into its partition, so a
  // thread someone created under the same id since the check above is never written into (import-claims.ts).
  const claimed = await mapLimited(candidates, WRITES_IN_FLIGHT, async ({ thread, kind }) => {
    // A conversation imported before, then deleted by a Chainlit app (whose delete_thread leaves Threadbook's items),
    // comes back under the same id: the markers and search docs of its earlier life would be taken for this one's, and
    // the THREAD item below says both indexes are exact (a 👎 given before the delete listed it under 👎 again, the
    // words of a turn continued then found it). They go first, with their postings, and only while no thread is there.
    if (kind === "fresh" && usedBefore.has(threadPk(thread.id))) await removeLeftovers(ctx, thread.id);
    // A user-less leftover goes whole, unless someone gave it an owner since (then the claim below fails).
    if (kind === "ownerless") await deleteThread(ctx, thread.id, { onlyIfUnowned: true });
    if (!(await claimThread(ctx, userId, thread.id, kind, token))) return false;
    // Nothing may be in a partition just claimed but the claim (an unfinished one of this user holds its own items).
    if (kind !== "unfinished" && !(await holdsOnlyTheClaim(ctx, thread.id))) {
      await releaseClaim(ctx, thread.id, token);
      return false;
    }
    return true;
  });
  const taken = candidates.filter((_, i) => !claimed[i]);
  result.taken.push(...taken.map(({ thread }) => thread.id));
  if (taken.length > 0) ctx.logger.warn("import found threads created under its ids meanwhile; left them alone", { threads: taken.length });
  const mine = candidates.flatMap((c, i) => (claimed[i] ? [i] : []));
  const contents = mine.flatMap((i) => contentsByThread[i]!);
  const markersOf = mine.map((i) => markerItems(userId, candidates[i]!.thread, rated[i]!, String(heads[i]!.UserThreadSK)));
  const markers = markersOf.flat();
  // The full-text index of the new threads (their names and steps), written with the steps, docs after postings:
  // searchable once they appear. THREAD items last: a thread only appears (and counts as imported) once all of it is
  // in. Steps and postings share their requests (25 items each, whatever they are), so a batch wastes at most one
  // part-filled request per phase.
  const index = mine.map((i) => newSourceItems(candidates[i]!.thread.id, userId, wantedSources([heads[i]!, ...contentsByThread[i]!])));
  const postings = index.flatMap((entry) => entry.postings);
  const docs = index.flatMap((entry) => entry.docs);
  const phases = [[...contents, ...postings], [...docs, ...markers]];
  /** Deletes what this call wrote of the threads `ks` (of `mine`): their steps, parts, docs, postings and markers. */
  const unwrite = (ks: number[]) =>
    batchDelete(ctx, ks.flatMap((k) => [...contentsByThread[mine[k]!]!, ...index[k]!.postings, ...index[k]!.docs, ...markersOf[k]!]).map(({ PK, SK }) => ({ PK: String(PK), SK: String(SK) })));
  try {
    for (const phase of phases) if (phase.length > 0) await batchPut(ctx, phase, WRITES_IN_FLIGHT);
  } catch (error) {
    // A batch the table refuses (a step too large) is retried one conversation at a time by the job: what this one
    // wrote goes and its claims are given back, so the conversation the table cannot hold leaves nothing behind. Best
    // effort: a claim left (the table unavailable) is this user's unfinished one, claimed again by the next import.
    await unwrite(mine.map((_, k) => k))
      .then(() => mapLimited(mine, WRITES_IN_FLIGHT, (i) => releaseClaim(ctx, candidates[i]!.thread.id, token)))
      .catch((cleanup: unknown) => ctx.logger.warn("could not give back an import's claims", { error: String(cleanup) }));
    throw error;
  }
  // The THREAD item replaces the claim, only while it is still this import's: one PutItem a thread.
  const finished = await mapLimited(mine, WRITES_IN_FLIGHT, (i) => finishClaim(ctx, userId, heads[i]!, token));
  mine.forEach((i, k) => (finished[k] ? result.written : result.taken).push(candidates[i]!.thread.id));
  // A thread someone gave another owner since the claim (Chainlit's update_thread naming a user) is theirs: what the
  // import wrote into it goes (its ids are the import's own, never theirs).
  const lost = mine.flatMap((_, k) => (finished[k] ? [] : [k]));
  if (lost.length > 0) await Promise.all([unwrite(lost), mapLimited(lost, WRITES_IN_FLIGHT, (k) => dropClaimMark(ctx, userId, candidates[mine[k]!]!.thread.id, token))]);
  // This instance's search window of the user does not hold the new threads (as createThread).
  if (result.written.length > 0) ctx.searchWindows.forgetUser(userId);
  return result;
}
