/**
 * Storage settings from the environment, checked once at startup. A bad setting fails with ONE line naming the variable
 * (`STORAGE_PROVIDER: expected "s3" or "azure", got "ftp"`); values that may hold secrets are never repeated in it.
 * src/server/env.ts calls it with the rest of the configuration (scripts with the record they built); src/data itself reads no environment.
 */
import { z } from "zod";
import { optional, parseOrThrow, pattern, required, shown, wholeNumber, blankToUndefined, type Env } from "../env-parse";
import { DataError } from "../errors";
import { getLogger } from "../logger";
import { parseAzureConnectionString } from "./azure-connection-string";
import { createAzureStorage, type AzureCredentialOptions } from "./azure-storage";
import { createS3Storage } from "./s3-storage";
import { MAX_URL_EXPIRES_SECONDS } from "./signing-window";
import { DEFAULT_STORAGE_TIMEOUTS, DEFAULT_URL_EXPIRES_SECONDS, type StorageClient, type StorageTimeouts } from "./storage-client";
import { StorageError } from "./storage-errors";

/** Below 10 s a link can expire between the page rendering it and the click. */
const MIN_URL_EXPIRES_SECONDS = 10;
/** s3rver and MinIO accept any region; SigV4 just needs one. */
const DEFAULT_ENDPOINT_REGION = "us-east-1";

