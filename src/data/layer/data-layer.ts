/**
 * Threadbook's DynamoDB data layer: Chainlit's BaseDataLayer methods in camelCase over the same single table
 * (docs/chainlit.md, "The table"), async end to end (the original's boto3 calls block). Each method is a
 * thin shell: log, validate, run the operation from its own module, and map failures at the edge (edge.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createClock, utcNow } from "../clock";
import { createDocumentClient } from "../dynamo/document-client";
import { openCursor, randomCursorSecret, sealCursor } from "../cursor";
import { type Element, type ElementInput } from "../entities/element";
import { type Feedback } from "../entities/feedback";
import { type StepInput } from "../entities/step";
import { type Pagination, type PaginatedResponse, type ThreadFilter, type ThreadSummary, type ThreadUpdate, type ThreadWithContent } from "../entities/thread";
import { type PersistedUser, type User, type UserAuth } from "../entities/user";
import { getLogger, type Logger } from "../logger";
import { type StorageClient } from "../storage/storage-client";
import { type LayerContext } from "./context";
import { deleteThread, type DeleteThreadOptions } from "./threads/delete-thread";
import { atEdge } from "./edge";
import { createElement, deleteElement, getElement, signElement } from "./steps/elements";
import { previewLink } from "./steps/element-previews";
import { deleteFeedback, upsertFeedback, type UpsertFeedbackOptions } from "./feedback/feedback";
import { getThread, type GetThreadOptions } from "./threads/get-thread";
import { getThreadOutline, type OutlineReadOptions, type ThreadOutline } from "./threads/thread-outline";
import { listThreads } from "./threads/list-threads";
import { changeThreadTags, type TagChange, type TagChangeResult } from "./threads/thread-tags";
import { listPinnedThreads, pinnedThreadIds, pinThread, unpinThread, type PinOutcome } from "./threads/pins";
import { getRetention, listDueRetentions, moveRetention, setRetention, stopRetention } from "./retention/retention";
import { type RetentionDays, type RetentionSetting, type RetentionState } from "../entities/retention";
import { type PinnedThread } from "../entities/pin";
import { createStep, deleteStep, updateExistingStep, updateStep, type StepWriteOptions } from "./steps/steps";
import { searchThreads } from "./search/search-query";
import { prepareSearch } from "./search/search-prepare";
import { SearchWindows } from "./search/search-window";
import { type SearchInput, type SearchPage } from "../entities/search";
import { createThread, getThreadAuthor, updateThread, type UpdateThreadOptions, type UpdateThreadResult } from "./threads/threads";
import {
  createUser,
  deleteUser,
  ensureUserAuth,
  findUser,
  getSessionVersion,
  getUser,
  getUserAuth,
  listUsers,
  revokeUserSessions,
  setUserPassword,
  type EnsureUserAuthResult,
} from "./users/users";
import { clearRateCounter, countRateHit, getRateCounters, leaseHeld, markRateFailure, releaseRateHit, renewLease, returnLease, takeLease, type RateCounter, type RateHit } from "./rate-counters";
import { WriteQueue } from "./write-queue";
import { importThreads, type ImportedThread, type ImportThreadsResult } from "./import/import-threads";
import { abandonImportJob, claimImportJob, createImportJob, getImportJob, listImportJobs, listRunningImportJobs, requestImportCancel, updateImportJob, type NewImportJob } from "./import/import-jobs";
import { type ImportJob, type ImportJobProgress, type ImportProblemData } from "../entities/import-job";
import { type ShareChange, type ShareChoice, type ShareSettings, type ShareState } from "../entities/share";
import { copyThread } from "./threads/copy-thread";
import { cancelDeletionJob, claimDeletionJob, getDeletionJob, giveUpDeletionJob, listRunningDeletionJobs, startDeletionJob, updateDeletionJob } from "./deletion/deletion-jobs";
import { countThreadsToDelete, threadsToDelete, type ThreadsToDeletePage } from "./deletion/threads-to-delete";
import { deleteAccountItems } from "./deletion/account-items";
import { countUnfinishedClaims, deleteUnfinishedClaims } from "./import/unfinished-claims";
import { type DeletionJob, type DeletionKind, type DeletionProgress } from "../entities/deletion-job";
import { catchUpShares, type ShareCatchUpResult } from "./shares/share-catch-up";
import { elementsForShare } from "./shares/share-copies";
import { changeShare, listShares, readShareState, shareThread, unshareThread, type SharePage } from "./shares/shares";
import { endExpiredShares, endShareIfExpired, type ShareExpirySweep } from "./shares/share-expiry";
import { sweepOrphanObjects, type OrphanSweepOptions, type OrphanSweepRun } from "./orphans/orphan-sweep";

export interface DynamoDBDataLayerOptions {
  tableName: string;
  /** A client you own (you destroy it); without one the layer creates and destroys its own. */
  client?: DynamoDBClient;
  storageProvider?: StorageClient;
  /** HMAC key of list cursors. Set it when several processes serve one user, or cursors die on a restart. */
  cursorSecret?: string;
  logger?: Logger;
  /** Where the layer's timestamps come from (seeding demo data in the past, tests); defaults to the process clock (clock.ts). */
  clock?: () => Date;
  /** Only used to create the client when `client` is absent. */
  region?: string;
  endpoint?: string;
}

