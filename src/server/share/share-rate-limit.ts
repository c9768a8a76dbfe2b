/**
 * Share pages and their download links are open to anyone holding a link, so each client address gets a budget per
 * minute (SHARE_RATE_PER_MINUTE), counted in the table's rate counters (data/layer/rate-counters.ts) so every instance
 * sees one count. The address is the one Threadbook's server took from the socket or the trusted proxy hops
 * (server/http/client-address.ts), never a header the client wrote. One UpdateItem per hit.
 */
import { TRPCError } from "@trpc/server";
import type { Services } from "../services";
import { UNKNOWN_ADDRESS } from "../http/client-address";

const WINDOW_MS = 60_000;

/** True while the address is within its budget; the hit is counted either way. */
export async function withinShareRate(services: Pick<Services, "data" | "env">, address: string | null): Promise<boolean> {
  const counter = await services.data.countRateHit(`share\n${address ?? UNKNOWN_ADDRESS}`, WINDOW_MS);
  return counter.count <= services.env.SHARE_RATE_PER_MINUTE;
}

export async function assertShareRate(services: Pick<Services, "data" | "env">, address: string | null): Promise<void> {
  if (!(await withinShareRate(services, address))) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many requests, try again in a minute" });
}
