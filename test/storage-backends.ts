/**
 * Test-only: StorageClients on the real s3rver and azurite that test/global-setup.ts started, each on its own fresh
 * bucket or container so test files can run in parallel. Imported only by *.test.ts.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { inject } from "vitest";
import { azuriteConnectionString, LOCAL_AWS_CREDENTIALS } from "../scripts/local-services";
import { REGION } from "./harness";
import { createAzureStorage, type AzureBlobStorageClient } from "../src/data/storage/azure-storage";
import { createS3Storage, type S3StorageClient } from "../src/data/storage/s3-storage";

export type BackendName = "s3" | "azure";
export const BACKENDS: readonly BackendName[] = ["s3", "azure"];

export interface StorageOptions {
  expiresInSeconds?: number;
  /** false: leave the bucket/container uncreated, to test "missing". */
  create?: boolean;
}

export async function freshStorage(backend: "s3", options?: StorageOptions): Promise<S3StorageClient>;
export async function freshStorage(backend: "azure", options?: StorageOptions): Promise<AzureBlobStorageClient>;
export async function freshStorage(backend: BackendName, options?: StorageOptions): Promise<S3StorageClient | AzureBlobStorageClient>;
export async function freshStorage(backend: BackendName, { expiresInSeconds, create = true }: StorageOptions = {}) {
  // Valid as an S3 bucket and an Azure container name: lowercase, digits, single hyphens.
  const name = `tb-${randomUUID().slice(0, 13)}`;
  const storage =
    backend === "s3"
      ? createS3Storage({ bucket: name, endpoint: inject("s3Endpoint"), region: REGION, forcePathStyle: true, credentials: LOCAL_AWS_CREDENTIALS, expiresInSeconds })
      : createAzureStorage({ containerName: name, connectionString: azuriteConnectionString(inject("azuriteEndpoint")), expiresInSeconds });
  if (create) await storage.ensureExists();
  return storage;
}

/** The name a storage's errors should mention. */
export const containerOf = (storage: S3StorageClient | AzureBlobStorageClient): string =>
  "bucket" in storage ? storage.bucket : storage.container.containerName;

/**
 * `totalBytes` of generated data, produced chunk by chunk on demand, never all in memory. Chunk i is one of a few
 * preallocated, never-mutated buffers (filled with i % 7), so the source itself makes no garbage that would blur a
 * memory measurement; 7 is coprime to the 20 chunks of a 5 MiB part, so parts stored out of order change the digest.
 */
export function generatedStream(totalBytes: number, chunkBytes = 256 * 1024): Readable {
  const patterns = Array.from({ length: 7 }, (_, fill) => Buffer.alloc(chunkBytes, fill));
  let sent = 0;
  let index = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) return void this.push(null);
      const size = Math.min(chunkBytes, totalBytes - sent);
      const pattern = patterns[index++ % patterns.length]!;
      sent += size;
      this.push(size === chunkBytes ? pattern : pattern.subarray(0, size));
    },
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