export class DynamoDBDataLayer {
  private readonly ctx: LayerContext;
  private readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;

  constructor(options: DynamoDBDataLayerOptions) {
    this.ownsClient = !options.client;
    this.client = options.client ?? new DynamoDBClient({ region: options.region, endpoint: options.endpoint });
    this.ctx = {
      doc: createDocumentClient(this.client),
      tableName: options.tableName,
      storage: options.storageProvider,
      logger: options.logger ?? getLogger("DynamoDB"),
      cursorSecret: options.cursorSecret ?? randomCursorSecret(),
      queue: new WriteQueue(),
      searchWindows: new SearchWindows(),
      now: options.clock ? createClock(() => options.clock!().getTime()) : utcNow,
    };
  }

  /** For tools in this package (doctor.ts) that run over the same client and table. */
  get context(): LayerContext {
    return this.ctx;
  }

  get storageProvider(): StorageClient | undefined {
    return this.ctx.storage;
  }

  // Users: identifiers are exact (Chainlit's) unless a method says "in any case".

  getUser(identifier: string): Promise<PersistedUser | null> {
    return atEdge(this.ctx, "getUser", { identifier }, () => getUser(this.ctx, identifier));
  }

  /** The user an identifier typed in any case names (exactly it first, else its lowercase alias). */
  findUser(identifier: string): Promise<PersistedUser | null> {
    return atEdge(this.ctx, "findUser", { identifier }, () => findUser(this.ctx, identifier));
  }

  /** Creates the user or returns the existing one, the same person in another case included. */
  createUser(user: User): Promise<PersistedUser> {
    return atEdge(this.ctx, "createUser", { identifier: user.identifier }, () => createUser(this.ctx, user));
  }

  /** For password sign-in, in any case: the stored identifier, hash, display name and session version. */
  getUserAuth(identifier: string): Promise<UserAuth | null> {
    return atEdge(this.ctx, "getUserAuth", { identifier }, () => getUserAuth(this.ctx, identifier));
  }

  /** Also ends every session of the user. */
  setUserPassword(identifier: string, passwordHash: string): Promise<void> {
    return atEdge(this.ctx, "setUserPassword", { identifier }, () => setUserPassword(this.ctx, identifier, passwordHash));
  }

  revokeUserSessions(identifier: string): Promise<boolean> {
    return atEdge(this.ctx, "revokeUserSessions", { identifier }, () => revokeUserSessions(this.ctx, identifier));
  }

  getSessionVersion(identifier: string): Promise<string | null> {
    return atEdge(this.ctx, "getSessionVersion", { identifier }, () => getSessionVersion(this.ctx, identifier));
  }

