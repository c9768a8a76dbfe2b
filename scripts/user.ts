/**
 * `npm run user -- add|passwd|remove|list`: manage who can sign in with a password. `remove` deletes everything of
 * the user, as "Delete my account" does (remove-account.ts), unless `--keep-threads` asks for the account alone.
 *
 * It works on the table the environment names (DYNAMODB_TABLE, DYNAMODB_ENDPOINT, AWS_REGION; `.env` is read), or,
 * with DYNAMODB_TABLE unset, on the embedded default's data under THREADBOOK_DATA_DIR, which it opens itself.
 * Passwords come from stdin: a prompt without echo on a terminal, else one line (`echo pw | npm run user -- add x`),
 * never from argv, where `ps` and shell history would show them.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { z } from "zod";
import { DynamoDBDataLayer, IdentifierSchema } from "../src/data";
import { createDynamoClient, createStorageFromConfig, dynamoSettings, parseStorageConfig } from "../src/data";
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN } from "../src/server/auth/password";
import { removeAccount } from "../src/server/deletion/remove-account";
import { ConfigError, parseServerEnv } from "../src/server/env";
import { loadDotEnv, startStack, type Stack } from "./stack";

const USAGE = `Usage:
  npm run user -- add <identifier> [--name "Display Name"]   create a user (password from stdin)
  npm run user -- passwd <identifier>                          set a user's password (from stdin)
  npm run user -- remove <identifier> [--keep-threads]         delete a user and everything of theirs: threads,
                                                               files, pins, shares (as "Delete my account");
                                                               --keep-threads deletes only the account
  npm run user -- list                                         list users`;

/** A failure the user can act on: printed as one line, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CliIo {
  /** With the app's storage for `remove` (the files of the user's threads go too). */
  data: DynamoDBDataLayer;
  readPassword(prompt: string, options: { confirm: boolean }): Promise<string>;
  out(line: string): void;
}

export type ParsedCommand =
  | { command: "add"; identifier: string; name: string | null }
  | { command: "passwd"; identifier: string }
  | { command: "remove"; identifier: string; keepThreads: boolean }
  | { command: "list" };

/**
 * Kept as typed: Chainlit keys a user's threads by the identifier's exact case. Commands on an existing user find it
 * in any case; `add` refuses one that differs only in case from a user already there.
 */
function identifierArg(value: string | undefined): string {
  if (!value) throw new CliError(`Missing <identifier>.\n${USAGE}`, 2);
  const parsed = IdentifierSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`Invalid identifier "${value}": ${parsed.error.issues[0]!.message}`, 2);
  return parsed.data;
}

export function parseCommand(argv: string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { name: { type: "string" }, "keep-threads": { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const [command, identifier, ...extra] = parsed.positionals;
  if (parsed.values.help || !command) throw new CliError(USAGE, parsed.values.help ? 0 : 2);
  if (extra.length > 0 || (command === "list" && identifier)) throw new CliError(`Too many arguments.\n${USAGE}`, 2);
  if (parsed.values.name !== undefined && command !== "add") throw new CliError(`--name only applies to add.\n${USAGE}`, 2);
  if (parsed.values["keep-threads"] && command !== "remove") throw new CliError(`--keep-threads only applies to remove.\n${USAGE}`, 2);
  switch (command) {
    case "add": {
      const name = parsed.values.name?.trim() || null;
      if (name && name.length > 200) throw new CliError("--name must be at most 200 characters", 2);
      return { command, identifier: identifierArg(identifier), name };
    }
    case "passwd":
      return { command, identifier: identifierArg(identifier) };
    case "remove":
      return { command, identifier: identifierArg(identifier), keepThreads: parsed.values["keep-threads"] === true };
    case "list":
      return { command };
    default:
      throw new CliError(`Unknown command "${command}".\n${USAGE}`, 2);
  }
}

const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN, `the password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `the password must be at most ${PASSWORD_MAX} characters`);

async function newPasswordHash(io: CliIo, identifier: string): Promise<string> {
  const password = await io.readPassword(`New password for ${identifier}: `, { confirm: true });
  const checked = PasswordSchema.safeParse(password);
  if (!checked.success) throw new CliError(`Not changed: ${checked.error.issues[0]!.message}.`);
  return hashPassword(checked.data);
}

/** The stored identifier of the user `typed` names in any case; a CliError when there is none. */
async function existingUser(io: CliIo, typed: string, hint: string): Promise<string> {
  const user = await io.data.findUser(typed);
  if (!user) throw new CliError(`No user ${typed}${hint}`);
  return user.identifier;
}

/**
 * The complete deletion "Delete my account" runs (remove-account.ts): also of a user whose account is already gone but
 * whose deletion did not finish (a "Delete my account" that failed: its job item is still there).
 */
async function removeWithEverything(io: CliIo, typed: string): Promise<void> {
  const found = await io.data.findUser(typed);
  const unfinished = found ? null : await io.data.getDeletionJob(typed);
  if (!found && !(unfinished?.kind === "account" && unfinished.status !== "done")) throw new CliError(`No user ${typed}.`);
  const identifier = found?.identifier ?? typed;
  const outcome = await removeAccount(io.data, identifier);
  switch (outcome.kind) {
    case "removed":
      io.out(`Removed ${identifier} and everything of theirs: ${outcome.deleted} thread${outcome.deleted === 1 ? "" : "s"} with their files, pins and shares. Their sessions end within a minute.`);
      return;
    case "left-to-the-app":
      io.out(`Removed ${identifier}'s account; a delete job of theirs is running in the app and now deletes everything of theirs. Their sessions end within a minute.`);
      return;
    case "import-running":
      throw new CliError(`An import of ${identifier} is running; wait for it to finish or cancel it, then remove again. Nothing was deleted.`);
    case "failed":
      throw new CliError(
        `Removed ${identifier}'s account, but deleting their threads failed (${outcome.error}). Run remove again to finish; the app also retries it.`,
      );
  }
}

