import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { checkCredentials } from "../src/server/auth/credentials";
import { freshTable } from "../test/harness";
import { LOCAL_AWS_CREDENTIALS } from "./local-services";
import { CliError, connect, parseCommand, runCommand, type ParsedCommand } from "./user";

describe("parseCommand", () => {
  it("reads the four commands, keeping the identifier's case", () => {
    expect(parseCommand(["add", "Ada@Example.com", "--name", " Ada Lovelace "])).toEqual({ command: "add", identifier: "Ada@Example.com", name: "Ada Lovelace" });
    expect(parseCommand(["passwd", "ada@example.com"])).toEqual({ command: "passwd", identifier: "ada@example.com" });
    expect(parseCommand(["remove", "ada@example.com"])).toEqual({ command: "remove", identifier: "ada@example.com" });
    expect(parseCommand(["list"])).toEqual({ command: "list" });
  });

  it("is a usage error (exit 2) for anything else", () => {
    for (const argv of [[], ["frob"], ["add"], ["add", "a#FEEDBACK#1"], ["list", "x"], ["passwd", "a", "b"], ["remove", "a", "--name", "x"], ["add", "a", "--password", "x"]]) {
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
    await run({ command: "remove", identifier });
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
    expect(await run({ command: "remove", identifier: identifier.toLowerCase() })).toEqual([
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
    await expect(run({ command: "remove", identifier: "nobody@example.com" })).rejects.toThrow(/No user/);
    await expect(run({ command: "passwd", identifier }, "short")).rejects.toThrow(/at least 8 characters/);
    await expect(run({ command: "add", identifier: `${randomUUID()}@example.com`, name: null }, "short")).rejects.toThrow(/at least 8/);
  });
});
