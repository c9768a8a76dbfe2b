/**
 * The one place that decides whether a thread is the caller's (issue 11, "one thread gate"). Every tRPC procedure
 * that names a thread (trpc.ts), chat.send, the upload route and the thread page come through here.
 *
 * - A thread id from a client is only ever looked up, never created: someone else's thread, a missing one and a
 *   malformed id all give `null`, which every caller turns into the same 404, so ids cannot be probed.
 * - New threads get an id the server makes (a random UUID). A client-chosen id was a path: a thread named
 *   `alice@example.com` sat over Alice's Chainlit files (`{userIdentifier}/{threadId}/{elementId}`).
 * - Callers take the cheapest read that answers their question and keep what it returned, so nothing reads the
 *   thread twice: `findOwnedThreadRef` is one GetItem of the owner; `findOwnedThread` is the full thread (one Query
 *   per MB) with the owner checked on the THREAD item it already holds.
 */
import { randomUUID } from "node:crypto";
import { IdSchema, type DynamoDBDataLayer, type ThreadWithContent } from "@/data";
import type { SessionUser } from "./context";

/** What every refusal says, whatever the reason. */
export const THREAD_NOT_FOUND = "Thread not found";

/** A thread the caller owns, when the procedure needs no more than its id and owner. */
export interface OwnedThreadRef {
  id: string;
  userId: string;
}

type Data = Pick<DynamoDBDataLayer, "getThreadAuthor" | "getThread" | "createThread">;

const isId = (threadId: string) => IdSchema.safeParse(threadId).success;

/** One GetItem (projection `userId`): the thread if it exists and is the caller's, else null. */
export async function findOwnedThreadRef(data: Data, user: SessionUser, threadId: string): Promise<OwnedThreadRef | null> {
  if (!isId(threadId)) return null;
  const author = await data.getThreadAuthor(threadId);
  return author !== null && author === user.id ? { id: threadId, userId: author } : null;
}

/**
 * One read of the whole thread (steps, elements, signed links unless `signElements: false`): the thread if it is the
 * caller's, else null.
 */
export async function findOwnedThread(data: Data, user: SessionUser, threadId: string, options: { signElements?: boolean } = {}): Promise<ThreadWithContent | null> {
  if (!isId(threadId)) return null;
  const thread = await data.getThread(threadId, options);
  return thread && thread.userId != null && thread.userId === user.id ? thread : null;
}

/** A new, empty thread of the caller under a fresh random id: one conditional write that never takes over an id. */
export async function createOwnedThread(data: Data, user: SessionUser): Promise<OwnedThreadRef> {
  const id = randomUUID();
  await data.createThread(id, user.id);
  return { id, userId: user.id };
}