export async function runCommand(command: ParsedCommand, io: CliIo): Promise<void> {
  switch (command.command) {
    case "add": {
      // createUser never overwrites, but it would also not say the user was already there.
      const existing = await io.data.findUser(command.identifier);
      if (existing) throw new CliError(`User ${existing.identifier} already exists; use passwd to change the password.`);
      const hash = await newPasswordHash(io, command.identifier);
      const created = await io.data.createUser({ identifier: command.identifier, displayName: command.name, metadata: {} });
      // Someone added the same person in another case meanwhile: theirs stands, and their password too.
      if (created.identifier !== command.identifier) throw new CliError(`User ${created.identifier} already exists; use passwd to change the password.`);
      await io.data.setUserPassword(command.identifier, hash);
      io.out(`Added ${command.identifier}${command.name ? ` (${command.name})` : ""}.`);
      return;
    }
    case "passwd": {
      const identifier = await existingUser(io, command.identifier, "; use add to create one.");
      await io.data.setUserPassword(identifier, await newPasswordHash(io, identifier));
      io.out(`Password changed for ${identifier}; their sessions end within a minute.`);
      return;
    }
    case "remove": {
      if (command.keepThreads) {
        const identifier = await existingUser(io, command.identifier, ".");
        await io.data.deleteUser(identifier);
        io.out(`Removed ${identifier}; their sessions end within a minute. Their threads are kept; adding the user again gives them back.`);
        return;
      }
      await removeWithEverything(io, command.identifier);
      return;
    }
    case "list": {
      const users = await io.data.listUsers();
      for (const u of users) io.out([u.identifier, u.displayName ?? "", u.createdAt].join("\t"));
      if (users.length === 0) io.out("No users yet. Add one with: npm run user -- add <identifier>");
    }
  }
}

// ---------------------------------------------------------------- stdin

