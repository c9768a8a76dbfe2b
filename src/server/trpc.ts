import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { IdSchema } from "@/data";
import type { Context } from "./context";
import { toTRPCError } from "./errors";
import { transformer } from "./transformer";

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
    // Never ship a stack to the browser.
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, data: { ...data, zodError } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps data-layer errors to tRPC codes for every procedure (server/errors.ts). */
const errorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  // tRPC wraps anything that is not a TRPCError as INTERNAL_SERVER_ERROR with the original as its cause.
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") throw toTRPCError(result.error.cause ?? new Error(result.error.message));
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * Every procedure that names a thread goes through here: one read of the thread's author.
 * Someone else's thread and a missing one get the same NOT_FOUND, so ids cannot be probed.
 */
export const threadProcedure = protectedProcedure
  .input(z.object({ threadId: IdSchema }))
  .use(async ({ ctx, input, next }) => {
    const author = await ctx.services.data.getThreadAuthor(input.threadId);
    if (author === null || author !== ctx.user.id) throw new TRPCError({ code: "NOT_FOUND", message: "Thread not found" });
    return next({ ctx: { ...ctx, threadId: input.threadId } });
  });
