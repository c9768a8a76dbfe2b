/**
 * Deleting Threadbook's previews and share copies of elements Chainlit deleted, with nobody looking (docs/data-layer.md,
 * "Orphaned previews and share copies"). At startup (src/instrumentation.ts) and then every ORPHAN_SWEEP_MINUTES an
 * instance makes one bounded run of the data layer's sweep: one page of one root of the bucket, on from where the last
 * run of any instance stopped. Instances take turns through a lease in the table, so a page is never swept twice at
 * once; an instance finding it held skips its turn. 0 minutes turns the sweep off. A failed run is logged and the
 * next tick tries again (periodic.ts); the place stays where it was.
 */
import { randomUUID } from "node:crypto";
import { getLogger } from "@/data/logger";
import { lifecycle } from "../lifecycle/lifecycle";
import { runPeriodically } from "../lifecycle/periodic";
import type { Services } from "../services";

/** This process, as the lease's holder: no host name or address in the table, only a random id. */
const HOLDER = `instance-${randomUUID()}`;

const log = () => getLogger("DynamoDB");

type SweepServices = Pick<Services, "data">;

/** One run, unless the process is stopping. */
export async function sweepOrphanObjectsOnce(services: SweepServices): Promise<void> {
  if (lifecycle().draining) return;
  await services.data.sweepOrphanObjects({ holder: HOLDER });
}

export function startSweepingOrphanObjects(services: () => Pick<Services, "data" | "env">): () => void {
  const minutes = services().env.ORPHAN_SWEEP_MINUTES;
  if (minutes === 0) return () => undefined;
  return runPeriodically(
    minutes * 60_000,
    () => sweepOrphanObjectsOnce(services()),
    (error) => log().warn("could not sweep orphaned previews and share copies", { error: String(error).slice(0, 300) }),
  );
}
