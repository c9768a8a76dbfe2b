/**
 * The only place that spells the table's key formats (docs/chainlit.md, "The table"): Chainlit fixes them,
 * so a table written by a Chainlit app reads here and back.
 */
import { DataError } from "./errors";

export const USER_THREAD_INDEX = "UserThread";

export const userPk = (identifier: string) => `USER#${identifier}`;
export const USER_SK = "USER";
/**
 * Per-user watermark of the index catch-up (feedback-catch-up.ts), shared by the feedback and the full-text index:
 * every thread at or below it has both indexes current. Chainlit never writes it. (`FEEDBACK_INDEX` was the
 * feedback-only watermark before full-text search: a new key, so threads it had passed get their search index.)
 */
export const INDEX_WATERMARK_SK = "INDEX_CATCH_UP";

/**
 * Threadbook's own item beside a user's (password hash, display name, session version, preferences). Chainlit's
 * create_user PutItems the whole `USER` item on every login, so nothing Threadbook owns may live there.
 */
export const AUTH_SK = "AUTH";

/**
 * Case-insensitive sign-in: one item per lowercased identifier, naming the identifier as stored (its case kept, as
 * Chainlit keys threads by it). The conditional write of this item is what stops two users differing only in case.
 * Chainlit never reads a `USERALIAS#` partition.
 */
export const userAliasPk = (identifier: string) => `USERALIAS#${identifier.toLowerCase()}`;
export const ALIAS_SK = "ALIAS";

/**
 * A user's pinned threads (pins.ts): one item beside the user's, `USER#{identifier}` / `PINS`, whose `pins` map names
 * each pinned thread and when it was pinned. Chainlit's create_user PutItems only the `USER` item and its
 * update_thread and delete_thread never touch a `USER#` partition, so no Chainlit write reaches it.
 */
export const PINS_SK = "PINS";
export const pinsKey = (identifier: string) => ({ PK: userPk(identifier), SK: PINS_SK });

export const threadPk = (threadId: string) => `THREAD#${threadId}`;
export const THREAD_SK = "THREAD";
/** The THREAD item's primary key. */
export const threadKey = (threadId: string) => ({ PK: threadPk(threadId), SK: THREAD_SK });

export const STEP_PREFIX = "STEP#";
export const stepSk = (stepId: string) => `${STEP_PREFIX}${stepId}`;

export const ELEMENT_PREFIX = "ELEMENT#";
export const elementSk = (elementId: string) => `${ELEMENT_PREFIX}${elementId}`;

/** UserThreadPK of a thread: its author's partition of the UserThread index. */
export const userThreadPk = (userId: string) => `USER#${ownUserPartition(userId)}`;
export const userThreadSk = (timestamp: string) => `TS#${timestamp}`;

/**
 * Threadbook's own index items (Chainlit's get_thread ignores SKs that are not THREAD, STEP# or ELEMENT#).
 * A thread's feedback marker `FEEDBACK#{value}` sits in the thread's partition and in the UserThread index
 * under a partition of its own per user and value, so "threads with 👍" is one Query, never a scan.
 */
export const FEEDBACK_PREFIX = "FEEDBACK#";
export const feedbackMarkerSk = (value: 0 | 1) => `${FEEDBACK_PREFIX}${value}`;
export const feedbackIndexPk = (userId: string, value: 0 | 1) => `USER#${ownUserPartition(userId)}#FEEDBACK#${value}`;

/**
 * A thread's share settings (shares.ts): `THREAD#{tid}` / `SHARE`, in the thread's partition (so deleting the thread
 * deletes it) and in the UserThread index under `USER#{userId}#SHARE` (the owner's "Shared links", one Query).
 * Chainlit keeps its own share flag in the thread's `metadata` and never reads this item.
 */
export const SHARE_SK = "SHARE";
const SHARE_INDEX_SUFFIX = "#SHARE";
export const shareIndexPk = (userId: string) => `USER#${ownUserPartition(userId)}${SHARE_INDEX_SUFFIX}`;
/** Per-user watermark of the share index's catch-up with threads Chainlit shared (share-catch-up.ts). */
export const SHARE_WATERMARK_SK = "SHARE_INDEX";
/**
 * A share that expires (share-expiry.ts): `THREAD#{tid}` / `SHARE_EXPIRY`, in the thread's partition (deleted with it)
 * and in the UserThread index under one partition for the whole table, `SHARES#EXPIRING`, sorted by when it expires
 * (microseconds, zero-padded, then the thread id), so "every share due by now" is one Query from its start. Chainlit
 * queries `USER#{userId}` exactly and never sees it.
 */
export const SHARE_EXPIRY_SK = "SHARE_EXPIRY";
export const EXPIRING_SHARES_PK = "SHARES#EXPIRING";
export const expiringShareSk = (expiresAtMicros: number, threadId: string) => `${String(expiresAtMicros).padStart(17, "0")}#${threadId}`;

