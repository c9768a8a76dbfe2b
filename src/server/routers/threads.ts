import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { exportThread } from "../export/thread-export";
import { toPublicElement, toPublicThread } from "../public-thread";
import { createTRPCRouter, protectedProcedure, threadProcedure } from "../trpc";
import { ExportFormatSchema, ListThreadsInputSchema, ThreadNameSchema } from "./schemas";

export type PublicThread = ReturnType<typeof toPublicThread<ReturnType<typeof toPublicElement>>>;

/** The thread passed ownership a moment ago; null now means it was deleted in between. */
function found<T>(value: T | null): T {
  if (value === null) throw new TRPCError({ code: "NOT_FOUND", message: "Thread not found" });
  return value;
}

export const threadsRouter = createTRPCRouter({
  /** Always the caller's own threads: the user is never taken from the input (Chainlit forced it the same way). */
  list: protectedProcedure.input(ListThreadsInputSchema).query(async ({ ctx, input }) => {
    const { first, cursor, search, feedback } = input;
    return ctx.services.data.listThreads(
      { first, cursor: cursor ?? undefined },
      { userId: ctx.user.id, search: search || undefined, feedback: feedback ?? undefined },
    );
  }),

  get: threadProcedure.query(async ({ ctx }) => toPublicThread(found(await ctx.services.data.getThread(ctx.threadId)), toPublicElement)),

  /** Without `touch`: a rename is not new activity, so the thread keeps its place in the list. */
  rename: threadProcedure.input(z.object({ name: ThreadNameSchema })).mutation(async ({ ctx, input }) => {
    // mustExist: a rename racing a delete of the same thread ends in NOT_FOUND, not in a resurrected stub.
    await ctx.services.data.updateThread(ctx.threadId, { name: input.name }, { mustExist: true });
    return { id: ctx.threadId, name: input.name };
  }),

  /** The layer removes the thread, its steps and elements, and the blobs under the thread's prefix. */
  delete: threadProcedure.mutation(async ({ ctx }) => {
    await ctx.services.data.deleteThread(ctx.threadId);
    return { deleted: true as const };
  }),

  export: threadProcedure.input(z.object({ format: ExportFormatSchema })).query(async ({ ctx, input }) =>
    exportThread(found(await ctx.services.data.getThread(ctx.threadId)), input.format),
  ),
});
