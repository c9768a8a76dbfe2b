import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { lookAfterJob } from "../import/import-jobs";
import { createTRPCRouter, protectedProcedure } from "../trpc";

/** Job ids as the server makes them (import-jobs.ts); anything else is simply not found. */
const JobInput = z.object({ jobId: z.string().min(1).max(128) });
const JOB_NOT_FOUND = "Import not found";

/**
 * An import's progress and its cancel. Every call names the caller's own partition (`USER#{caller}`), so another
 * user's job id reaches nothing: the same NOT_FOUND as a missing job. Looking at a job whose runner went silent takes
 * it over (import-jobs.ts, lookAfterJob): the owner's dialog polling is what resumes an interrupted import.
 */
export const importsRouter = createTRPCRouter({
  /** The caller's latest import, if any: the dialog shows it again after a page reload. */
  latest: protectedProcedure.query(async ({ ctx }) => {
    const [job] = await ctx.services.data.listImportJobs(ctx.user.id, 1);
    return job ? lookAfterJob(ctx.services, ctx.user.id, job) : null;
  }),

  get: protectedProcedure.input(JobInput).query(async ({ ctx, input }) => {
    const job = await ctx.services.data.getImportJob(ctx.user.id, input.jobId);
    if (!job) throw new TRPCError({ code: "NOT_FOUND", message: JOB_NOT_FOUND });
    return lookAfterJob(ctx.services, ctx.user.id, job);
  }),

  cancel: protectedProcedure.input(JobInput).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.data.requestImportCancel(ctx.user.id, input.jobId))) {
      throw new TRPCError({ code: "NOT_FOUND", message: `${JOB_NOT_FOUND}, or it has already finished` });
    }
    return { cancelRequested: true as const };
  }),
});