  /** For `npm run doctor`: creates or migrates the user's AUTH item and alias when missing. */
  ensureUserAuth(identifier: string): Promise<EnsureUserAuthResult | null> {
    return atEdge(this.ctx, "ensureUserAuth", { identifier }, () => ensureUserAuth(this.ctx, identifier));
  }

  deleteUser(identifier: string): Promise<boolean> {
    return atEdge(this.ctx, "deleteUser", { identifier }, () => deleteUser(this.ctx, identifier));
  }

  // Rate counters (rate-counters.ts) for sign-in, share pages, messages and uploads: shared by every instance on the table.

  getRateCounters(names: readonly string[], now: number = Date.now()): Promise<Map<string, RateCounter>> {
    return atEdge(this.ctx, "getRateCounters", { count: names.length }, () => getRateCounters(this.ctx, names, now));
  }

  countRateHit(name: string, windowMs: number, now: number = Date.now(), amount = 1): Promise<RateHit> {
    return atEdge(this.ctx, "countRateHit", {}, () => countRateHit(this.ctx, name, windowMs, now, amount));
  }

  releaseRateHit(name: string, now: number = Date.now(), amount = 1): Promise<void> {
    return atEdge(this.ctx, "releaseRateHit", {}, () => releaseRateHit(this.ctx, name, now, amount));
  }

  markRateFailure(name: string, now: number = Date.now()): Promise<void> {
    return atEdge(this.ctx, "markRateFailure", {}, () => markRateFailure(this.ctx, name, now));
  }

  clearRateCounter(name: string): Promise<void> {
    return atEdge(this.ctx, "clearRateCounter", {}, () => clearRateCounter(this.ctx, name));
  }

  /** A lease (one holder at a time, for `windowMs` from when it is taken), kept beside the rate counters. */
  takeLease(name: string, holder: string, windowMs: number, now: number = Date.now()): Promise<boolean> {
    return atEdge(this.ctx, "takeLease", {}, () => takeLease(this.ctx, name, holder, windowMs, now));
  }

  renewLease(name: string, holder: string, windowMs: number, now: number = Date.now()): Promise<boolean> {
    return atEdge(this.ctx, "renewLease", {}, () => renewLease(this.ctx, name, holder, windowMs, now));
  }

  returnLease(name: string, holder: string): Promise<void> {
    return atEdge(this.ctx, "returnLease", {}, () => returnLease(this.ctx, name, holder));
  }

  leaseHeld(name: string, now: number = Date.now()): Promise<boolean> {
    return atEdge(this.ctx, "leaseHeld", {}, () => leaseHeld(this.ctx, name, now));
  }

  listUsers(): Promise<PersistedUser[]> {
    return atEdge(this.ctx, "listUsers", {}, () => listUsers(this.ctx));
  }

  // Feedback

  upsertFeedback(feedback: Feedback, options?: UpsertFeedbackOptions): Promise<string> {
    const fields = { threadId: feedback.threadId, stepId: feedback.forId, value: feedback.value };
    return atEdge(this.ctx, "upsertFeedback", fields, () => upsertFeedback(this.ctx, feedback, options));
  }

  deleteFeedback(feedbackId: string): Promise<boolean> {
    return atEdge(this.ctx, "deleteFeedback", { feedbackId }, () => deleteFeedback(this.ctx, feedbackId));
  }

  // Elements

  /** `owner`: the thread's owner, when known: the element's name is put in the full-text index. */
  createElement(element: ElementInput, options: { owner?: string } = {}): Promise<Element> {
    const fields = { threadId: element.threadId, elementId: element.id, withContent: element.content !== undefined };
    return atEdge(this.ctx, "createElement", fields, () => createElement(this.ctx, element, options));
  }

  getElement(threadId: string, elementId: string): Promise<Element | null> {
    return atEdge(this.ctx, "getElement", { threadId, elementId }, () => getElement(this.ctx, threadId, elementId));
  }