/**
 * Suffixes Threadbook appends to `USER#{userId}` for index partitions of its own. Identifiers may contain '#'
 * (Entra guest UPNs: `alice_contoso.com#EXT#@fabrikam.onmicrosoft.com`), so a user named `victim#FEEDBACK#1` would
 * have `USER#victim#FEEDBACK#1` as the UserThread partition of their threads: the partition of victim's 👍 markers.
 * An identifier containing one of these (in any case, to leave no near miss) is refused at creation and at every
 * key built from it.
 */
export const RESERVED_IDENTIFIER_PARTS = ["#FEEDBACK#", SHARE_INDEX_SUFFIX] as const;
export const isReservedIdentifier = (identifier: string): boolean =>
  RESERVED_IDENTIFIER_PARTS.some((part) => identifier.toUpperCase().includes(part));
function ownUserPartition(userId: string): string {
  if (isReservedIdentifier(userId)) throw new DataError("validation", "identifier contains a reserved key part");
  return userId;
}
export const feedbackValueFromMarkerSk = (sk: string): 0 | 1 | null =>
  sk === feedbackMarkerSk(0) ? 0 : sk === feedbackMarkerSk(1) ? 1 : null;

/** SKs Chainlit writes in a thread partition; anything else there is Threadbook's (markers, parts) and Chainlit's delete_thread leaves it. */
export const isChainlitThreadSk = (sk: string) => sk === THREAD_SK || sk.startsWith(STEP_PREFIX) || sk.startsWith(ELEMENT_PREFIX);

/**
 * The full-text index (docs/search.md). Postings live under the thread owner's own partitions, one per
 * (term, thread, source), so a prefix is one `begins_with` on the SK: PK = `SEARCH#{userId}#{bucket}`, SK =
 * `{term}#{threadId}#{source}`. The bucket (one hex digit from the term's first character) spreads one user's
 * writes over 16 partitions; a prefix always knows its bucket. It is exactly one character, so no two users' PKs
 * can meet however '#' appears in an identifier. A source is `name`, `step.{stepId}` or `element.{elementId}`
 * (ids never contain '#').
 *
 * Each source also has a doc item in the thread's partition (`SEARCH#{source}`): its terms (to delete its
 * postings), the owner they were filed under, and the start of its text for snippets. Chainlit's get_thread
 * skips it and its delete_thread leaves it, so leftovers.ts removes it with the postings it names.
 */
export const SEARCH_PK_PREFIX = "SEARCH#";
export const searchBucket = (term: string) => ((term.codePointAt(0) ?? 0) % 16).toString(16);
export const searchPostingPk = (userId: string, term: string) => `${SEARCH_PK_PREFIX}${userId}#${searchBucket(term)}`;
export const searchPostingSk = (term: string, threadId: string, source: string) => `${term}#${threadId}#${source}`;
/** The inverse of searchPostingSk (terms, ids and sources never contain '#'); null for any other SK. */
export function parsePostingSk(sk: string): { term: string; threadId: string; source: string } | null {
  const [term, threadId, source, ...rest] = sk.split("#");
  return term && threadId && source && rest.length === 0 ? { term, threadId, source } : null;
}
export const SEARCH_DOC_PREFIX = "SEARCH#";
export const searchDocSk = (source: string) => `${SEARCH_DOC_PREFIX}${source}`;
export const NAME_SOURCE = "name";
export const stepSource = (stepId: string) => `step.${stepId}`;
export const elementSource = (elementId: string) => `element.${elementId}`;
/** The step or element a source names (null for the thread name). */
export function parseSource(source: string): { kind: "step" | "element"; id: string } | { kind: "name" } | null {
  if (source === NAME_SOURCE) return { kind: "name" };
  const dot = source.indexOf(".");
  const kind = source.slice(0, dot);
  const id = source.slice(dot + 1);
  return dot > 0 && id && (kind === "step" || kind === "element") ? { kind, id } : null;
}

/** Parts of a step field too large for one item (DynamoDB's 400 KB limit). */
export const PART_PREFIX = "PART#";
export const stepPartSk = (stepId: string, field: string, index: number) =>
  `${PART_PREFIX}${stepId}#${field}#${String(index).padStart(4, "0")}`;
export const stepPartPrefix = (stepId: string) => `${PART_PREFIX}${stepId}#`;
/** The inverse of stepPartSk; null for any other SK. Ids and field names never contain '#'. */
export function parseStepPartSk(sk: string): { stepId: string; field: string; index: number } | null {
  const match = /^PART#([^#]+)#([^#]+)#(\d+)$/.exec(sk);
  return match ? { stepId: match[1]!, field: match[2]!, index: Number(match[3]) } : null;
}

