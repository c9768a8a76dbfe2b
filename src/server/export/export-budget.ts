/**
 * "Export all" reads every thread of the account and every attachment back from storage, and streams them: one click
 * is cheap for the person, and for the table, the bucket and the server the most expensive request the app has. Any
 * account can make it, in a loop or many at once, so each user gets ACCOUNT_EXPORTS_PER_HOUR, counted in the table's
 * rate counters (data/layer/rate-counters.ts): one atomic UpdateItem, shared by every instance, before anything is read.
 */
import type { Services } from "../services";

export const ACCOUNT_EXPORTS_PER_HOUR = 6;
const WINDOW_MS = 60 * 60 * 1000;

/** Null while the user may export (the export counted), else the seconds until they may again. */
export async function exportRefusedFor(services: Pick<Services, "data">, userId: string, now = Date.now()): Promise<number | null> {
  const hit = await services.data.countRateHit(`export\n${userId}`, WINDOW_MS, now);
  return hit.count <= ACCOUNT_EXPORTS_PER_HOUR ? null : Math.max(1, Math.ceil((hit.windowEndsAt - now) / 1000));
}