  /**
   * A link to an image element's small preview, made and stored first when none is (element-previews.ts); null when
   * its file cannot be made into one, or not now (busy, or put off after a timeout). `element` as getElement or a
   * share's snapshot read it: the caller authorised it. `mayMake`, asked only when the preview is to be made: a budget
   * for making (share.elementPreview); a recorded preview is signed without asking it.
   */
  elementPreview(element: Element, mayMake?: () => Promise<boolean>): Promise<{ url: string; expiresAt: string } | null> {
    return atEdge(this.ctx, "elementPreview", { threadId: element.threadId, elementId: element.id }, () => previewLink(this.ctx, element, mayMake));
  }

  deleteElement(elementId: string, threadId: string): Promise<boolean> {
    return atEdge(this.ctx, "deleteElement", { threadId, elementId }, () => deleteElement(this.ctx, elementId, threadId));
  }

  // Steps

  /** `owner`: the thread's owner, when known: the step's text is put in the full-text index beside the write. */
  createStep(step: StepInput, options?: StepWriteOptions): Promise<void> {
    return atEdge(this.ctx, "createStep", { threadId: step.threadId, stepId: step.id }, () => createStep(this.ctx, step, options));
  }

  updateStep(step: StepInput, options?: StepWriteOptions): Promise<void> {
    return atEdge(this.ctx, "updateStep", { threadId: step.threadId, stepId: step.id }, () => updateStep(this.ctx, step, options));
  }

  /** updateStep of a step only while it exists: false (nothing written) once it was deleted (steps.ts). */
  updateExistingStep(step: StepInput, options?: StepWriteOptions): Promise<boolean> {
    return atEdge(this.ctx, "updateExistingStep", { threadId: step.threadId, stepId: step.id }, () => updateExistingStep(this.ctx, step, options));
  }

  deleteStep(stepId: string, threadId: string): Promise<boolean> {
    return atEdge(this.ctx, "deleteStep", { threadId, stepId }, () => deleteStep(this.ctx, stepId, threadId));
  }

  // Threads

  getThreadAuthor(threadId: string): Promise<string | null> {
    return atEdge(this.ctx, "getThreadAuthor", { threadId }, () => getThreadAuthor(this.ctx, threadId));
  }

  getThread(threadId: string, options: GetThreadOptions = {}): Promise<ThreadWithContent | null> {
    return atEdge(this.ctx, "getThread", { threadId }, () => getThread(this.ctx, threadId, options));
  }

  /**
   * The same one read as getThread, but only the steps the caller asks for are decoded (`fullSteps`): every step's
   * place (id, parent, type, times) comes straight off its item. For pages of a long thread (thread-outline.ts).
   */
  getThreadOutline(threadId: string, options?: OutlineReadOptions): Promise<ThreadOutline | null> {
    return atEdge(this.ctx, "getThreadOutline", { threadId }, () => getThreadOutline(this.ctx, threadId, options));
  }

  /** Fresh read links for the elements given (those of a thread read with `signElements: false` that are shown). */
  signElements(elements: readonly Element[]): Promise<Element[]> {
    return Promise.all(elements.map((element) => signElement(this.ctx, element)));
  }

  /** Signs a cursor payload with the layer's cursor key (cursor.ts), for cursors the server hands out over other lists. */
  sealCursor(payload: object): string {
    return sealCursor(this.ctx.cursorSecret, payload);
  }

  /** The payload of a cursor this layer sealed; a forged or garbled one throws DataError `invalid_cursor`. */
  openCursor(cursor: string): unknown {
    return openCursor(this.ctx.cursorSecret, cursor);
  }

  updateThread(threadId: string, update: ThreadUpdate = {}, options: UpdateThreadOptions = {}): Promise<UpdateThreadResult> {
    const fields = { threadId, keys: Object.keys(update), metadataKeys: Object.keys(update.metadata ?? {}).length, touch: options.touch ?? false };
    return atEdge(this.ctx, "updateThread", fields, () => updateThread(this.ctx, threadId, update, options));
  }

  /** A new, empty thread of `userId`; an id already in use (anyone's) is `conflict`. One conditional write. */
  createThread(threadId: string, userId: string): Promise<void> {
    return atEdge(this.ctx, "createThread", { threadId, userId }, () => createThread(this.ctx, threadId, userId));
  }

