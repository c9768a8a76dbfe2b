/**
 * The server's configuration, from the environment only, checked once at start.
 * A bad value fails with one line naming the variable, never a stack trace, and never the value of a
 * variable that may hold a secret: only the variables in SHOWN_VALUES have their value repeated.
 */
import { z } from "zod";
import { DynamoEnvShape, LOG_FORMATS, parseLogLevel, parseStorageConfig, type StorageConfig } from "@/data";
import { redact } from "./redact";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const wholeNumber = (fallback: number, min: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, "expected a whole number")
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional()
      .transform((v) => v ?? fallback),
  );
const positiveInt = (fallback: number, max: number) => wholeNumber(fallback, 1, max);

const logLevel = optionalString.refine((v) => v === undefined || parseLogLevel(v) !== undefined, {
  message: 'expected one of "debug", "info", "warn", "error", "silent"',
});

/**
 * What an OAuth/OIDC user's identifier is: `chainlit` (default) maps each provider as Chainlit does (GitHub login,
 * Entra UPN, email for Google/Keycloak/Cognito, AUTH_OIDC_IDENTIFIER_CLAIM for generic OIDC), so both apps see the
 * same threads; `email` uses the verified email for every provider (deployments without a Chainlit app).
 */
export const OAuthIdentifierModeSchema = optionalString.pipe(
  z.enum(["chainlit", "email"], { message: 'expected "chainlit" or "email"' }).optional().transform((v) => v ?? "chainlit"),
);
export type OAuthIdentifierMode = z.output<typeof OAuthIdentifierModeSchema>;

/** Proxies in front of the app that append to X-Forwarded-For; 0 = the socket's address is the client's. */
export const TrustedProxyHopsSchema = optionalString.pipe(
  z.string().regex(/^\d+$/, "expected a whole number").transform(Number).pipe(z.number().int().min(0).max(10)).optional().transform((v) => v ?? 0),
);

/**
 * Share links (docs/sharing.md): `off`, or the access choices the deployment offers, comma-separated, the first being
 * the default (`signed-in,public`: links for signed-in people by default, public ones on request).
 */
export const ShareAccessEnvSchema = optionalString.pipe(
  z
    .string()
    .regex(/^(off|(public|signed-in)(,(public|signed-in))?)$/, 'expected "off", or "public" and/or "signed-in" comma-separated (the first is the default)')
    .optional()
    .transform((v) => {
      const value = v ?? "signed-in,public";
      if (value === "off") return null;
      const choices = [...new Set(value.split(",") as Array<"public" | "signed-in">)];
      return { choices, default: choices[0]! };
    }),
);
export type SharePolicy = NonNullable<z.output<typeof ShareAccessEnvSchema>>;

const optionalUrl = optionalString.pipe(z.url({ message: "expected a URL" }).optional());

/** OAuth / OIDC sign-in (auth/providers.ts): a provider is on when its client id is set. */
export const OAuthEnvShape = {
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  AUTH_GOOGLE_ID: optionalString,
  AUTH_GOOGLE_SECRET: optionalString,
  AUTH_MICROSOFT_ENTRA_ID_ID: optionalString,
  AUTH_MICROSOFT_ENTRA_ID_SECRET: optionalString,
  AUTH_MICROSOFT_ENTRA_ID_ISSUER: optionalUrl,
  AUTH_COGNITO_ID: optionalString,
  AUTH_COGNITO_SECRET: optionalString,
  AUTH_COGNITO_ISSUER: optionalUrl,
  AUTH_KEYCLOAK_ID: optionalString,
  AUTH_KEYCLOAK_SECRET: optionalString,
  AUTH_KEYCLOAK_ISSUER: optionalUrl,
  AUTH_OIDC_ID: optionalString,
  AUTH_OIDC_SECRET: optionalString,
  AUTH_OIDC_ISSUER: optionalUrl,
  AUTH_OIDC_NAME: optionalString.pipe(z.string().max(40, "expected at most 40 characters").optional()),
  // Chainlit's OAUTH_GENERIC_USER_IDENTIFIER: the claim whose value is the identifier (default email, then verified).
  AUTH_OIDC_IDENTIFIER_CLAIM: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "expected a claim name such as email or preferred_username").optional().transform((v) => v ?? "email"),
  ),
  OAUTH_IDENTIFIER: OAuthIdentifierModeSchema,
};
const OAuthEnvSchema = z.object(OAuthEnvShape);
export type OAuthEnv = z.infer<typeof OAuthEnvSchema>;

