/**
 * The one place that decides whether a thread is the caller's ("one thread gate"). Every tRPC procedure
 * that names a thread (trpc.ts), chat.send, the upload route and the thread page come through here.
 *
 * - A thread id from a client is only ever looked up, never created: someone else's thread, a missing one and a
 *   malformed id all give `null`, which every caller turns into the same 404, so ids cannot be probed.
 * - New threads get an id the server makes (a random UUID). A client-chosen id was a path: a thread named
 *   `alice@example.com` sat over Alice's Chainlit files (`{userIdentifier}/{threadId}/{elementId}`).
 * - Callers take the cheapest read that answers their question and keep what it returned, so nothing reads the
 *   thread twice: `findOwnedThreadRef` is one GetItem of the owner; `findOwnedThreadOutline` reads the partition
 *   from its end, the THREAD item first, and reads no further than that page for someone else's thread;
 *   `findOwnedThread` (the whole thread, for an export) asks for the owner first, then reads the full thread.
 * - A thread pass skips even that GetItem for feedback: the full read hands the page a short-lived signed statement
 *   "this user owns this thread", and a 👍/👎 click shows it back. A pass never creates or revives anything: the
 *   writes it allows are conditional on the step existing. A missing, foreign, expired or forged pass only means the
 *   GetItem is made, so passes signed by another instance or before a restart still work, one round trip slower.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { IdSchema, type DynamoDBDataLayer, type Thread, type ThreadOutline, type ThreadWithContent } from "@/data";
import type { SessionUser } from "../auth/session-user";

/** What every refusal says, whatever the reason. */
export const THREAD_NOT_FOUND = "Thread not found";

/** A thread the caller owns, when the procedure needs no more than its id and owner. */
export interface OwnedThreadRef {
  id: string;
  userId: string;
}

type Data = Pick<DynamoDBDataLayer, "getThreadAuthor" | "getThread" | "getThreadOutline" | "createThread">;

const isId = (threadId: string) => IdSchema.safeParse(threadId).success;

/** Issues and checks thread passes: HMAC-SHA256 under the deployment's secret, bound to the user, thread and expiry. */
export interface ThreadPasses {
  issue(user: SessionUser, threadId: string): string;
  holds(user: SessionUser, threadId: string, pass: string): boolean;
}

/** Long enough for a page left open over a working day; after that a click costs the GetItem again. */
export const THREAD_PASS_SECONDS = 12 * 60 * 60;

export function createThreadPasses(secret: string, options: { seconds?: number; now?: () => number } = {}): ThreadPasses {
  const seconds = options.seconds ?? THREAD_PASS_SECONDS;
  const now = options.now ?? Date.now;
  // "thread-pass" keeps these tags from ever equalling a cursor's under the same secret.
  const tag = (user: SessionUser, threadId: string, expires: string) =>
    createHmac("sha256", secret).update(`thread-pass\n${user.id}\n${threadId}\n${expires}`).digest().subarray(0, 18);
  return {
    issue(user, threadId) {
      const expires = String(Math.floor(now() / 1000) + seconds);
      return `${expires}.${tag(user, threadId, expires).toString("base64url")}`;
    },
    holds(user, threadId, pass) {
      const match = /^(\d{1,12})\.([\w-]{24})$/.exec(pass);
      if (!match || Number(match[1]) * 1000 <= now()) return false;
      const wanted = tag(user, threadId, match[1]!);
      const given = Buffer.from(match[2]!, "base64url");
      return given.length === wanted.length && timingSafeEqual(given, wanted);
    },
  };
}

/**
 * One GetItem (projection `userId`): the thread if it exists and is the caller's, else null. With a pass that holds
 * for this user and thread, no read at all.
 */
export async function findOwnedThreadRef(
  data: Data,
  user: SessionUser,
  threadId: string,
  proof?: { passes: ThreadPasses; pass: string | undefined },
): Promise<OwnedThreadRef | null> {
  if (!isId(threadId)) return null;
  if (proof?.pass && proof.passes.holds(user, threadId, proof.pass)) return { id: threadId, userId: user.id };
  const author = await data.getThreadAuthor(threadId);
  return author !== null && author === user.id ? { id: threadId, userId: author } : null;
}

/**
 * One read of the whole thread (steps, elements, signed links unless `signElements: false`): the thread if it is the
 * caller's, else null.
 */
export async function findOwnedThread(data: Data, user: SessionUser, threadId: string, options: { signElements?: boolean } = {}): Promise<ThreadWithContent | null> {
  if (!isId(threadId)) return null;
  // The owner first (one GetItem): the whole read (its THREAD item comes last, after every step and part) is made
  // only for the owner. Anyone naming someone else's thread, say from its share link, had the server read all of it
  // (tens of MB for an imported thread, with every link signed) only to answer 404.
  if ((await data.getThreadAuthor(threadId)) !== user.id) return null;
  const thread = await data.getThread(threadId, options);
  return thread && thread.userId != null && thread.userId === user.id ? thread : null;
}

/**
 * The same one read, only the steps asked for decoded later (getThreadOutline): the thread if it is the caller's,
 * else null. For windows of a thread (the page, threads.get, threads.turns).
 */
export async function findOwnedThreadOutline(
  data: Data,
  user: SessionUser,
  threadId: string,
  /**
   * Told as soon as the first page of a long partition shows the thread is the caller's, while the rest is read (the
   * same THREAD item the whole read checks again): the page starts streaming then. Never told for someone else's.
   */
  onOwnedBeforeRest?: (thread: Thread) => void,
): Promise<ThreadOutline | null> {
  if (!isId(threadId)) return null;
  const ownedBy = (thread: { userId?: string | null }) => thread.userId != null && thread.userId === user.id;
  // Someone else's long thread is read no further than its first page (readRestIf): its answer is null anyway.
  const outline = await data.getThreadOutline(threadId, {
    readRestIf: ownedBy,
    ...(onOwnedBeforeRest && { onThreadBeforeRest: onOwnedBeforeRest }),
  });
  return outline && ownedBy(outline.thread) ? outline : null;
}

/** A new, empty thread of the caller under a fresh random id: one conditional write that never takes over an id. */
export async function createOwnedThread(data: Data, user: SessionUser): Promise<OwnedThreadRef> {
  const id = randomUUID();
  await data.createThread(id, user.id);
  return { id, userId: user.id };
}
