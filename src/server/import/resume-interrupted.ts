/**
 * Resuming the imports a dead instance left, without waiting for their owners to look (docs/import-export.md,
 * "Surviving a restart"). At startup (src/instrumentation.ts) and then every IMPORT_STALE_AFTER_MS, an instance lists
 * the running jobs (one Query of their index partition) and looks after each as an owner's poll would: a job not heard
 * from for IMPORT_STALE_AFTER_MS is taken over with a conditional write naming the `updatedAt` seen (of two instances,
 * one wins) and resumed here, or ended when it cannot be. Right after a restart the dead runner's heartbeat is still
 * fresh, hence the sweeps that follow the first.
 *
 * Bounded: a sweep reads at most SWEEP_JOBS jobs and an instance takes jobs only while it runs fewer than
 * MAX_JOBS_HERE, so one instance coming up does not take every job of a fleet at once.
 */
import { getLogger } from "@/data/logger";
import { lifecycle } from "../lifecycle/lifecycle";
import { runPeriodically } from "../lifecycle/periodic";
import type { Services } from "../services";
import { importsRunningHere, takeOverIfSilent, THIS_RUNNER } from "./import-jobs";
import { IMPORT_STALE_AFTER_MS } from "./run-import";

const SWEEP_JOBS = 25;
export const MAX_JOBS_HERE = 4;

const log = () => getLogger("Import");

/** One sweep; how many jobs this instance took over and now runs. */
export async function resumeInterruptedImports(services: Services, { now = Date.now(), maxJobsHere = MAX_JOBS_HERE } = {}): Promise<number> {
  let resumed = 0;
  for (const { userId, jobId } of await services.data.listRunningImportJobs(SWEEP_JOBS)) {
    // A draining instance takes nothing new: it is about to stop.
    if (lifecycle().draining || importsRunningHere() >= maxJobsHere) break;
    // One job that cannot be read or looked after is that job's alone: the jobs after it are still looked at
    // (resume-deletions.ts says why).
    try {
      // Read from its owner's partition, strongly: the index may lag, and the takeover's condition is the item's.
      const job = await services.data.getImportJob(userId, jobId);
      if (!job || job.runner === THIS_RUNNER) continue;
      if ((await takeOverIfSilent(services, userId, job, now)).tookOver) resumed++;
    } catch (error) {
      log().warn("could not look after an import", { jobId, error: String(error).slice(0, 300) });
    }
  }
  if (resumed > 0) log().info("resumed interrupted imports", { resumed });
  return resumed;
}

/** Sweeps now and every IMPORT_STALE_AFTER_MS for the life of the process; a failed sweep is logged and retried then. */
export function startResumingInterruptedImports(services: () => Services): () => void {
  return runPeriodically(
    IMPORT_STALE_AFTER_MS,
    () => resumeInterruptedImports(services()),
    (error) => log().warn("could not look for interrupted imports", { error: String(error) }),
  );
}
