/**
 * Configuration errors name the variable and never repeat a secret's value: the message is printed at
 * start, lands in logs and CI output. Each case feeds a bad value that is itself a recognisable "secret".
 */
import { describe, expect, it } from "vitest";
import { parseStorageConfig } from "@/data";
import { startStack } from "../../scripts/stack";
import { checkOAuthEnv } from "./auth/providers";
import { ConfigError, parseServerEnv } from "./env";

const SECRET = "SeCrEt-6f1c2a9e";

/** The error `fn` throws (sync or async), for its message. */
async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

async function expectNamedNotEchoed(fn: () => unknown, variable: string) {
  const error = await errorOf(fn);
  expect(error.message.startsWith(`${variable}: `), error.message).toBe(true);
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toContain(SECRET.slice(0, 8));
}

describe("configuration errors never echo a secret", () => {
  it("server env: AUTH_SECRET, endpoints and the OpenAI URL are named, not shown", async () => {
    await expectNamedNotEchoed(() => parseServerEnv({ AUTH_SECRET: `short-${SECRET}` }), "AUTH_SECRET");
    await expectNamedNotEchoed(() => parseServerEnv({ DYNAMODB_ENDPOINT: `http://AKIA:${SECRET}@[db` }), "DYNAMODB_ENDPOINT");
    await expectNamedNotEchoed(() => parseServerEnv({ OPENAI_BASE_URL: `sk-${SECRET}` }), "OPENAI_BASE_URL");
    await expect(errorOf(() => parseServerEnv({ AUTH_SECRET: `short-${SECRET}` }))).resolves.toBeInstanceOf(ConfigError);
  });

  it("server env: values that are never secret are still shown, to help fix them", () => {
    expect(() => parseServerEnv({ PORT: "80a" })).toThrow('PORT: expected a whole number (got "80a")');
    expect(() => parseServerEnv({ TRUSTED_PROXY_HOPS: "-1" })).toThrow('TRUSTED_PROXY_HOPS: expected a whole number (got "-1")');
  });

  it("storage: keys, connection strings and endpoints are named, not shown", async () => {
    const azure = { STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "files" };
    await expectNamedNotEchoed(() => parseStorageConfig({ ...azure, AZURE_STORAGE_ACCOUNT: "acct", AZURE_STORAGE_KEY: `${SECRET}!*` }), "AZURE_STORAGE_KEY");
    await expectNamedNotEchoed(
      () => parseStorageConfig({ ...azure, AZURE_STORAGE_CONNECTION_STRING: `AccountName=acct;SharedAccessSignature=sig=${SECRET}` }),
      "AZURE_STORAGE_CONNECTION_STRING",
    );
    await expectNamedNotEchoed(
      () => parseStorageConfig({ ...azure, AZURE_STORAGE_CONNECTION_STRING: `AccountName=acct;AccountKey=${SECRET}`, AZURE_STORAGE_ACCOUNT: "acct" }),
      "AZURE_STORAGE_CONNECTION_STRING",
    );
    await expectNamedNotEchoed(() => parseStorageConfig({ S3_BUCKET: "files", S3_ENDPOINT: `http://minio:${SECRET}@ host` }), "S3_ENDPOINT");
    await expectNamedNotEchoed(() => parseStorageConfig({ S3_BUCKET: "files", AWS_SECRET_ACCESS_KEY: SECRET }), "AWS_ACCESS_KEY_ID");
  });

  it("OAuth: client secrets and issuer URLs are named, not shown", async () => {
    await expectNamedNotEchoed(() => checkOAuthEnv({ AUTH_GITHUB_SECRET: SECRET }), "AUTH_GITHUB_ID");
    await expectNamedNotEchoed(
      () => checkOAuthEnv({ AUTH_OIDC_ID: "app", AUTH_OIDC_SECRET: SECRET, AUTH_OIDC_ISSUER: `https://app:${SECRET}@ sso` }),
      "AUTH_OIDC_ISSUER",
    );
  });

  it("npm start (scripts/stack.ts) stops on them with the same one line, before starting anything", async () => {
    const log: string[] = [];
    await expectNamedNotEchoed(() => startStack({ AUTH_SECRET: `short-${SECRET}` }, (line) => log.push(line)), "AUTH_SECRET");
    await expectNamedNotEchoed(
      () => startStack({ STORAGE_PROVIDER: "azure", AZURE_STORAGE_ACCOUNT: "acct", AZURE_STORAGE_KEY: `${SECRET}!*` }, (line) => log.push(line)),
      "AZURE_STORAGE_KEY",
    );
    expect(log.join("\n")).not.toContain(SECRET);
  });
});
