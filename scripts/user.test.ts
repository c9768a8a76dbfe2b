import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { checkCredentials } from "../src/server/auth/credentials";
import { freshTable } from "../test/harness";
import { LOCAL_AWS_CREDENTIALS } from "./local-services";
import { CliError, connect, parseCommand, runCommand, type ParsedCommand } from "./user";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { callerFor, createTestServices, seedThread, sessionUser } from "../test/callers";
import { chainlitThread, tableOn } from "../test/data-fixtures";

describe("parseCommand", () => {
  it("reads the four commands, keeping the identifier's case", () => {
    expect(parseCommand(["add", "Ada@Example.com", "--name", " Ada Lovelace "])).toEqual({ command: "add", identifier: "Ada@Example.com", name: "Ada Lovelace" });
    expect(parseCommand(["passwd", "ada@example.com"])).toEqual({ command: "passwd", identifier: "ada@example.com" });
    expect(parseCommand(["remove", "ada@example.com"])).toEqual({ command: "remove", identifier: "ada@example.com", keepThreads: false });
    expect(parseCommand(["remove", "ada@example.com", "--keep-threads"])).toEqual({ command: "remove", identifier: "ada@example.com", keepThreads: true });
    expect(parseCommand(["list"])).toEqual({ command: "list" });
  });

  it("is a usage error (exit 2) for anything else", () => {
    for (const argv of [[], ["frob"], ["add"], ["add", "a#FEEDBACK#1"], ["list", "x"], ["passwd", "a", "b"], ["remove", "a", "--name", "x"], ["passwd", "a", "--keep-threads"], ["add", "a", "--password", "x"]]) {
      expect(() => parseCommand(argv), argv.join(" ")).toThrow(CliError);
      try {
        parseCommand(argv);
      } catch (error) {
        expect((error as CliError).exitCode, argv.join(" ")).toBe(2);
      }
    }
  });
});

describe("runCommand on a configured table", () => {
  let connection: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    const { tableName, client } = await freshTable();
    client.destroy();
    connection = await connect(
      {
        DYNAMODB_TABLE: tableName,
        DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      },
      () => undefined,
    );
  });
  afterAll(() => connection.close());

  const run = async (command: ParsedCommand, password = "a long password") => {
    const lines: string[] = [];
    await runCommand(command, { data: connection.data, readPassword: async () => password, out: (line) => lines.push(line) });
    return lines;
  };

  it("adds a user who can then sign in, changes the password, lists and removes", async () => {
    const identifier = `${randomUUID()}@example.com`;
    expect(await run({ command: "add", identifier, name: "Ada" })).toEqual([`Added ${identifier} (Ada).`]);
    expect(await checkCredentials(connection.data, { identifier, password: "a long password" }, "cli-test")).toMatchObject({ ok: true });
    await run({ command: "passwd", identifier }, "another long one");
    expect(await checkCredentials(connection.data, { identifier, password: "another long one" }, "cli-test")).toMatchObject({ ok: true });
    expect((await run({ command: "list" })).some((line) => line.startsWith(`${identifier}\tAda\t`))).toBe(true);
    await run({ command: "remove", identifier, keepThreads: true });
    expect(await connection.data.getUser(identifier)).toBeNull();
  });

  it("keeps the case given, finds the user in any case, and refuses a second user differing only in case", async () => {
    const identifier = `Erin.Walsh-${randomUUID()}@Contoso.com`;
    expect(await run({ command: "add", identifier, name: null })).toEqual([`Added ${identifier}.`]);
    expect(await connection.data.getUser(identifier)).toMatchObject({ identifier });
    await expect(run({ command: "add", identifier: identifier.toLowerCase(), name: null })).rejects.toThrow(`User ${identifier} already exists`);
    expect(await connection.data.getUser(identifier.toLowerCase())).toBeNull();
    expect(await run({ command: "passwd", identifier: identifier.toUpperCase() }, "changed password")).toEqual([
      `Password changed for ${identifier}; their sessions end within a minute.`,
    ]);
    expect(await checkCredentials(connection.data, { identifier: identifier.toLowerCase(), password: "changed password" }, "cli-case")).toMatchObject({
      ok: true,
      user: { id: identifier },
    });
    expect(await run({ command: "remove", identifier: identifier.toLowerCase(), keepThreads: true })).toEqual([
      `Removed ${identifier}; their sessions end within a minute. Their threads are kept; adding the user again gives them back.`,
    ]);
    expect(await connection.data.findUser(identifier)).toBeNull();
    expect(await connection.data.getSessionVersion(identifier)).toBeNull();
  });

  it("fails clearly: existing user, missing user, short password", async () => {
    const identifier = `${randomUUID()}@example.com`;
    await run({ command: "add", identifier, name: null });
    await expect(run({ command: "add", identifier, name: null })).rejects.toThrow(/already exists/);
    await expect(run({ command: "passwd", identifier: "nobody@example.com" })).rejects.toThrow(/No user/);
    await expect(run({ command: "remove", identifier: "nobody@example.com", keepThreads: true })).rejects.toThrow(/No user/);
    await expect(run({ command: "remove", identifier: "nobody@example.com", keepThreads: false })).rejects.toThrow(/No user/);
    await expect(run({ command: "passwd", identifier }, "short")).rejects.toThrow(/at least 8 characters/);
    await expect(run({ command: "add", identifier: `${randomUUID()}@example.com`, name: null }, "short")).rejects.toThrow(/at least 8/);
  });
});

