import { processWide } from "./process-wide";

/**
 * Named loggers with levels set one by one (docs/chainlit.md, "Logging"): `DynamoDB` can run at debug while the rest stays at info.
 * Messages are structured; callers pass ids and counts, never credentials or signed URLs.
 */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `text` for a terminal; `json` (one object per line) for a log collector (LOG_FORMAT, docs/deploy.md). */
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

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

/**
 * The loggers, the format and the level of every logger without its own, one set per process (process-wide.ts): the
 * services set them in the copy of this module that built them (the startup hook's, in a built server), and every
 * other copy (the routes', the pages', the HTTP entry's) must log the same way, or LOG_FORMAT=json left their lines
 * as text.
 */
const logging = processWide("logging", () => ({ loggers: new Map<string, Logger>(), format: "text" as LogFormat, level: "info" as LogLevel }));
const loggers = logging.loggers;

/** Every logger of the process writes in this format from now on. */
export function setLogFormat(next: LogFormat) {
  logging.format = next;
}

/**
 * Every logger of the process without a level of its own (given to getLogger or set on it) logs at this one from now
 * on (LOG_LEVEL, "the level of every logger"): the app's loggers are made at module load, before it is read.
 */
export function setLogLevel(next: LogLevel) {
  logging.level = next;
}

function formatLine(at: Exclude<LogLevel, "silent">, name: string, message: string, fields?: Record<string, unknown>): string {
  const time = new Date().toISOString();
  const safe = fields ? redact(fields) : undefined;
  // The fixed keys come last so a field can never pass itself off as the level or the message.
  if (logging.format === "json") return JSON.stringify({ ...safe, time, level: at, logger: name, msg: message });
  return `${time} ${at.toUpperCase()} [${name}] ${message}${safe ? " " + JSON.stringify(safe) : ""}`;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v ?? "") ? (v as LogLevel) : undefined;
}

/** One logger per name, shared: setting `getLogger("DynamoDB").level` affects every user of it. */
export function getLogger(name: string, level?: LogLevel): Logger {
  const existing = loggers.get(name);
  if (existing) return existing;
  const write = (at: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>) => {
    if (rank(at) < rank(logger.level)) return;
    const line = formatLine(at, name, message, fields);
    (at === "error" ? console.error : at === "warn" ? console.warn : console.log)(line);
  };
  let own = level;
  const logger: Logger = {
    name,
    get level() {
      return own ?? logging.level;
    },
    set level(next) {
      own = next;
    },
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
  loggers.set(name, logger);
  return logger;
}
