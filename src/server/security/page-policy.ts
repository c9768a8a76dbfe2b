import { createStorageFromConfig, getLogger, type StorageConfig } from "@/data";
import { oauthSignInOrigins } from "../auth/providers";
import { config } from "../env";
import { storageOrigin } from "./storage-origin";

/** What the pages' headers depend on besides the request: fixed for the life of the process. */
export interface PagePolicy {
  development: boolean;
  trustedProxyHops: number;
  storageOrigins: string[];
  signInOrigins: string[];
}

/** Used while the configuration cannot be read: the strictest policy (no storage, no OAuth targets, no proxy). */
export const FALLBACK_POLICY: PagePolicy = { development: false, trustedProxyHops: 0, storageOrigins: [], signInOrigins: [] };

const log = getLogger("Security");
let cached: Promise<PagePolicy> | undefined;

/**
 * A storage client of its own, closed after one signature: the HTTP entry (server.ts) runs outside Next's bundles,
 * with its own copies of the modules, so it has no getServices() instance to share with the routes (nor should it).
 */
async function signedStorageOrigin(storageConfig: StorageConfig): Promise<string> {
  const storage = createStorageFromConfig(storageConfig);
  try {
    return await storageOrigin(storage);
  } finally {
    await storage.close();
  }
}

async function load(): Promise<PagePolicy> {
  const { env, storage } = config();
  return {
    development: env.NODE_ENV === "development",
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
    storageOrigins: [await signedStorageOrigin(storage)],
    signInOrigins: oauthSignInOrigins(env),
  };
}

/** Read once per process; a failure is not kept, so the next page tries again (and meanwhile gets FALLBACK_POLICY). */
export async function pagePolicy(): Promise<PagePolicy> {
  cached ??= load();
  try {
    return await cached;
  } catch (error) {
    cached = undefined;
    log.error(`page security policy: ${error instanceof Error ? error.message : String(error)}; using the strictest policy`);
    return FALLBACK_POLICY;
  }
}