  deleteThread(threadId: string, options: DeleteThreadOptions = {}): Promise<boolean> {
    return atEdge(this.ctx, "deleteThread", { threadId }, () => deleteThread(this.ctx, threadId, options));
  }

  listThreads(pagination: Pagination, filters: ThreadFilter): Promise<PaginatedResponse<ThreadSummary>> {
    const fields = { userId: filters.userId, first: pagination.first, paged: Boolean(pagination.cursor), feedback: filters.feedback ?? null, tag: Boolean(filters.tag) };
    return atEdge(this.ctx, "listThreads", fields, () => listThreads(this.ctx, pagination, filters));
  }

  /**
   * Adds or removes one tag of `owner`'s thread (thread-tags.ts): a thread missing or not theirs is `not_found`;
   * `{ full: true }` when an add finds MAX_TAGS_PER_THREAD tags. Never moves the thread in the list.
   */
  changeThreadTags(threadId: string, owner: string, change: TagChange): Promise<TagChangeResult> {
    return atEdge(this.ctx, "changeThreadTags", { threadId, owner, change: "add" in change ? "add" : "remove" }, () => changeThreadTags(this.ctx, threadId, owner, change));
  }

  // Pinned threads (pins.ts): the caller has checked the thread is the user's (the API's thread gate).

  /** `full`: the user already has MAX_PINNED_THREADS pins; nothing was written. */
  pinThread(userId: string, threadId: string): Promise<PinOutcome> {
    return atEdge(this.ctx, "pinThread", { userId, threadId }, () => pinThread(this.ctx, userId, threadId));
  }

  unpinThread(userId: string, threadId: string): Promise<boolean> {
    return atEdge(this.ctx, "unpinThread", { userId, threadId }, () => unpinThread(this.ctx, userId, threadId));
  }

  /** The user's pinned threads that exist and are theirs, newest pin first; stale pins met are removed. */
  listPinnedThreads(userId: string): Promise<PinnedThread[]> {
    return atEdge(this.ctx, "listPinnedThreads", { userId }, () => listPinnedThreads(this.ctx, userId));
  }

  // Import (docs/import-export.md): whole threads in batches, and the jobs' progress items in the owner's partition.

  /** Writes threads that do not exist yet (steps, then THREAD items); existing ones are reported, never rewritten. */
  importThreads(userId: string, threads: readonly ImportedThread[]): Promise<ImportThreadsResult> {
    return atEdge(this.ctx, "importThreads", { userId, count: threads.length }, () => importThreads(this.ctx, userId, threads));
  }

  createImportJob(userId: string, jobId: string, job: NewImportJob): Promise<ImportJob> {
    return atEdge(this.ctx, "createImportJob", { userId, jobId }, () => createImportJob(this.ctx, userId, jobId, job));
  }

  getImportJob(userId: string, jobId: string): Promise<ImportJob | null> {
    return atEdge(this.ctx, "getImportJob", { userId, jobId }, () => getImportJob(this.ctx, userId, jobId));
  }

  listImportJobs(userId: string, limit = 5): Promise<ImportJob[]> {
    return atEdge(this.ctx, "listImportJobs", { userId }, () => listImportJobs(this.ctx, userId, limit));
  }

  /** Null when the job is not running any more or not `runner`'s; otherwise whether its owner asked to cancel it. */
  /** Running jobs of every user, each call on from the last (running-jobs.ts): what an instance looks at to resume a dead one's. */
  listRunningImportJobs(limit = 25): Promise<Array<{ userId: string; jobId: string }>> {
    return atEdge(this.ctx, "listRunningImportJobs", {}, () => listRunningImportJobs(this.ctx, limit));
  }

  updateImportJob(userId: string, jobId: string, runner: string, progress: ImportJobProgress): Promise<{ cancelRequested: boolean } | null> {
    return atEdge(this.ctx, "updateImportJob", { userId, jobId }, () => updateImportJob(this.ctx, userId, jobId, runner, progress));
  }

