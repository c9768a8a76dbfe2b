/**
 * Brings up what the app needs: with no cloud settings, the embedded default (dynalite on disk, s3rver or azurite),
 * the table from infra/, the bucket or container, an AUTH_SECRET and the demo data, seeded once.
 * With DYNAMODB_TABLE / S3_BUCKET / AZURE_STORAGE_* set, it starts nothing for that part and uses them as they are.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, parseServerEnv } from "../src/server/env";
import { createDynamoClient, dynamoSettings } from "../src/data";
import { checkOAuthEnv } from "../src/server/auth/providers";
import { createStorageFromConfig, ensureStorageReady, ensureTable, parseStorageConfig, type StorageConfig } from "../src/data";
import { azuriteConnectionString, LOCAL_AWS_CREDENTIALS, startAzurite, startDynalite, startS3rver, type LocalService } from "./local-services";
import { seedDemoData } from "./seed";

export const DEFAULT_DEMO_PASSWORD = "threadbook-demo";
export const EMBEDDED_TABLE = "threadbook";
export const EMBEDDED_BUCKET = "threadbook-elements";
const EMBEDDED_CONTAINER = "threadbook-elements";

export interface Stack {
  env: Record<string, string>;
  embedded: { dynamodb: boolean; storage: boolean };
  seeded: boolean;
  /** The local servers this stack started (none for the parts configured to real services). */
  services: LocalService[];
  stop(): Promise<void>;
}

/** Loads `.env` if present; variables already set win. */
export function loadDotEnv(file = ".env") {
  if (existsSync(file)) process.loadEnvFile(file);
}

export async function startStack(baseEnv: Record<string, string | undefined> = process.env, log = console.log): Promise<Stack> {
  const env: Record<string, string> = Object.fromEntries(Object.entries(baseEnv).filter((e): e is [string, string] => e[1] !== undefined));
  // Validate before starting or writing anything: a bad variable is one line and a non-zero exit.
  const serverEnv = parseServerEnv(env);
  checkOAuthEnv(env);
  const provisional: Record<string, string | undefined> = { ...env, S3_BUCKET: env.S3_BUCKET || EMBEDDED_BUCKET, AZURE_STORAGE_CONTAINER: env.AZURE_STORAGE_CONTAINER || EMBEDDED_CONTAINER };
  if (!env.AZURE_STORAGE_CONNECTION_STRING && !env.AZURE_STORAGE_ACCOUNT) provisional.AZURE_STORAGE_CONNECTION_STRING = azuriteConnectionString("http://127.0.0.1:10000/devstoreaccount1");
  const storageProvider = asConfigError(() => parseStorageConfig(provisional)).provider;
  const embeddedDynamo = !serverEnv.DYNAMODB_TABLE;
  const embeddedStorage = storageProvider === "s3" ? !env.S3_BUCKET : !env.AZURE_STORAGE_CONNECTION_STRING && !env.AZURE_STORAGE_ACCOUNT;
  if (!embeddedDynamo && !serverEnv.AUTH_SECRET) throw new ConfigError("AUTH_SECRET: required outside the embedded default (openssl rand -base64 32)");

  const dataDir = path.resolve(serverEnv.THREADBOOK_DATA_DIR ?? ".data");
  const services: LocalService[] = [];
  const stop = async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
  };
  try {
    if (embeddedDynamo || embeddedStorage) mkdirSync(dataDir, { recursive: true });
    if (embeddedDynamo) {
      const dynamo = await startDynalite({ directory: path.join(dataDir, "dynamodb"), port: optionalPort(env.DYNAMODB_PORT) });
      services.push(dynamo);
      Object.assign(env, { DYNAMODB_TABLE: EMBEDDED_TABLE, DYNAMODB_ENDPOINT: dynamo.endpoint, AWS_REGION: env.AWS_REGION ?? "us-east-1" });
      Object.assign(env, { AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey });
      env.THREADBOOK_DEMO = "1";
      env.DEMO_PASSWORD = serverEnv.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD;
      env.AUTH_SECRET = serverEnv.AUTH_SECRET ?? persistentSecret(path.join(dataDir, "auth-secret"));
    }
    if (embeddedStorage && storageProvider === "s3") {
      const s3 = await startS3rver({ directory: path.join(dataDir, "s3"), port: optionalPort(env.S3_PORT) });
      services.push(s3);
      Object.assign(env, { S3_BUCKET: EMBEDDED_BUCKET, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: "true" });
      Object.assign(env, { AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey });
    } else if (embeddedStorage) {
      const azure = await startAzurite({ directory: path.join(dataDir, "azurite"), port: optionalPort(env.AZURITE_PORT) });
      services.push(azure);
      Object.assign(env, { AZURE_STORAGE_CONNECTION_STRING: azuriteConnectionString(azure.endpoint), AZURE_STORAGE_CONTAINER: env.AZURE_STORAGE_CONTAINER ?? EMBEDDED_CONTAINER });
    }

    const client = createDynamoClient(dynamoSettings(env));
    try {
      if (embeddedDynamo && (await ensureTable(client, env.DYNAMODB_TABLE!))) log(`Created table ${env.DYNAMODB_TABLE} from infra/dynamodb-table.json`);
      const storageConfig = asConfigError(() => parseStorageConfig(env));
      await ensureStorageReady(storageConfig, { create: embeddedStorage });
      if (embeddedStorage) await allowBrowserReads(storageConfig, env.PORT ?? "3000");
    } finally {
      client.destroy();
    }
    const seeded = embeddedDynamo ? await seedDemoData(env, log) : false;
    return { env, embedded: { dynamodb: embeddedDynamo, storage: embeddedStorage }, seeded, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The pages preview text and CSV attachments by fetching their signed links, which needs a CORS rule on the bucket or
 * container. The embedded default sets one for the app's own origins; real buckets need the same (README).
 */
async function allowBrowserReads(config: StorageConfig, port: string) {
  const storage = createStorageFromConfig(config);
  try {
    await storage.allowBrowserReads([`http://localhost:${port}`, `http://127.0.0.1:${port}`]);
  } finally {
    await storage.close();
  }
}

/** The storage parser's one-line messages are configuration errors too. */
function asConfigError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function optionalPort(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The embedded default keeps its session secret beside its data, so sign-ins survive a restart. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
