/**
 * Named loggers with levels set one by one (docs/chainlit.md, "Logging"): `DynamoDB` can run at debug while the rest stays at info.
 * Messages are structured; callers pass ids and counts, never credentials or signed URLs.
 */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  readonly name: string;
  level: LogLevel;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level);
const SECRET_FIELD = /secret|password|passwd|token|apikey|api_key|accesskey|accountkey|signature|credential|authorization|cookie|^sig$/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, SECRET_FIELD.test(k) ? "[redacted]" : v]));
}

const loggers = new Map<string, Logger>();

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v ?? "") ? (v as LogLevel) : undefined;
}

/** One logger per name, shared: setting `getLogger("DynamoDB").level` affects every user of it. */
export function getLogger(name: string, level: LogLevel = "info"): Logger {
  const existing = loggers.get(name);
  if (existing) return existing;
  const write = (at: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>) => {
    if (rank(at) < rank(logger.level)) return;
    const line = `${new Date().toISOString()} ${at.toUpperCase()} [${name}] ${message}${fields ? " " + JSON.stringify(redact(fields)) : ""}`;
    (at === "error" ? console.error : at === "warn" ? console.warn : console.log)(line);
  };
  const logger: Logger = {
    name,
    level,
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
  loggers.set(name, logger);
  return logger;
}
