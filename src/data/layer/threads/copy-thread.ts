/**
 * "Continue in my history" (docs/sharing.md): a copy of a share's snapshot becomes a new thread of another user.
 * Everything gets a new id (thread, steps, elements), parent links and attachments' `forId` follow the new ids, and
 * every stored object is copied in storage under the new thread's keys, so deleting the original never breaks the
 * copy. Feedback, the thread's metadata and tags are not copied: they are the original owner's.
 */
import { randomUUID } from "node:crypto";
import { type Element } from "../../entities/element";
import { type Step } from "../../entities/step";
import { type ThreadWithContent } from "../../entities/thread";
import { threadNameShown } from "../../entities/thread-name";
import { DataError } from "../../errors";
import { elementObjectKey } from "../../storage/object-key";
import { timestampMicros } from "../../timestamps";
import { mapLimited } from "../batch";
import { type LayerContext } from "../context";
import { deleteThread } from "./delete-thread";
import { createElement } from "../steps/elements";
import { createStep } from "../steps/steps";
import { createThread, updateThread } from "./threads";

const IN_FLIGHT = 8;

/** A time createStep accepts, or null (the copy keeps the step; its order comes from createdAt, which is readable). */
const readable = (value: string | null | undefined) => (timestampMicros(value) !== null ? value : null);

/**
 * Copies `source` (already cut to its snapshot) as a new thread of `userId` under `threadId`. Requests: 1 + 1 per
 * step (more for very large ones) + per element 1 storage copy and 1 PutItem; + 1 UpdateItem for the name. A failure
 * part way deletes what was written (objects included) and rethrows.
 */
export async function copyThread(ctx: LayerContext, source: ThreadWithContent, target: { threadId: string; userId: string }): Promise<void> {
  const { threadId, userId } = target;
  const stepIds = idsInTheSameOrder(source.steps.map((step) => step.id));
  const elementIds = idsInTheSameOrder(source.elements.map((element) => element.id));
  await createThread(ctx, threadId, userId);
  try {
    // The source's name is whatever its writer stored (a Chainlit thread's whole first message): the name as it was
    // shown (one line, within what updateThread accepts, or the copy of such a thread fails).
    const name = threadNameShown(source.name);
    if (name) await updateThread(ctx, threadId, { name }, { mustExist: true });
    await mapLimited(source.steps, IN_FLIGHT, (step) => createStep(ctx, copiedStep(step, threadId, stepIds)));
    await mapLimited(source.elements, IN_FLIGHT, (element) => copyElement(ctx, element, threadId, stepIds, elementIds.get(element.id)!));
  } catch (error) {
    await deleteThread(ctx, threadId).catch((cleanup: unknown) => ctx.logger.warn("cleaning up a failed copy failed", { threadId, error: String(cleanup) }));
    throw error;
  }
}

/** Sort keys' order: DynamoDB compares them as UTF-8 bytes. */
const byKeyBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A fresh random id for each id, the new ones sorting among themselves as the old ones do. Steps (and elements) with
 * the same time are read in key order, so by id (get-thread.ts, sortByTime): Chainlit's clock gives a run and its
 * first message, or two quick steps, the same createdAt, and new ids drawn one by one swapped such steps in a copy at
 * random. The times are copied as they are; only the ids are new.
 */
function idsInTheSameOrder(ids: readonly string[]): Map<string, string> {
  const old = [...new Set(ids)].sort(byKeyBytes);
  const fresh = old.map(() => randomUUID()).sort(byKeyBytes);
  return new Map(old.map((id, index) => [id, fresh[index]!]));
}

function copiedStep(step: Step, threadId: string, stepIds: Map<string, string>) {
  const { feedback: _ownersRating, id, parentId, createdAt, start, end, ...rest } = step;
  return {
    ...rest,
    id: stepIds.get(id)!,
    threadId,
    parentId: parentId ? (stepIds.get(parentId) ?? null) : null,
    createdAt: readable(createdAt),
    start: readable(start),
    end: readable(end),
  };
}

async function copyElement(ctx: LayerContext, element: Element, threadId: string, stepIds: Map<string, string>, id: string): Promise<void> {
  const { urlExpiresAt: _signed, objectKey, url, forId, ...rest } = element;
  let copiedKey: string | null = null;
  if (objectKey) {
    if (!ctx.storage) throw new DataError("storage", "copying attachments needs a storage provider");
    copiedKey = elementObjectKey(threadId, id, element.name ?? id);
    await ctx.storage.copyFile(objectKey, copiedKey);
  }
  await createElement(ctx, {
    ...rest,
    id,
    threadId,
    forId: forId ? (stepIds.get(forId) ?? null) : null,
    objectKey: copiedKey,
    // A stored object is always read through a fresh signed link; an element with only a link keeps it.
    url: copiedKey ? null : (url ?? null),
  });
}
