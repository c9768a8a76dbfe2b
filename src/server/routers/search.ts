import { createTRPCRouter, protectedProcedure } from "../trpc";
import { SearchQueryInputSchema } from "./schemas";

export const searchRouter = createTRPCRouter({
  /**
   * The search box took focus: the catch-up check and the caller's newest index rows, once, so the pages typed
   * next make no request for them (docs/search.md, "Opening the search"). No input; nothing to return.
   */
  prepare: protectedProcedure.mutation(async ({ ctx }) => {
    await ctx.services.data.prepareSearch(ctx.user.id);
    return null;
  }),
  /**
   * Full-text search of the caller's own threads (docs/search.md): the user is never taken from the input. The
   * client passes react-query's abort signal, so a search typed over is cancelled on the wire.
   */
  query: protectedProcedure.input(SearchQueryInputSchema).query(({ ctx, input }) =>
    ctx.services.data.searchThreads({ userId: ctx.user.id, query: input.query, first: input.first, cursor: input.cursor ?? undefined, feedback: input.feedback ?? undefined, tag: input.tag ?? undefined }),
  ),
});
