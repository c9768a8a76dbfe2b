/**
 * Share pages and their download links are open to anyone holding a link, so each client address gets a budget per
 * minute (SHARE_RATE_PER_MINUTE), counted in the table's rate counters (data/layer/rate-counters.ts) so every instance
 * sees one count. The address is the one Threadbook's server took from the socket or the trusted proxy hops
 * (server/http/client-address.ts), never a header the client wrote. One UpdateItem per hit.
 *
 * A share's image previews (share.elementPreview) are counted apart (docs/long-threads.md, "Image previews"): a page
 * asks for one per image it shows, so they must not spend the budget its pages and downloads live on. Asks have a
 * budget of their own per address, SHARE_PREVIEW_ASKS_PER_VIEW times the page budget (each costs the share's reads, and
 * a made preview nothing more); making one (sharp reading the original) is counted per share, whoever asks, within
 * SHARE_PREVIEWS_MADE_PER_MINUTE, so no number of addresses makes one share run sharp without bound.
 */
import { TRPCError } from "@trpc/server";
import type { Services } from "../services";
import { UNKNOWN_ADDRESS } from "../http/client-address";

const WINDOW_MS = 60_000;
/** Preview asks one address may make per minute, as a multiple of SHARE_RATE_PER_MINUTE (a page of images each asks). */
export const SHARE_PREVIEW_ASKS_PER_VIEW = 10;

/** True while the address is within its budget; the hit is counted either way. */
export async function withinShareRate(services: Pick<Services, "data" | "env">, address: string | null): Promise<boolean> {
  const counter = await services.data.countRateHit(`share\n${address ?? UNKNOWN_ADDRESS}`, WINDOW_MS);
  return counter.count <= services.env.SHARE_RATE_PER_MINUTE;
}

export async function assertShareRate(services: Pick<Services, "data" | "env">, address: string | null): Promise<void> {
  if (!(await withinShareRate(services, address))) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many requests, try again in a minute" });
}

/** A share viewer's ask for an image preview: its own per-address budget, not the page budget. */
export async function assertSharePreviewRate(services: Pick<Services, "data" | "env">, address: string | null): Promise<void> {
  const counter = await services.data.countRateHit(`share-preview\n${address ?? UNKNOWN_ADDRESS}`, WINDOW_MS);
  if (counter.count > services.env.SHARE_RATE_PER_MINUTE * SHARE_PREVIEW_ASKS_PER_VIEW) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many requests, try again in a minute" });
}

/** Whether one more preview may be made for this share this minute (counted when asked: only when one is to be made). */
export async function maySharePreviewBeMade(services: Pick<Services, "data" | "env">, threadId: string): Promise<boolean> {
  const counter = await services.data.countRateHit(`share-preview-made\n${threadId}`, WINDOW_MS);
  return counter.count <= services.env.SHARE_PREVIEWS_MADE_PER_MINUTE;
}
