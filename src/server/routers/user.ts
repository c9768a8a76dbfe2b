import { createTRPCRouter, protectedProcedure } from "../trpc";

export const userRouter = createTRPCRouter({
  /** Who is signed in, as stored (never the password hash). */
  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await ctx.services.data.getUser(ctx.user.id);
    return {
      id: ctx.user.id,
      identifier: user?.identifier ?? ctx.user.identifier,
      displayName: user?.displayName ?? ctx.user.name ?? null,
      createdAt: user?.createdAt ?? null,
    };
  }),
});