  /** Takes over a running job not heard from since `seenUpdatedAt`; null when someone else moved it first. */
  claimImportJob(userId: string, seen: ImportJob, runner: string): Promise<ImportJob | null> {
    return atEdge(this.ctx, "claimImportJob", { userId, jobId: seen.jobId }, () => claimImportJob(this.ctx, userId, seen, runner));
  }

  /** Ends a silent running job as failed; true when this call ended it. */
  abandonImportJob(userId: string, jobId: string, seenUpdatedAt: string, error: string, errorProblem: ImportProblemData | null = null): Promise<boolean> {
    return atEdge(this.ctx, "abandonImportJob", { userId, jobId }, () => abandonImportJob(this.ctx, userId, jobId, seenUpdatedAt, error, errorProblem));
  }

  requestImportCancel(userId: string, jobId: string): Promise<boolean> {
    return atEdge(this.ctx, "requestImportCancel", { userId, jobId }, () => requestImportCancel(this.ctx, userId, jobId));
  }

  // Deleting everything (docs/security.md, "Deleting everything"): the job item, the threads it walks, the account's items.

  /** Starts the user's delete job unless one runs (deletion-jobs.ts); `created` says which. */
  startDeletionJob(userId: string, kind: DeletionKind, runner: string): Promise<{ job: DeletionJob; created: boolean }> {
    return atEdge(this.ctx, "startDeletionJob", { userId, kind }, () => startDeletionJob(this.ctx, userId, kind, runner));
  }

  getDeletionJob(userId: string): Promise<DeletionJob | null> {
    return atEdge(this.ctx, "getDeletionJob", { userId }, () => getDeletionJob(this.ctx, userId));
  }

  listRunningDeletionJobs(limit = 25): Promise<string[]> {
    return atEdge(this.ctx, "listRunningDeletionJobs", {}, () => listRunningDeletionJobs(this.ctx, limit));
  }

  /** Progress of the job while `runner` runs it; `keep` leaves an ended job without its expiry (deletion-jobs.ts). */
  updateDeletionJob(userId: string, runner: string, progress: DeletionProgress, options: { keep?: boolean } = {}): Promise<DeletionJob | null> {
    return atEdge(this.ctx, "updateDeletionJob", { userId }, () => updateDeletionJob(this.ctx, userId, runner, progress, options));
  }

  /** Asks the user's running "Delete all conversations" to stop; false when there is none (or it is an account job). */
  cancelDeletionJob(userId: string): Promise<boolean> {
    return atEdge(this.ctx, "cancelDeletionJob", { userId }, () => cancelDeletionJob(this.ctx, userId));
  }

  /** Takes over a silent job as seen, counting the run (running-jobs.ts); `explicit`: an operator's run, counted afresh. */
  claimDeletionJob(userId: string, runner: string, seen: DeletionJob, explicit = false): Promise<DeletionJob | null> {
    return atEdge(this.ctx, "claimDeletionJob", { userId }, () => claimDeletionJob(this.ctx, userId, runner, seen, explicit));
  }

  /** Ends a silent job as seen as failed instead of taking it over (its runs keep taking their process down). */
  giveUpDeletionJob(userId: string, seen: DeletionJob, error: string, options: { keep?: boolean } = {}): Promise<DeletionJob | null> {
    return atEdge(this.ctx, "giveUpDeletionJob", { userId }, () => giveUpDeletionJob(this.ctx, userId, seen, error, options));
  }

  /** The ids of the user's pins, whatever their threads (retention keeps them). */
  pinnedThreadIds(userId: string): Promise<Set<string>> {
    return atEdge(this.ctx, "pinnedThreadIds", { userId }, () => pinnedThreadIds(this.ctx, userId));
  }

  // Retention, "Delete conversations older than…" (retention/retention.ts): the setting and its runs' lease.

  getRetention(userId: string): Promise<RetentionSetting | null> {
    return atEdge(this.ctx, "getRetention", { userId }, () => getRetention(this.ctx, userId));
  }

