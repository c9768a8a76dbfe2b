/**
 * The one place the server reads its configuration and builds the data layer and storage client.
 * One per process (src/data/process-wide.ts): a built server holds this module in several copies (the startup hook's,
 * the proxy's, the routes', the pages'), which must all use the services the first of them built; dev-mode reloads
 * reuse one DynamoDB client too.
 */
import { randomBytes } from "node:crypto";
import {
  DynamoDBDataLayer,
  createDynamoClient,
  createStorageFromConfig,
  getLogger,
  parseLogLevel,
  setLogFormat,
  setLogLevel,
  type StorageClient,
} from "@/data";
import { processWide } from "@/data/process-wide";
import type { Assistant } from "./assistant/assistant";
import { createSessionVersions, type SessionVersions } from "./auth/session-versions";
import { createThreadPasses, type ThreadPasses } from "./thread/thread-access";
import type { ClaimClock } from "./chat/thread-claim";
import { selectAssistant } from "./assistant/select-assistant";
import { lifecycle } from "./lifecycle/lifecycle";
import { config, ConfigError, loadConfig, type Config, type Env, type ServerEnv } from "./env";

export interface Services {
  env: ServerEnv;
  data: DynamoDBDataLayer;
  storage: StorageClient;
  storageUrlExpiresSeconds: number;
  assistant: Assistant;
  /** Each signed-in user's current session version, cached briefly (auth/sessions.ts). */
  sessions: SessionVersions;
  /** Signed "this user owns this thread" statements that spare a feedback click its ownership read (thread-access.ts). */
  threadPasses: ThreadPasses;
  /** The clock a turn's claim on its thread is renewed by (chat/thread-claim.ts): the system's unless a test moves it. */
  claimClock?: ClaimClock;
}

export function createServices(rawEnv: Env): Services {
  return buildServices(loadConfig(rawEnv)).services;
}

/** The services and what closes their clients (the DynamoDB client is shared with the data layer, which does not own it). */
function buildServices({ env, storage: storageConfig }: Config): { services: Services; close(): Promise<void> } {
  if (!env.DYNAMODB_TABLE) throw new ConfigError("DYNAMODB_TABLE: required (npm start sets it for the embedded default)");
  const storage = createStorageFromConfig(storageConfig);
  setLogFormat(env.LOG_FORMAT);
  setLogLevel(parseLogLevel(env.LOG_LEVEL) ?? "info");
  getLogger("DynamoDB").level = parseLogLevel(env.LOG_LEVEL_DYNAMODB ?? env.LOG_LEVEL) ?? "info";
  const client = createDynamoClient(env);
  const data = new DynamoDBDataLayer({
    tableName: env.DYNAMODB_TABLE,
    client,
    storageProvider: storage,
    cursorSecret: env.AUTH_SECRET,
  });
  const sessions = createSessionVersions((identifier) => data.getSessionVersion(identifier), { ttlMs: env.SESSION_CHECK_SECONDS * 1000 });
  // Without AUTH_SECRET (a dev server), passes are signed with a per-process key: they then just stop sparing the read.
  const threadPasses = createThreadPasses(env.AUTH_SECRET ?? randomBytes(32).toString("base64url"));
  const services = { env, data, storage, storageUrlExpiresSeconds: storageConfig.expiresInSeconds, assistant: selectAssistant(env), sessions, threadPasses };
  const close = async () => {
    await data.close();
    client.destroy();
  };
  return { services, close };
}

export function getServices(): Services {
  return processWide("services", () => {
    const { services, close } = buildServices(config());
    // A graceful shutdown closes the clients once every request has ended (src/server/http/graceful-shutdown.ts).
    lifecycle().closers.add(close);
    return services;
  });
}