/** Reads one line; on a terminal, without echoing it. */
export async function readSecretLine(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) {
    const lines = createInterface({ input: stdin, terminal: false });
    try {
      for await (const line of lines) return line;
    } finally {
      lines.close();
    }
    throw new CliError("No password on stdin (send one line, or run in a terminal to be prompted).");
  }
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = "";
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === "\r" || char === "\n") return done(() => resolve(value));
          if (char === "\u0003") return done(() => reject(new CliError("Cancelled.", 130)));
          if (char === "\u0004") return done(() => (value ? resolve(value) : reject(new CliError("Cancelled.", 130))));
          if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
          else value += char;
        }
      };
      const done = (finish: () => void) => {
        stdin.off("data", onData);
        stderr.write("\n");
        finish();
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function readPassword(prompt: string, { confirm }: { confirm: boolean }): Promise<string> {
  const password = await readSecretLine(prompt);
  if (confirm && process.stdin.isTTY && (await readSecretLine("Repeat it: ")) !== password) throw new CliError("Not changed: the passwords differ.");
  return password;
}

// ---------------------------------------------------------------- the table

/**
 * dynalite keeps the embedded table in LevelDB, which one process at a time may open. A second opener does not fail
 * at start: its first request crashes it with "Database is not open". So the lock is tried first, to say why.
 */
async function assertEmbeddedDataFree(dataDir: string): Promise<void> {
  const dbDir = path.join(dataDir, "dynamodb");
  if (!existsSync(dbDir)) return;
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const { Level } = requireFromDynalite("level") as { Level: new (dir: string) => { open(): Promise<void>; close(): Promise<void> } };
  const db = new Level(dbDir);
  try {
    await db.open();
  } catch (error) {
    const detail = String((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    if (/lock/i.test(detail)) {
      throw new CliError(
        `The embedded data in ${dataDir} is in use by another process (is Threadbook running with npm start?). ` +
          "Stop it first, or point DYNAMODB_TABLE at a table the app shares.",
      );
    }
    throw error;
  } finally {
    await db.close().catch(() => undefined);
  }
}

interface Connection {
  data: DynamoDBDataLayer;
  describe: string;
  /** The environment the table (and storage) were opened with: the embedded stack's when it was started here. */
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** layerFor's, with the storage the environment names (the app's: S3 or Azure, the embedded one when started here). */
export function layerWithStorage(env: Record<string, string | undefined>): DynamoDBDataLayer {
  const client = createDynamoClient(dynamoSettings({ DYNAMODB_MAX_ATTEMPTS: "4", ...env }));
  return new DynamoDBDataLayer({ tableName: env.DYNAMODB_TABLE!, client, storageProvider: createStorageFromConfig(parseStorageConfig(env)) });
}

function layerFor(env: Record<string, string | undefined>): DynamoDBDataLayer {
  // An operator's one-off command can wait for a few more retries than a request on the server would.
  const client = createDynamoClient(dynamoSettings({ DYNAMODB_MAX_ATTEMPTS: "4", ...env }));
  return new DynamoDBDataLayer({ tableName: env.DYNAMODB_TABLE!, client });
}

export async function connect(env: Record<string, string | undefined>, log: (line: string) => void): Promise<Connection> {
  const serverEnv = parseServerEnv(env);
  if (serverEnv.DYNAMODB_TABLE) {
    const data = layerFor(env);
    return { data, describe: `table ${serverEnv.DYNAMODB_TABLE}`, env, close: () => data.close() };
  }
  const dataDir = path.resolve(serverEnv.THREADBOOK_DATA_DIR ?? ".data");
  await assertEmbeddedDataFree(dataDir);
  const stack: Stack = await startStack(env, log);
  const data = layerFor(stack.env);
  return {
    data,
    describe: `the embedded data in ${dataDir}`,
    env: stack.env,
    async close() {
      await data.close();
      await stack.stop();
    },
  };
}

/** Prints why a CLI run failed, in one line (usage and help as they are); returns its exit code. */
function reportFailure(error: unknown, connection: Pick<Connection, "describe"> | null, err: (line: string) => void): number {
  if (error instanceof CliError) {
    (error.exitCode === 0 ? (line: string) => process.stdout.write(`${line}\n`) : err)(error.message);
    return error.exitCode;
  }
  if (error instanceof ConfigError) err(`Configuration error: ${error.message}`);
  else err(`Failed${connection ? ` on ${connection.describe}` : ""}: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/** The frame of a CLI over the table (shared with doctor.ts): parse argv, open the table, run, report, close. */
export async function runOnTable<T>(parse: (argv: string[]) => T, run: (args: T, connection: Connection, err: (line: string) => void) => Promise<number>): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let connection: Connection | null = null;
  try {
    const args = parse(process.argv.slice(2));
    loadDotEnv();
    connection = await connect(process.env, err);
    return await run(args, connection, err);
  } catch (error) {
    return reportFailure(error, connection, err);
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** Runs `main` only when `moduleUrl` is the entry point: the CLIs are imported by their tests. */
export function runIfEntryPoint(moduleUrl: string, main: () => Promise<number>): void {
  if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(moduleUrl).pathname)) {
    main().then((code) => process.exit(code));
  }
}

runIfEntryPoint(import.meta.url, () =>
  runOnTable(parseCommand, async (command, connection) => {
    // Removing everything deletes the files of the user's threads: a layer with the storage the app uses.
    const withStorage = command.command === "remove" && !command.keepThreads;
    const data = withStorage ? layerWithStorage(connection.env) : connection.data;
    try {
      await runCommand(command, { data, readPassword, out: (line) => process.stdout.write(`${line}\n`) });
    } finally {
      if (data !== connection.data) await data.close();
    }
    return 0;
  }),
);
