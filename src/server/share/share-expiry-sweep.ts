/**
 * Ending expired shares for Chainlit's share route too, without waiting for anyone to look (docs/sharing.md,
 * "Expiry"). At startup (src/instrumentation.ts) and then every SWEEP_EVERY_MS, an instance ends what is due
 * (`endExpiredShares`: one Query when nothing is), page after page while pages come back full, at most MAX_PAGES per
 * sweep. Instances sweep independently; every write of a sweep is conditional, so two never end a share twice or one
 * made since. A failed sweep is logged and tried again at the next tick (periodic.ts).
 */
import { getLogger } from "@/data/logger";
import { lifecycle } from "../lifecycle/lifecycle";
import { runPeriodically } from "../lifecycle/periodic";
import type { Services } from "../services";

export const SWEEP_EVERY_MS = 60_000;
const MAX_PAGES = 20;

const log = () => getLogger("Share");

/** One sweep; how many shares it ended. */
export async function sweepExpiredShares(services: Pick<Services, "data">): Promise<number> {
  let ended = 0;
  for (let page = 0; page < MAX_PAGES && !lifecycle().draining; page++) {
    const sweep = await services.data.endExpiredShares();
    ended += sweep.ended;
    if (!sweep.more) break;
  }
  if (ended > 0) log().info("ended expired shares", { ended });
  return ended;
}

export function startSweepingExpiredShares(services: () => Pick<Services, "data">): () => void {
  return runPeriodically(
    SWEEP_EVERY_MS,
    () => sweepExpiredShares(services()),
    (error) => log().warn("could not end expired shares", { error: String(error) }),
  );
}
