import { randomUUID } from "node:crypto";
import { describe, expect, inject, it, vi } from "vitest";
import { AZURITE_KEY, azuriteConnectionString, LOCAL_AWS_CREDENTIALS } from "../../../scripts/local-services";
import { getLogger } from "../logger";
import { parseAzureConnectionString } from "./azure-connection-string";
import { AzureBlobStorageClient } from "./azure-storage";
import { S3StorageClient } from "./s3-storage";
import { createStorageFromConfig, ensureStorageReady, parseStorageConfig, type Env } from "./storage-config";
import { DEFAULT_STORAGE_TIMEOUTS } from "./storage-client";

const S3_ENV: Env = { S3_BUCKET: "threadbook-elements", AWS_REGION: "eu-west-1" };
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZURITE_KEY};EndpointSuffix=core.windows.net`;
const AZURE_ENV: Env = { STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "elements", AZURE_STORAGE_CONNECTION_STRING: CONNECTION_STRING };

/** The message, checked to be one line that starts with the variable. */
function failure(env: Env): string {
  try {
    parseStorageConfig(env);
  } catch (error) {
    const message = (error as Error).message;
    expect(message).not.toMatch(/\n/);
    return message;
  }
  throw new Error("expected parseStorageConfig to throw");
}

describe("parseStorageConfig: good environments", () => {
  it("defaults to S3 with a 300 s expiry", () => {
    expect(parseStorageConfig(S3_ENV)).toEqual({
      provider: "s3",
      bucket: "threadbook-elements",
      region: "eu-west-1",
      endpoint: undefined,
      forcePathStyle: false,
      credentials: undefined,
      expiresInSeconds: 300,
      timeouts: DEFAULT_STORAGE_TIMEOUTS,
    });
  });

  it("reads the storage timeouts", () => {
    const env = { ...S3_ENV, STORAGE_CONNECT_TIMEOUT_MS: "500", STORAGE_REQUEST_TIMEOUT_MS: "9000", STORAGE_MAX_ATTEMPTS: "2" };
    expect(parseStorageConfig(env).timeouts).toEqual({ connectTimeoutMs: 500, requestTimeoutMs: 9000, maxAttempts: 2 });
  });

  it("leaves the region to the AWS SDK's own chain when AWS_REGION is unset on AWS", () => {
    expect(parseStorageConfig({ S3_BUCKET: "b-1" })).toMatchObject({ provider: "s3", region: undefined });
  });

  it("reads an S3-compatible endpoint, path style, explicit credentials and expiry; blanks count as unset", () => {
    const config = parseStorageConfig({
      STORAGE_PROVIDER: "S3",
      S3_BUCKET: "local",
      S3_ENDPOINT: "http://127.0.0.1:4569",
      S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: "",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      STORAGE_URL_EXPIRES_SECONDS: "3600",
    });
    expect(config).toMatchObject({ provider: "s3", region: "us-east-1", forcePathStyle: true, expiresInSeconds: 3600 });
    expect(config.provider === "s3" && config.credentials).toEqual({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
  });

  it("reads Azure from a connection string or an account and key", () => {
    expect(parseStorageConfig(AZURE_ENV)).toEqual({ provider: "azure", containerName: "elements", connectionString: CONNECTION_STRING, expiresInSeconds: 300, timeouts: DEFAULT_STORAGE_TIMEOUTS });
    expect(parseStorageConfig({ STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "elements", AZURE_STORAGE_ACCOUNT: "acct", AZURE_STORAGE_KEY: AZURITE_KEY })).toEqual({
      provider: "azure",
      containerName: "elements",
      accountName: "acct",
      accountKey: AZURITE_KEY,
      expiresInSeconds: 300,
      timeouts: DEFAULT_STORAGE_TIMEOUTS,
    });
  });

  it("builds the matching client", async () => {
    const s3 = createStorageFromConfig(parseStorageConfig(S3_ENV));
    const azure = createStorageFromConfig(parseStorageConfig(AZURE_ENV));
    expect(s3).toBeInstanceOf(S3StorageClient);
    expect(s3.description).toBe("s3://threadbook-elements");
    expect(azure).toBeInstanceOf(AzureBlobStorageClient);
    expect(azure.description).toBe("azure://elements");
    await Promise.all([s3.close(), azure.close()]);
  });
});

describe("parseStorageConfig: one line naming the bad variable", () => {
  it.each<[string, Env, string]>([
    ["unknown provider", { ...S3_ENV, STORAGE_PROVIDER: "ftp" }, 'STORAGE_PROVIDER: expected "s3" or "azure", got "ftp"'],
    ["no bucket", { AWS_REGION: "eu-west-1" }, 'S3_BUCKET: required when STORAGE_PROVIDER is "s3"'],
    ["bad bucket", { ...S3_ENV, S3_BUCKET: "My_Bucket" }, 'S3_BUCKET: expected 3–63 lowercase letters, digits, "." or "-", got "My_Bucket"'],
    ["bad region", { ...S3_ENV, AWS_REGION: "Europe" }, 'AWS_REGION: expected an AWS region such as eu-west-1, got "Europe"'],
    ["bad endpoint", { ...S3_ENV, S3_ENDPOINT: "localhost:4569" }, "S3_ENDPOINT: expected an http(s) URL"],
    ["bad boolean", { ...S3_ENV, S3_FORCE_PATH_STYLE: "maybe" }, 'S3_FORCE_PATH_STYLE: expected "true" or "false", got "maybe"'],
    ["half the AWS keys", { ...S3_ENV, AWS_ACCESS_KEY_ID: "AKIA" }, "AWS_SECRET_ACCESS_KEY: required with AWS_ACCESS_KEY_ID"],
    ["expiry too short", { ...S3_ENV, STORAGE_URL_EXPIRES_SECONDS: "5" }, 'STORAGE_URL_EXPIRES_SECONDS: expected whole seconds from 10 to 604800, got "5"'],
    ["expiry too long", { ...S3_ENV, STORAGE_URL_EXPIRES_SECONDS: "604801" }, "STORAGE_URL_EXPIRES_SECONDS: expected whole seconds from 10 to 604800"],
    ["expiry not a number", { ...S3_ENV, STORAGE_URL_EXPIRES_SECONDS: "5m" }, 'got "5m"'],
    ["timeout not a number", { ...S3_ENV, STORAGE_REQUEST_TIMEOUT_MS: "30s" }, 'STORAGE_REQUEST_TIMEOUT_MS: expected a whole number from 1 to 3600000, got "30s"'],
    ["no attempts", { ...S3_ENV, STORAGE_MAX_ATTEMPTS: "0" }, "STORAGE_MAX_ATTEMPTS: expected a whole number from 1 to 10"],
    ["no container", { STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONNECTION_STRING: CONNECTION_STRING }, 'AZURE_STORAGE_CONTAINER: required when STORAGE_PROVIDER is "azure"'],
    ["bad container", { ...AZURE_ENV, AZURE_STORAGE_CONTAINER: "a--b" }, 'AZURE_STORAGE_CONTAINER: expected 3–63 lowercase letters, digits or single "-", got "a--b"'],
    ["no credentials", { STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "elements" }, "AZURE_STORAGE_CONNECTION_STRING: required when"],
    ["both credentials", { ...AZURE_ENV, AZURE_STORAGE_ACCOUNT: "acct" }, "AZURE_STORAGE_CONNECTION_STRING: set either it or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY, not both"],
    ["account without key", { STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "elements", AZURE_STORAGE_ACCOUNT: "acct" }, "AZURE_STORAGE_KEY: required with AZURE_STORAGE_ACCOUNT"],
    ["SAS-only connection string", { ...AZURE_ENV, AZURE_STORAGE_CONNECTION_STRING: "BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2024&sig=abc" }, "AZURE_STORAGE_CONNECTION_STRING: the connection string has no AccountName and AccountKey"],
  ])("%s", (_label, env, expected) => {
    expect(failure(env)).toContain(expected);
  });

  it("never repeats a secret", () => {
    const secret = "SECRETsecretSECRET";
    expect(failure({ ...AZURE_ENV, AZURE_STORAGE_CONNECTION_STRING: `AccountName=acct;SharedAccessSignature=${secret}` })).not.toContain(secret);
    expect(failure({ STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "elements", AZURE_STORAGE_ACCOUNT: "acct", AZURE_STORAGE_KEY: `${secret}!!` })).toBe(
      "AZURE_STORAGE_KEY: expected a base64 account key",
    );
  });
});

describe("parseAzureConnectionString", () => {
  it("keeps the key's = padding and builds the endpoint from protocol and suffix", () => {
    expect(parseAzureConnectionString(CONNECTION_STRING)).toEqual({ accountName: "acct", accountKey: AZURITE_KEY, blobEndpoint: "https://acct.blob.core.windows.net" });
  });

  it("prefers BlobEndpoint and understands UseDevelopmentStorage", () => {
    const local = parseAzureConnectionString(`AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;`);
    expect(local.blobEndpoint).toBe("http://127.0.0.1:10000/devstoreaccount1");
    expect(parseAzureConnectionString("UseDevelopmentStorage=true")).toEqual({ ...local, accountName: "devstoreaccount1" });
  });
});

describe("ensureStorageReady (real s3rver and azurite)", () => {
  const fresh = () => `tb-${randomUUID().slice(0, 13)}`;
  const s3Env = (bucket: string, credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_AWS_CREDENTIALS): Env => ({
    S3_BUCKET: bucket,
    S3_ENDPOINT: inject("s3Endpoint"),
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  const azureEnv = (container: string): Env => ({
    STORAGE_PROVIDER: "azure",
    AZURE_STORAGE_CONTAINER: container,
    AZURE_STORAGE_CONNECTION_STRING: azuriteConnectionString(inject("azuriteEndpoint")),
  });

  it.each([
    ["s3", s3Env, "S3 bucket"],
    ["azure", azureEnv, "Azure container"],
  ] as const)("%s: creates when asked, otherwise fails naming what is missing", async (_backend, envFor, kind) => {
    const name = fresh();
    const config = parseStorageConfig(envFor(name));
    await expect(ensureStorageReady(config)).rejects.toMatchObject({ code: "storage", message: `${kind} "${name}" does not exist; create it first` });
    expect(await ensureStorageReady(config, { create: true })).toBe(true);
    expect(await ensureStorageReady(config, { create: true })).toBe(false);
    expect(await ensureStorageReady(config)).toBe(false);
  });

  it("only warns when the check itself is denied (a policy without s3:ListBucket)", async () => {
    const warn = vi.spyOn(getLogger("Storage"), "warn").mockImplementation(() => {});
    const config = parseStorageConfig(s3Env(fresh(), { accessKeyId: "NOBODY", secretAccessKey: "x" }));
    expect(await ensureStorageReady(config)).toBe(false);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});