export const ServerEnvSchema = z.object({
  /** DYNAMODB_ENDPOINT, AWS_REGION, AWS keys and DynamoDB timeouts: parsed beside the client they configure. */
  ...DynamoEnvShape,
  ...OAuthEnvShape,
  /** Set by Next (and scripts/start.ts): "development" under `npm run dev`. */
  NODE_ENV: optionalString,
  /** "1" in the embedded default (scripts/stack.ts): the sign-in page offers its demo account. */
  THREADBOOK_DEMO: optionalString.transform((v) => v === "1"),
  /** The offline demo assistant's pause between words; 0 in the soak test. */
  DEMO_ASSISTANT_DELAY_MS: optionalString.pipe(z.string().regex(/^\d+$/, "expected a whole number").transform(Number).pipe(z.number().int().max(60_000)).optional()),
  /** Azure OpenAI's api-version query parameter, when OPENAI_BASE_URL is an Azure deployment. */
  OPENAI_API_VERSION: optionalString,
  PORT: positiveInt(3000, 65535),
  /** The address to listen on: loopback by default; 0.0.0.0 in a container (the Dockerfile sets it). */
  HOST: optionalString,
  THREADBOOK_DATA_DIR: optionalString,
  DYNAMODB_TABLE: optionalString.refine((v) => v === undefined || /^[a-zA-Z0-9_.-]{3,255}$/.test(v), {
    message: "expected a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)",
  }),
  AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: "expected at least 32 characters (openssl rand -base64 32)",
  }),
  DEMO_PASSWORD: optionalString,
  /** How long an instance trusts a user's session version before reading it again (docs/security.md, "Sessions"). */
  SESSION_CHECK_SECONDS: positiveInt(30, 60),
  LOG_LEVEL: logLevel,
  LOG_LEVEL_DYNAMODB: logLevel,
  /** The request log's level on its own (request lines are info): `warn` keeps only 5xx lines. */
  LOG_LEVEL_HTTP: logLevel,
  LOG_FORMAT: optionalString.pipe(z.enum(LOG_FORMATS, { message: 'expected "text" or "json"' }).optional().transform((v) => v ?? "text")),
  /** Seconds a SIGTERM/SIGINT gives open requests and streaming replies before the process exits (docs/deploy.md). */
  SHUTDOWN_GRACE_SECONDS: wholeNumber(25, 1, 3600),
  MAX_UPLOAD_MB: positiveInt(20, 1024),
  /** Bytes one user may upload in a day, attachments and imports together (docs/security.md, "Limits and timeouts"). */
  UPLOAD_MB_PER_DAY: positiveInt(2048, 1024 * 1024),
  /** The largest export "Import conversations" accepts (docs/import-export.md). */
  IMPORT_MAX_MB: positiveInt(1024, 10 * 1024),
  OPENAI_BASE_URL: optionalString.pipe(z.url({ message: "expected a URL" }).optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: optionalString,
  TRUSTED_PROXY_HOPS: TrustedProxyHopsSchema,
  // Limits and timeouts (docs/security.md, "Limits and timeouts").
  API_MAX_BODY_KB: positiveInt(1024, 100 * 1024),
  API_MAX_BATCH: positiveInt(20, 1000),
  OPENAI_CONNECT_TIMEOUT_MS: positiveInt(30_000, 600_000),
  OPENAI_IDLE_TIMEOUT_MS: positiveInt(60_000, 3_600_000),
  /** Characters of a thread sent to the model with each turn, newest first (src/server/assistant/history-budget.ts). */
  OPENAI_HISTORY_MAX_CHARS: wholeNumber(200_000, 1_000, 10_000_000),
  SHARE_ACCESS: ShareAccessEnvSchema,
  /** Share pages and their download links one client address may open per minute (docs/sharing.md, "Limits"). */
  SHARE_RATE_PER_MINUTE: positiveInt(60, 100_000),
  /** Image previews one shared thread may have made per minute, whoever asks (docs/long-threads.md, "Image previews"). */
  SHARE_PREVIEWS_MADE_PER_MINUTE: positiveInt(60, 100_000),
  /** Minutes between an instance's runs of the orphan sweep (docs/data-layer.md, "Orphaned previews and share copies"); 0: off. */
  ORPHAN_SWEEP_MINUTES: wholeNumber(10, 0, 24 * 60),
  /** Messages one user may send per minute, each a model request (docs/security.md, "Limits and timeouts"). */
  CHAT_MESSAGES_PER_MINUTE: positiveInt(30, 100_000),
});
export type ServerEnv = z.infer<typeof ServerEnvSchema>;

