/**
 * Readiness (GET /api/health/ready): can this instance serve a user now? One cheap read of the table (a user item
 * that does not exist: the same permissions the app needs anyway) and one check that the bucket or container exists
 * (HeadBucket, s3:ListBucket in infra/iam-policy.json; the container's properties on Azure). Each has a short timeout.
 * The answer names the checks and ok/failed, never a table, bucket, endpoint or error text (docs/deploy.md).
 */
import type { ProvisionableStorage, StorageClient } from "@/data";
import { lifecycle } from "./lifecycle";
import type { Services } from "../services";

export const READY_TIMEOUT_MS = 2_000;
/** A probe's answer is reused this long, so a burst of probes (or a hostile client) costs at most one read each per instance. */
const REUSE_MS = 1_000;
// An identifier nobody can sign up with: it starts with a control character.
const PROBE_USER = "\u0000threadbook-readiness";

export type CheckResult = "ok" | "failed";
export interface Readiness {
  ready: boolean;
  checks: { dynamodb: CheckResult; storage: CheckResult };
  draining?: true;
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => (timer = setTimeout(() => resolve("failed"), ms)));
  const checked = work.then(
    () => "ok" as const,
    () => "failed" as const,
  );
  return Promise.race([checked, timeout]).finally(() => clearTimeout(timer));
}

/** The bucket or container exists and lets us in. (Every storage the app builds can say; an object read could not: S3 answers a HEAD of any key in a missing bucket with a bare 404.) */
async function storageExists(storage: StorageClient): Promise<void> {
  const { exists } = storage as Partial<ProvisionableStorage>;
  if (!exists || !(await exists.call(storage))) throw new Error("storage is missing");
}

async function probe(services: Pick<Services, "data" | "storage">, timeoutMs: number): Promise<Readiness> {
  const storageAnswers = storageExists(services.storage);
  const [dynamodb, storage] = await Promise.all([withTimeout(services.data.getUser(PROBE_USER), timeoutMs), withTimeout(storageAnswers, timeoutMs)]);
  return { ready: dynamodb === "ok" && storage === "ok", checks: { dynamodb, storage } };
}

/** Probes, sharing one probe in flight or younger than REUSE_MS between callers. Draining instances are never ready. */
export function createReadinessCheck(services: Pick<Services, "data" | "storage">, options: { timeoutMs?: number; now?: () => number } = {}) {
  const { timeoutMs = READY_TIMEOUT_MS, now = Date.now } = options;
  let last: { at: number; result: Promise<Readiness> } | undefined;
  return async (): Promise<Readiness> => {
    if (!last || now() - last.at >= REUSE_MS) last = { at: now(), result: probe(services, timeoutMs) };
    const result = await last.result;
    return lifecycle().draining ? { ...result, ready: false, draining: true } : result;
  };
}