export interface S3StorageConfig {
  provider: "s3";
  bucket: string;
  /** Undefined on AWS without AWS_REGION: the SDK's chain (process env, profile) decides, as for credentials. */
  region?: string;
  endpoint?: string;
  /**
   * From AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN) in the env given, when both are there: scripts pass an env
   * object that is not process.env. Otherwise undefined, and the SDK's default chain (environment, profile, role) applies.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle: boolean;
  expiresInSeconds: number;
  timeouts: StorageTimeouts;
}

export type AzureStorageConfig = { provider: "azure"; containerName: string; expiresInSeconds: number; timeouts: StorageTimeouts } & AzureCredentialOptions;

export type StorageConfig = S3StorageConfig | AzureStorageConfig;

export type { Env };

/** Per union member (plain Omit would merge Azure's two credential shapes into their common keys). */
type WithoutExpiry<T> = T extends unknown ? Omit<T, "expiresInSeconds" | "timeouts"> : never;

const CommonEnvSchema = z.object({
  STORAGE_PROVIDER: z.preprocess(
    (value) => {
      const trimmed = blankToUndefined(value);
      return typeof trimmed === "string" ? trimmed.toLowerCase() : trimmed;
    },
    z.enum(["s3", "azure"], { error: (issue) => `expected "s3" or "azure", got ${shown(issue.input)}` }).default("s3"),
  ),
  STORAGE_URL_EXPIRES_SECONDS: optional(z.string()).transform((raw, ctx) => {
    if (raw === undefined) return DEFAULT_URL_EXPIRES_SECONDS;
    const seconds = Number(raw);
    if (/^\d+$/.test(raw) && seconds >= MIN_URL_EXPIRES_SECONDS && seconds <= MAX_URL_EXPIRES_SECONDS) return seconds;
    ctx.addIssue({ code: "custom", message: `expected whole seconds from ${MIN_URL_EXPIRES_SECONDS} to ${MAX_URL_EXPIRES_SECONDS}, got ${shown(raw)}` });
    return z.NEVER;
  }),
  STORAGE_CONNECT_TIMEOUT_MS: wholeNumber(1, 600_000, DEFAULT_STORAGE_TIMEOUTS.connectTimeoutMs),
  STORAGE_REQUEST_TIMEOUT_MS: wholeNumber(1, 3_600_000, DEFAULT_STORAGE_TIMEOUTS.requestTimeoutMs),
  STORAGE_MAX_ATTEMPTS: wholeNumber(1, 10, DEFAULT_STORAGE_TIMEOUTS.maxAttempts),
});

const S3EnvSchema = z
  .object({
    S3_BUCKET: required(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, '3–63 lowercase letters, digits, "." or "-"', 'required when STORAGE_PROVIDER is "s3"'),
    // An endpoint may carry userinfo, so it is not echoed.
    S3_ENDPOINT: optional(pattern(/^https?:\/\/[^\s/]+(\/\S*)?$/, "an http(s) URL", { echo: false })),
    S3_FORCE_PATH_STYLE: optional(pattern(/^(true|false|1|0)$/i, '"true" or "false"')).transform((raw) => raw !== undefined && /^(true|1)$/i.test(raw)),
    AWS_REGION: optional(pattern(/^[a-z]{2}(-[a-z0-9]+)+$/, "an AWS region such as eu-west-1")),
    AWS_ACCESS_KEY_ID: optional(z.string()),
    AWS_SECRET_ACCESS_KEY: optional(z.string()),
    AWS_SESSION_TOKEN: optional(z.string()),
  })
  .superRefine((env, ctx) => {
    if (!env.AWS_ACCESS_KEY_ID !== !env.AWS_SECRET_ACCESS_KEY) {
      const [missing, present] = env.AWS_ACCESS_KEY_ID ? ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"] : ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
      ctx.addIssue({ code: "custom", path: [missing], message: `required with ${present}` });
    }
  })
  .transform(
    (env): WithoutExpiry<S3StorageConfig> => ({
      provider: "s3",
      bucket: env.S3_BUCKET,
      region: env.AWS_REGION ?? (env.S3_ENDPOINT ? DEFAULT_ENDPOINT_REGION : undefined),
      endpoint: env.S3_ENDPOINT,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      credentials:
        env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
          : undefined,
    }),
  );

const AzureEnvSchema = z
  .object({
    AZURE_STORAGE_CONTAINER: required(
      /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
      '3–63 lowercase letters, digits or single "-"',
      'required when STORAGE_PROVIDER is "azure"',
    ),
    AZURE_STORAGE_CONNECTION_STRING: optional(z.string()),
    AZURE_STORAGE_ACCOUNT: optional(pattern(/^[a-z0-9]{3,24}$/, "3–24 lowercase letters or digits")),
    AZURE_STORAGE_KEY: optional(pattern(/^[A-Za-z0-9+/]+={0,2}$/, "a base64 account key", { echo: false })),
  })
  .superRefine((env, ctx) => {
    const problem = azureCredentialProblem(env);
    if (problem) ctx.addIssue({ code: "custom", path: [problem.variable], message: problem.message });
  })
  .transform((env): WithoutExpiry<AzureStorageConfig> => {
    const credentials: AzureCredentialOptions = env.AZURE_STORAGE_CONNECTION_STRING
      ? { connectionString: env.AZURE_STORAGE_CONNECTION_STRING }
      : { accountName: env.AZURE_STORAGE_ACCOUNT ?? "", accountKey: env.AZURE_STORAGE_KEY ?? "" };
    return { provider: "azure", containerName: env.AZURE_STORAGE_CONTAINER, ...credentials };
  });

/** Exactly one way to authenticate: a connection string, or an account name with its key. */
function azureCredentialProblem(env: {
  AZURE_STORAGE_CONNECTION_STRING?: string;
  AZURE_STORAGE_ACCOUNT?: string;
  AZURE_STORAGE_KEY?: string;
}): { variable: string; message: string } | undefined {
  const { AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_STORAGE_ACCOUNT: account, AZURE_STORAGE_KEY: key } = env;
  if (connectionString) {
    if (account || key) return { variable: "AZURE_STORAGE_CONNECTION_STRING", message: "set either it or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY, not both" };
    try {
      parseAzureConnectionString(connectionString);
      return undefined;
    } catch (error) {
      return { variable: "AZURE_STORAGE_CONNECTION_STRING", message: (error as Error).message };
    }
  }
  if (account && !key) return { variable: "AZURE_STORAGE_KEY", message: "required with AZURE_STORAGE_ACCOUNT" };
  if (key && !account) return { variable: "AZURE_STORAGE_ACCOUNT", message: "required with AZURE_STORAGE_KEY" };
  if (!account) {
    return { variable: "AZURE_STORAGE_CONNECTION_STRING", message: 'required when STORAGE_PROVIDER is "azure" (or set AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY)' };
  }
  return undefined;
}

export function parseStorageConfig(env: Env): StorageConfig {
  const common = parseOrThrow(CommonEnvSchema, env, "storage config");
  const shared = {
    expiresInSeconds: common.STORAGE_URL_EXPIRES_SECONDS,
    timeouts: { connectTimeoutMs: common.STORAGE_CONNECT_TIMEOUT_MS, requestTimeoutMs: common.STORAGE_REQUEST_TIMEOUT_MS, maxAttempts: common.STORAGE_MAX_ATTEMPTS },
  };
  if (common.STORAGE_PROVIDER === "s3") return { ...parseOrThrow(S3EnvSchema, env, "storage config"), ...shared };
  return { ...parseOrThrow(AzureEnvSchema, env, "storage config"), ...shared };
}

/** A StorageClient that can also check for, and create, its bucket or container (local stack, startup checks). */
export type ProvisionableStorage = StorageClient & {
  exists(): Promise<boolean>;
  ensureExists(): Promise<boolean>;
  allowBrowserReads(origins: readonly string[]): Promise<void>;
};

export function createStorageFromConfig(config: StorageConfig): ProvisionableStorage {
  if (config.provider === "s3") return createS3Storage(config);
  const { provider: _provider, ...options } = config;
  return createAzureStorage(options);
}

/**
 * At startup: with `create`, makes the bucket or container if it is missing (the embedded stack); otherwise fails fast,
 * naming it, when it is missing or the service is unreachable. A 403 on the check only warns: a policy may allow object
 * reads and writes without s3:ListBucket. Returns true if something was created.
 */
export async function ensureStorageReady(config: StorageConfig, { create = false } = {}): Promise<boolean> {
  const storage = createStorageFromConfig(config);
  try {
    if (create) return await storage.ensureExists();
    if (!(await storage.exists())) {
      const what = config.provider === "s3" ? `S3 bucket "${config.bucket}"` : `Azure container "${config.containerName}"`;
      throw new DataError("storage", `${what} does not exist; create it first`);
    }
    return false;
  } catch (error) {
    if (error instanceof StorageError && error.failure === "denied") {
      getLogger("Storage").warn("could not check that storage exists (access denied); continuing", { storage: storage.description });
      return false;
    }
    throw error;
  } finally {
    await storage.close();
  }
}
