/**
 * The share page's rate limit, applied in the proxy rather than in the page: a server component cannot answer with
 * a status of its own, and a limited viewer (or a script walking ids) must get a real 429 with Retry-After, not a
 * 200 that caches and scrapes like a page (too-many-requests-page.ts), under the page's own security headers
 * (Threadbook's HTTP entry has set them on the response before the proxy runs).
 */
import { clientAddressOf } from "../http/client-address";
import { tooManyRequestsPage } from "../http/too-many-requests-page";
import type { Services } from "../services";
import { withinShareRate } from "./share-rate-limit";

const RETRY_AFTER_SECONDS = 60;

/** `/share/{anything}`: the pages the limit covers (their API calls are limited in their procedures). */
export function isSharePage(pathname: string): boolean {
  return pathname.startsWith("/share/");
}

/** A 429 when the client address is over its budget (the hit counted), else null and the page renders. */
export async function sharePageRateGate(services: Pick<Services, "data" | "env">, headers: Headers, cookie: string | undefined): Promise<Response | null> {
  if (await withinShareRate(services, clientAddressOf(headers))) return null;
  return tooManyRequestsPage({ headers, cookie }, (t) => t.shareRateLimited, RETRY_AFTER_SECONDS);
}