/**
 * Variables whose value is safe to repeat in an error (it helps to see `PORT: … (got "80a")`). Every other value may
 * be a secret or carry one (AUTH_SECRET, keys, connection strings, URLs with user:password@), so it is never shown.
 */
const SHOWN_VALUES = new Set(["PORT", "DYNAMODB_TABLE", "AWS_REGION", "LOG_LEVEL", "LOG_LEVEL_DYNAMODB", "LOG_LEVEL_HTTP", "LOG_FORMAT", "SHUTDOWN_GRACE_SECONDS", "MAX_UPLOAD_MB", "UPLOAD_MB_PER_DAY", "IMPORT_MAX_MB", "OPENAI_MODEL", "OPENAI_HISTORY_MAX_CHARS", "TRUSTED_PROXY_HOPS", "AUTH_OIDC_NAME", "SHARE_ACCESS", "SHARE_RATE_PER_MINUTE", "SHARE_PREVIEWS_MADE_PER_MINUTE", "CHAT_MESSAGES_PER_MINUTE", "ORPHAN_SWEEP_MINUTES"]);

/** Parses with a schema; the first problem becomes `VARIABLE: message`. */
export function parseEnvWith<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const got = env[variable];
  if (SHOWN_VALUES.has(variable)) throw new ConfigError(`${variable}: ${issue.message}${got !== undefined ? ` (got "${got}")` : ""}`);
  // A schema's message could quote its input (zod's own messages sometimes do): take the value out of it too.
  throw new ConfigError(`${variable}: ${redact(issue.message, [got])}`);
}

export type Env = Record<string, string | undefined>;

export const parseServerEnv = (env: Env) => parseEnvWith(ServerEnvSchema, env);
export const parseOAuthEnv = (env: Env): OAuthEnv => parseEnvWith(OAuthEnvSchema, env);

/** Everything the server is configured with: its own variables (DynamoDB's included) and the storage settings. */
export interface Config {
  env: ServerEnv;
  storage: StorageConfig;
}

/** Parses a whole environment: `process.env` for the server, the object a script or a test builds otherwise. */
export function loadConfig(raw: Env): Config {
  const env = parseServerEnv(raw);
  try {
    return { env, storage: parseStorageConfig(raw) };
  } catch (error) {
    // Already one line naming the variable, never its secret value (storage-config.ts).
    throw new ConfigError((error as Error).message);
  }
}

let processEnv: ServerEnv | undefined;
let processStorage: StorageConfig | undefined;

/**
 * The process's variables, read from process.env once (the one place the server reads it). A bad value throws a
 * ConfigError each time it is asked for, so nothing runs on a half-read configuration. Modules that Next evaluates
 * while building (auth's providers) ask for this alone: the build has no storage settings.
 */
export function serverEnv(): ServerEnv {
  processEnv ??= parseServerEnv(process.env);
  return processEnv;
}

/** The process's whole configuration: its variables and the storage settings. */
export function config(): Config {
  processStorage ??= loadConfig(process.env).storage;
  return { env: serverEnv(), storage: processStorage };
}
