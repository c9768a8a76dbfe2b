import { z } from "zod";
import { exportThread } from "../export/thread-export";
import { TRPCError } from "@trpc/server";
import { MAX_PINNED_THREADS, MAX_TAGS_PER_THREAD, type DynamoDBDataLayer, type TagChange } from "@/data";
import { refusedError, refusingFullThread } from "../errors";
import { createOwnedThread } from "../thread/thread-access";
import { assertNewChatBudget } from "../chat/message-budget";
import { claimFreeOf } from "../chat/thread-claim";
import { aroundRange, latestWindow, rangeOfCursor, splitTurns, threadWindow, turnIndexOfStep } from "../thread/thread-window";
import { createTRPCRouter, protectedProcedure, threadContentProcedure, threadProcedure, threadWindowProcedure } from "../trpc";
import { AddTagInputSchema, ExportFormatSchema, ListThreadsInputSchema, RemoveTagInputSchema, ThreadNameSchema, ThreadTurnsInputSchema } from "./schemas";

export const threadsRouter = createTRPCRouter({
  /** Always the caller's own threads: the user is never taken from the input (Chainlit forced it the same way). */
  list: protectedProcedure.input(ListThreadsInputSchema).query(async ({ ctx, input }) => {
    const { first, cursor, search, feedback, tag } = input;
    return ctx.services.data.listThreads(
      { first, cursor: cursor ?? undefined },
      { userId: ctx.user.id, search: search || undefined, feedback: feedback ?? undefined, tag: tag || undefined },
    );
  }),

  /**
   * One read (the gate's), and only the latest turns leave: a long thread opens at its end with a small page
   * (docs/long-threads.md). `window.olderCursor` pages back through threads.turns. With the pass its page shows back
   * on a 👍/👎 click (thread-access.ts).
   */
  get: threadWindowProcedure.query(({ ctx }) =>
    latestWindow(ctx.services.data, ctx.user.id, ctx.outline, ctx.services.threadPasses.issue(ctx.user, ctx.threadId), claimFreeOf(ctx.services.data, ctx.user, ctx.threadId)),
  ),

  /**
   * More of the thread, in the same shape as `get`: the page a cursor from a window names (older or newer turns), or
   * the turns around one step (a `#step-…` link). A cursor is bound to its user and thread: anyone else's is a 400.
   */
  turns: threadWindowProcedure.input(ThreadTurnsInputSchema).query(({ ctx, input }) => {
    const turns = splitTurns(ctx.outline.steps);
    let range;
    if (input.cursor !== undefined) range = rangeOfCursor(ctx.services.data, input.cursor, { userId: ctx.user.id, threadId: ctx.threadId }, turns);
    else {
      const index = turnIndexOfStep(turns, input.stepId!);
      // Same answer as for a step that exists in another thread: nothing tells which ids exist elsewhere.
      if (index < 0) throw new TRPCError({ code: "NOT_FOUND", message: "Message not found" });
      range = aroundRange(index, turns.length);
    }
    return threadWindow(ctx.services.data, ctx.user.id, ctx.outline, turns, range, ctx.services.threadPasses.issue(ctx.user, ctx.threadId), claimFreeOf(ctx.services.data, ctx.user, ctx.threadId));
  }),

  /**
   * A new, empty thread of the caller, under an id the server makes: the only way a thread comes into being here.
   * A new chat calls it before its first upload or message (chat.send and the upload route only take existing ids).
   */
  create: protectedProcedure.mutation(async ({ ctx }) => {
    // The new-chat budget is counted beside the write, so a new chat still waits one round trip. A refused one's
    // thread (an id nobody has seen yet) is removed before the refusal answers: a refusal leaves nothing.
    const [budget, made] = await Promise.allSettled([assertNewChatBudget(ctx.services, ctx.user.identifier), createOwnedThread(ctx.services.data, ctx.user)]);
    if (budget.status === "rejected") {
      if (made.status === "fulfilled") await ctx.services.data.deleteThread(made.value.id);
      throw budget.reason;
    }
    if (made.status === "rejected") throw made.reason;
    return { id: made.value.id };
  }),

  /** Without `touch`: a rename is not new activity, so the thread keeps its place in the list. */
  rename: threadProcedure.input(z.object({ name: ThreadNameSchema })).mutation(async ({ ctx, input }) => {
    // mustExist: a rename racing a delete of the same thread ends in NOT_FOUND, not in a resurrected stub. No `nameWas`:
    // the user's rename is what they asked for and always lands; the automatic names give way to it (name-race.test.ts).
    await refusingFullThread(ctx.services.data.updateThread(ctx.threadId, { name: input.name }, { mustExist: true, owner: ctx.user.id }));
    return { id: ctx.threadId, name: input.name };
  }),

  /** The layer removes the thread, its steps and elements, and exactly the blobs its elements name. */
  delete: threadProcedure.mutation(async ({ ctx }) => {
    await ctx.services.data.deleteThread(ctx.threadId);
    return { deleted: true as const };
  }),

  /**
   * The sidebar's Pinned section: the caller's own pins (their PINS item; the user is never taken from the input),
   * each thread checked to still be theirs. Its own 1–2 requests, beside the list's one Query (docs/data-layer.md,
   * "Pinned threads").
   */
  pinned: protectedProcedure.query(({ ctx }) => ctx.services.data.listPinnedThreads(ctx.user.id)),

  /** Through the thread gate: only the caller's own thread can be pinned, anyone else's is the same NOT_FOUND. */
  pin: threadProcedure.mutation(async ({ ctx }) => {
    const outcome = await ctx.services.data.pinThread(ctx.user.id, ctx.threadId);
    if (outcome === "full") {
      throw refusedError("PRECONDITION_FAILED", `You can pin at most ${MAX_PINNED_THREADS} threads. Unpin one first.`, { code: "too-many-pins", limit: MAX_PINNED_THREADS });
    }
    return { id: ctx.threadId, pinned: true as const };
  }),

  unpin: threadProcedure.mutation(async ({ ctx }) => {
    await ctx.services.data.unpinThread(ctx.user.id, ctx.threadId);
    return { id: ctx.threadId, pinned: false as const };
  }),

  /**
   * Through the thread gate, and the layer's write is conditional on the owner as well: someone else's thread is the
   * same NOT_FOUND. Without `touch`, as a rename: tagging is not activity. Answers the thread's tags afterwards.
   */
  addTag: threadProcedure.input(AddTagInputSchema).mutation(({ ctx, input }) => changeTags(ctx, { add: input.tag })),

  removeTag: threadProcedure.input(RemoveTagInputSchema).mutation(({ ctx, input }) => changeTags(ctx, { remove: input.tag })),

  export: threadContentProcedure.input(z.object({ format: ExportFormatSchema })).query(({ ctx, input }) => exportThread(ctx.thread, input.format)),
});

async function changeTags(ctx: { services: { data: DynamoDBDataLayer }; threadId: string; user: { id: string } }, change: TagChange) {
  const outcome = await refusingFullThread(ctx.services.data.changeThreadTags(ctx.threadId, ctx.user.id, change));
  if ("full" in outcome) {
    throw refusedError("PRECONDITION_FAILED", `A thread can have at most ${MAX_TAGS_PER_THREAD} tags. Remove one first.`, { code: "too-many-tags", limit: MAX_TAGS_PER_THREAD });
  }
  return { id: ctx.threadId, tags: outcome.tags };
}