/**
 * Threadbook's sign-in rate counters, shared by every instance on the table: a partition per counter that Chainlit
 * never reads. `name` is a digest (rate-counters.ts), so no identifier or address is spelled in a key.
 */
export const RATE_PREFIX = "RATE#";
export const rateCounterPk = (name: string) => `${RATE_PREFIX}${name}`;
export const RATE_SK = "RATE";
/** The table's TTL attribute (epoch seconds; infra/dynamodb-table.json enables expiry on it). */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * Where the sweep of orphaned previews and share copies (layer/orphans/orphan-sweep.ts) keeps its place in the
 * bucket's listing and its lease, one item for the table: every instance goes on from the same place, one at a time.
 * Not a `THREAD#` or `USER#` partition: no Chainlit read or write reaches it. No TTL: the place is kept for good.
 */
export const ORPHAN_SWEEP_KEY = { PK: "SWEEP#ORPHAN_OBJECTS", SK: "STATE" } as const;

/** Chainlit's synthetic feedback id. */
export const feedbackId = (threadId: string, stepId: string) => `THREAD#${threadId}::STEP#${stepId}`;

/** Parses a feedback id with prefix cuts (Chainlit's `strip` mangles ids that start or end with those letters). */
export function parseFeedbackId(id: string): { threadId: string; stepId: string } | null {
  const [threadPart, stepPart, ...rest] = id.split("::");
  if (rest.length > 0 || !threadPart?.startsWith("THREAD#") || !stepPart?.startsWith(STEP_PREFIX)) return null;
  const threadId = threadPart.slice("THREAD#".length);
  const stepId = stepPart.slice(STEP_PREFIX.length);
  return threadId && stepId ? { threadId, stepId } : null;
}

export const idFromKey = (key: string, prefix: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
export const threadIdFromPk = (pk: string) => idFromKey(pk, "THREAD#");
export const timestampFromUserThreadSk = (sk: string) => idFromKey(sk, "TS#");
/** The identifier a user item is keyed by (`USER#{identifier}`). */
export const identifierFromUserPk = (pk: string) => idFromKey(pk, "USER#");

/** Attributes that exist only to key the item: never returned by the layer. */
export const KEY_ATTRIBUTES = ["PK", "SK", "UserThreadPK", "UserThreadSK"] as const;

/**
 * Import jobs (docs/import-export.md): items in the user's own partition, `USER#{identifier}` / `IMPORT#{jobId}`, so a
 * job is reachable only through its owner's key and every instance sees its progress. Chainlit never reads these SKs.
 */
/**
 * The UserThread index partition of running import jobs (`UserThreadSK` = the job id), so an instance that starts can
 * find the jobs a dead instance left, one Query, never a scan. Not a `USER#` value: no identifier can reach it, and
 * Chainlit's list_threads never reads it. A job leaves it when it ends.
 */
export const RUNNING_IMPORTS_PK = "IMPORTS#RUNNING";
/**
 * The UserThread index partition of a user's unfinished import claims (import-claims.ts): a claim carries
 * `UserThreadPK = IMPORT_CLAIMS#{userId}`, `UserThreadSK = TS#{claimed at}` until its finishing PutItem replaces them
 * with the thread's own, so what an import left unfinished is one Query of the user's claims. Not a `USER#` value:
 * Chainlit's list_threads asks for `USER#{userId}` exactly and never sees it, and no identifier can reach it (so no
 * identifier has to be reserved for it).
 */
export const importClaimsPk = (userId: string) => `IMPORT_CLAIMS#${userId}`;
export const IMPORT_JOB_PREFIX = "IMPORT#";
export const importJobSk = (jobId: string) => `${IMPORT_JOB_PREFIX}${jobId}`;

/**
 * A user's delete job (deletion-jobs.ts): `USER#{identifier}` / `DELETION`, one per user. While it runs it is also in
 * the UserThread index under `DELETIONS#RUNNING` (`UserThreadSK` = the user's partition key), so an instance that
 * starts finds the jobs a dead one left with one Query. Chainlit reads neither.
 */
export const DELETION_SK = "DELETION";
export const RUNNING_DELETIONS_PK = "DELETIONS#RUNNING";

/**
 * A user's retention setting ("Delete conversations older than…", retention.ts): one item beside the user's,
 * `USER#{identifier}` / `RETENTION`, never on the USER item (Chainlit's create_user PutItems that whole item at every
 * Chainlit login and would wipe it). While the setting is on, the item carries `UserThreadPK = RETENTION#DUE` and
 * `UserThreadSK` = when its next run is due, so the periodic sweep finds the users due with one Query of that index
 * partition, never a scan. Not a `USER#` value: Chainlit's list_threads never reads it, no identifier reaches it.
 */
export const RETENTION_SK = "RETENTION";
export const RETENTION_DUE_PK = "RETENTION#DUE";
export const retentionKey = (identifier: string) => ({ PK: userPk(identifier), SK: RETENTION_SK });