  /** Sets the period (its first run due at `dueAt`), or turns it off with null. */
  setRetention(userId: string, days: RetentionDays | null, dueAt: string): Promise<void> {
    return atEdge(this.ctx, "setRetention", { userId, days }, () => setRetention(this.ctx, userId, days, dueAt));
  }

  listDueRetentions(now: string, limit: number): Promise<Array<{ userId: string; due: string }>> {
    return atEdge(this.ctx, "listDueRetentions", {}, () => listDueRetentions(this.ctx, now, limit));
  }

  /** Claims, renews or ends a run: the due time moved from `seenDue` only while it still holds it. */
  moveRetention(userId: string, seenDue: string, nextDue: string, cursor: Record<string, unknown> | null | "keep"): Promise<RetentionState | null> {
    return atEdge(this.ctx, "moveRetention", { userId }, () => moveRetention(this.ctx, userId, seenDue, nextDue, cursor));
  }

  /** Stops the user's runs (they kept dying or failing) while the item holds `seenDue`; choosing a period again restarts them. */
  stopRetention(userId: string, seenDue: string): Promise<boolean> {
    return atEdge(this.ctx, "stopRetention", { userId }, () => stopRetention(this.ctx, userId, seenDue));
  }


  /** A page of the user's threads filed at or before `bound`, newest first (threads-to-delete.ts). */
  threadsToDelete(userId: string, bound: string, limit: number, startKey?: Record<string, unknown>): Promise<ThreadsToDeletePage> {
    return atEdge(this.ctx, "threadsToDelete", { userId }, () => threadsToDelete(this.ctx, userId, bound, limit, startKey));
  }

  countThreadsToDelete(userId: string, bound: string): Promise<number> {
    return atEdge(this.ctx, "countThreadsToDelete", { userId }, () => countThreadsToDelete(this.ctx, userId, bound));
  }

  /** How many import claims of the user were never finished (unfinished-claims.ts). */
  countUnfinishedClaims(userId: string): Promise<number> {
    return atEdge(this.ctx, "countUnfinishedClaims", { userId }, () => countUnfinishedClaims(this.ctx, userId));
  }

  /**
   * Deletes the user's unfinished import claims whole (claimed before `claimedBefore`, when given), while no import of
   * theirs runs (unfinished-claims.ts); how many went.
   */
  deleteUnfinishedClaims(userId: string, options: { claimedBefore?: string; onPage?: (deleted: number) => Promise<unknown> } = {}): Promise<number> {
    return atEdge(this.ctx, "deleteUnfinishedClaims", { userId }, () => deleteUnfinishedClaims(this.ctx, userId, options));
  }

  /** Every item keyed by the user, the account's own first (account-items.ts); how many partition items went. */
  deleteAccountItems(identifier: string): Promise<number> {
    return atEdge(this.ctx, "deleteAccountItems", { identifier }, () => deleteAccountItems(this.ctx, identifier));
  }

  // Shares (shares.ts, docs/sharing.md): Chainlit's metadata flag plus Threadbook's settings item.

  /** Chainlit's flag and Threadbook's settings of the current share; null for a missing thread. One BatchGetItem. */
  getShareState(threadId: string): Promise<ShareState | null> {
    return atEdge(this.ctx, "getShareState", { threadId }, () => readShareState(this.ctx, threadId));
  }

  /**
   * Shares the thread now (a new snapshot). The caller has checked that `userId` owns it. `before`: the share state
   * it has just read (getShareState), which saves shareThread reading it again.
   */
  shareThread(threadId: string, userId: string, choice: ShareChoice, before?: ShareState | null): Promise<ShareSettings> {
    return atEdge(this.ctx, "shareThread", { threadId, access: choice.access }, () => shareThread(this.ctx, threadId, userId, choice, before));
  }

  /** New access (and expiry, unless left out) for the current share, same snapshot; `not_found` when the thread is not shared. */
  changeShare(threadId: string, userId: string, change: ShareChange): Promise<ShareSettings> {
    return atEdge(this.ctx, "changeShare", { threadId, access: change.access }, () => changeShare(this.ctx, threadId, userId, change));
  }

