import type { StorageClient } from "@/data";

/** Never fetched: only its signed link's origin is read. Any valid key gives the same origin. */
const PROBE_KEY = "threadbook-origin-probe";

/**
 * The origin the browser fetches attachments from, read off a link the storage client signs (locally, no request).
 * Exact for every configuration: an S3 endpoint with path-style or virtual-hosted buckets, AWS's regional hosts,
 * an Azure account or azurite's emulator endpoint, without re-deriving the SDKs' URL rules here.
 */
export async function storageOrigin(storage: StorageClient): Promise<string> {
  const { url } = await storage.getReadUrl(PROBE_KEY);
  return new URL(url).origin;
}