describe("remove: the complete account deletion", () => {
  let services: Awaited<ReturnType<typeof createTestServices>>;
  beforeAll(async () => {
    services = await createTestServices();
  });
  afterAll(() => services.close());

  const run = async (command: ParsedCommand) => {
    const lines: string[] = [];
    await runCommand(command, { data: services.data, readPassword: async () => "a long password", out: (line) => lines.push(line) });
    return lines;
  };
  const userPartition = async (identifier: string) =>
    (await services.data.context.doc.send(new QueryCommand({ TableName: services.tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": `USER#${identifier}` }, ConsistentRead: true }))).Items ?? [];
  const exists = (objectKey: string) => services.storage.size(objectKey).then(() => true, () => false);

  async function userWithEverything() {
    const identifier = `${randomUUID()}@example.com`;
    await run({ command: "add", identifier, name: null });
    const ours = await seedThread(services, identifier, "Ours");
    const file = (await services.data.getElement(ours.threadId, ours.elementId))!.objectKey!;
    // A thread a Chainlit app wrote for them, its file under Chainlit's `{user}/{thread}/{element}` key.
    const theirs = chainlitThread(identifier, randomUUID(), { at: new Date(Date.now() - 60_000).toISOString() });
    const table = tableOn(services.client, services.tableName);
    for (const item of theirs.items) await table.putRaw(item);
    await services.storage.uploadFile({ objectKey: theirs.objectKey, data: "chainlit file", mime: "text/plain" });
    await callerFor(services, sessionUser(identifier)).threads.pin({ threadId: ours.threadId });
    return { identifier, table, threads: [ours.threadId, theirs.thread.id!.S!], files: [file, theirs.objectKey] };
  }

  it("deletes the user, their threads (Chainlit's too), the threads' files, pins and every item keyed by them", async () => {
    const { identifier, table, threads, files } = await userWithEverything();
    expect(await run({ command: "remove", identifier: identifier.toUpperCase(), keepThreads: false })).toEqual([
      `Removed ${identifier} and everything of theirs: 2 threads with their files, pins and shares. Their sessions end within a minute.`,
    ]);
    for (const threadId of threads) expect(await table.partitionSks(threadId)).toEqual([]);
    for (const file of files) expect(await exists(file)).toBe(false);
    expect(await userPartition(identifier)).toEqual([]);
    expect(await services.data.findUser(identifier)).toBeNull();
  });

  it("with --keep-threads deletes only the account, as before", async () => {
    const { identifier, table, threads, files } = await userWithEverything();
    await run({ command: "remove", identifier, keepThreads: true });
    expect(await services.data.findUser(identifier)).toBeNull();
    for (const threadId of threads) expect(await table.partitionSks(threadId)).toContain("THREAD");
    for (const file of files) expect(await exists(file)).toBe(true);
  });

  it("finishes a Delete my account that failed for good, whose user is already gone", async () => {
    const { identifier, table, threads } = await userWithEverything();
    const { job } = await services.data.startDeletionJob(identifier, "account", "gone-runner");
    await services.data.deleteUser(identifier);
    await services.data.updateDeletionJob(identifier, "gone-runner", { status: "failed", failures: 5, error: "the table was down" }, { keep: true });
    expect(job.kind).toBe("account");
    expect(await run({ command: "remove", identifier, keepThreads: false })).toHaveLength(1);
    for (const threadId of threads) expect(await table.partitionSks(threadId)).toEqual([]);
    expect(await userPartition(identifier)).toEqual([]);
  });
});