  /**
   * A share snapshot's elements as a viewer gets them: signed links to Threadbook's own keys or to share copies of
   * files stored under someone else's key, never to those (share-copies.ts).
   */
  elementsForShare(elements: readonly Element[]): Promise<Element[]> {
    return atEdge(this.ctx, "elementsForShare", { elements: elements.length }, () => elementsForShare(this.ctx, elements));
  }

  /** Ends the share in both apps (Chainlit's flag cleared, settings replaced by a stop mark, viewers' copies deleted). */
  unshareThread(threadId: string): Promise<boolean> {
    return atEdge(this.ctx, "unshareThread", { threadId }, () => unshareThread(this.ctx, threadId));
  }

  /**
   * Ends up to `limit` shares whose expiry has come, for Chainlit too (its flag cleared; share-expiry.ts). Each
   * Threadbook instance calls it every minute (src/server/share/share-expiry-sweep.ts).
   */
  endExpiredShares(limit?: number): Promise<ShareExpirySweep> {
    return atEdge(this.ctx, "endExpiredShares", { limit }, () => endExpiredShares(this.ctx, limit));
  }

  /**
   * One bounded run of the sweep of previews and share copies whose element is gone (Chainlit deleted it: orphans/
   * orphan-sweep.ts). Each instance calls it on a timer (src/server/deletion/orphan-objects-sweep.ts); one at a time.
   */
  sweepOrphanObjects(options: OrphanSweepOptions): Promise<OrphanSweepRun> {
    return atEdge(this.ctx, "sweepOrphanObjects", {}, () => sweepOrphanObjects(this.ctx, options));
  }

  /** Ends one share read with its flag on past its expiry (share-expiry.ts); false when there was nothing to end. */
  endShareIfExpired(state: ShareState): Promise<boolean> {
    return atEdge(this.ctx, "endShareIfExpired", { threadId: state.threadId }, () => endShareIfExpired(this.ctx, state));
  }

  listShares(userId: string, pagination: Pagination): Promise<SharePage> {
    return atEdge(this.ctx, "listShares", { userId, first: pagination.first, paged: Boolean(pagination.cursor) }, () => listShares(this.ctx, userId, pagination));
  }

  /** Finds threads Chainlit shared since the last call and files them under the user's shares (share-catch-up.ts). */
  catchUpShares(userId: string): Promise<ShareCatchUpResult> {
    return atEdge(this.ctx, "catchUpShares", { userId }, () => catchUpShares(this.ctx, userId));
  }

  /** A snapshot copied as a new thread of `userId` under `threadId`, attachments copied in storage (copy-thread.ts). */
  copyThread(source: ThreadWithContent, target: { threadId: string; userId: string }): Promise<void> {
    return atEdge(this.ctx, "copyThread", { from: source.id, threadId: target.threadId }, () => copyThread(this.ctx, source, target));
  }

  /**
   * The search opens: checks the catch-up and keeps the user's newest index rows, so the pages typed next need
   * neither (search-window.ts). Two requests (1 Query, 1 BatchGetItem) and what the catch-up rebuilds.
   */
  prepareSearch(userId: string): Promise<void> {
    return atEdge(this.ctx, "prepareSearch", { userId }, () => prepareSearch(this.ctx, userId));
  }

  /** Full-text search of the user's threads (docs/search.md); catches the index up first unless the search was prepared. */
  searchThreads(input: SearchInput): Promise<SearchPage> {
    const fields = { userId: input.userId, first: input.first, paged: Boolean(input.cursor), feedback: input.feedback ?? null };
    return atEdge(this.ctx, "searchThreads", fields, () => searchThreads(this.ctx, input));
  }

  /** Closes storage first (Chainlit's S3 close threw and the DynamoDB client then never closed: not here). */
  async close(): Promise<void> {
    try {
      await this.ctx.storage?.close();
    } catch (error) {
      this.ctx.logger.warn("storage close failed", { error: String(error) });
    }
    if (this.ownsClient) this.client.destroy();
  }
}
