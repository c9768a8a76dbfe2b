/**
 * Finishing the delete jobs a dead instance left, without waiting for their owners to look: an account job's owner
 * is signed out and never will. At startup (src/instrumentation.ts) and then every DELETION_STALE_AFTER_MS, one
 * Query of the running jobs' index partition; each silent job is taken over with a conditional write (of two
 * instances, one wins). Bounded as the import's sweep (resume-interrupted.ts): a few jobs a sweep, a few per instance.
 */
import { getLogger } from "@/data/logger";
import { lifecycle } from "../lifecycle/lifecycle";
import { runPeriodically } from "../lifecycle/periodic";
import type { Services } from "../services";
import { deletionsRunningHere, takeOverIfSilent } from "./deletion-jobs";
import { DELETION_STALE_AFTER_MS } from "./run-deletion";

const SWEEP_JOBS = 25;
const MAX_JOBS_HERE = 4;

const log = () => getLogger("Deletion");

/** One sweep; how many jobs this instance took over. */
export async function resumeInterruptedDeletions(services: Services, { now = Date.now() } = {}): Promise<number> {
  let resumed = 0;
  for (const userId of await services.data.listRunningDeletionJobs(SWEEP_JOBS)) {
    if (lifecycle().draining || deletionsRunningHere() >= MAX_JOBS_HERE) break;
    // One job that cannot be read or looked after (an item a newer version wrote, a write refused) is that job's
    // alone: the jobs after it in this look are still looked at. It used to end the sweep, and the next look goes on
    // past this one's (running-jobs.ts), so the jobs after it were never looked at while it stayed.
    try {
      // Read from its owner's partition, strongly: the index may lag, and the takeover's condition is the item's.
      const job = await services.data.getDeletionJob(userId);
      if (job && (await takeOverIfSilent(services, job, now))) resumed++;
    } catch (error) {
      log().warn("could not look after a delete job", { error: String(error).slice(0, 300) });
    }
  }
  return resumed;
}

export function startResumingInterruptedDeletions(services: () => Services): () => void {
  return runPeriodically(
    DELETION_STALE_AFTER_MS,
    () => resumeInterruptedDeletions(services()),
    (error) => log().warn("could not look for interrupted delete jobs", { error: String(error) }),
  );
}
