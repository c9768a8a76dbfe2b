import { z } from "zod";
import { exportThread } from "../export/thread-export";
import { toOwnerThread, type toPublicElement, type toPublicThread } from "../public-thread";
import { createOwnedThread } from "../thread-access";
import { createTRPCRouter, protectedProcedure, threadContentProcedure, threadProcedure } from "../trpc";
import { ExportFormatSchema, ListThreadsInputSchema, ThreadNameSchema } from "./schemas";

export type PublicThread = ReturnType<typeof toPublicThread<ReturnType<typeof toPublicElement>>>;

export const threadsRouter = createTRPCRouter({
  /** Always the caller's own threads: the user is never taken from the input (Chainlit forced it the same way). */
  list: protectedProcedure.input(ListThreadsInputSchema).query(async ({ ctx, input }) => {
    const { first, cursor, search, feedback } = input;
    return ctx.services.data.listThreads(
      { first, cursor: cursor ?? undefined },
      { userId: ctx.user.id, search: search || undefined, feedback: feedback ?? undefined },
    );
  }),

  /** One read: the thread the gate loaded (threadContentProcedure). */
  /** The thread, and the pass its page shows back on a 👍/👎 click (thread-access.ts). */
  get: threadContentProcedure.query(({ ctx }) => toOwnerThread(ctx.thread, ctx.services.threadPasses.issue(ctx.user, ctx.threadId))),

  /**
   * A new, empty thread of the caller, under an id the server makes: the only way a thread comes into being here.
   * A new chat calls it before its first upload or message (chat.send and the upload route only take existing ids).
   */
  create: protectedProcedure.mutation(async ({ ctx }) => ({ id: (await createOwnedThread(ctx.services.data, ctx.user)).id })),

  /** Without `touch`: a rename is not new activity, so the thread keeps its place in the list. */
  rename: threadProcedure.input(z.object({ name: ThreadNameSchema })).mutation(async ({ ctx, input }) => {
    // mustExist: a rename racing a delete of the same thread ends in NOT_FOUND, not in a resurrected stub.
    await ctx.services.data.updateThread(ctx.threadId, { name: input.name }, { mustExist: true, owner: ctx.user.id });
    return { id: ctx.threadId, name: input.name };
  }),

  /** The layer removes the thread, its steps and elements, and exactly the blobs its elements name. */
  delete: threadProcedure.mutation(async ({ ctx }) => {
    await ctx.services.data.deleteThread(ctx.threadId);
    return { deleted: true as const };
  }),

  export: threadContentProcedure.input(z.object({ format: ExportFormatSchema })).query(({ ctx, input }) => exportThread(ctx.thread, input.format)),
});
