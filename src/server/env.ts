/**
 * The server's configuration, from the environment only, checked once at start.
 * A bad value fails with one line naming the variable (issue 2), never a stack trace.
 */
import { z } from "zod";
import { parseLogLevel } from "@/data/logger";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const positiveInt = (fallback: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, "expected a whole number")
      .transform(Number)
      .pipe(z.number().int().min(1).max(max))
      .optional()
      .transform((v) => v ?? fallback),
  );

const logLevel = optionalString.refine((v) => v === undefined || parseLogLevel(v) !== undefined, {
  message: 'expected one of "debug", "info", "warn", "error", "silent"',
});

export const ServerEnvSchema = z.object({
  PORT: positiveInt(3000, 65535),
  THREADBOOK_DATA_DIR: optionalString,
  DYNAMODB_TABLE: optionalString.refine((v) => v === undefined || /^[a-zA-Z0-9_.-]{3,255}$/.test(v), {
    message: "expected a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)",
  }),
  DYNAMODB_ENDPOINT: optionalString.pipe(z.url({ message: "expected a URL" }).optional()),
  AWS_REGION: optionalString,
  AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: "expected at least 32 characters (openssl rand -base64 32)",
  }),
  DEMO_PASSWORD: optionalString,
  LOG_LEVEL: logLevel,
  LOG_LEVEL_DYNAMODB: logLevel,
  MAX_UPLOAD_MB: positiveInt(20, 1024),
  OPENAI_BASE_URL: optionalString.pipe(z.url({ message: "expected a URL" }).optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: optionalString,
  // Limits and timeouts (docs/security.md, "Limits and timeouts").
  API_MAX_BODY_KB: positiveInt(1024, 100 * 1024),
  API_MAX_BATCH: positiveInt(20, 1000),
  DYNAMODB_CONNECT_TIMEOUT_MS: positiveInt(2_000, 600_000),
  DYNAMODB_REQUEST_TIMEOUT_MS: positiveInt(4_000, 600_000),
  DYNAMODB_MAX_ATTEMPTS: positiveInt(2, 10),
  OPENAI_CONNECT_TIMEOUT_MS: positiveInt(30_000, 600_000),
  OPENAI_IDLE_TIMEOUT_MS: positiveInt(60_000, 3_600_000),
});
export type ServerEnv = z.infer<typeof ServerEnvSchema>;

/** Parses with a schema; the first problem becomes `VARIABLE: message`. */
export function parseEnvWith<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const got = env[variable];
  throw new ConfigError(`${variable}: ${issue.message}${got !== undefined ? ` (got "${got}")` : ""}`);
}

export const parseServerEnv = (env: Record<string, string | undefined> = process.env) => parseEnvWith(ServerEnvSchema, env);
