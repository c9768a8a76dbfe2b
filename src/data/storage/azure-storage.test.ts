/** Azure-specific behaviour. Unlike s3rver, azurite validates SAS signatures fully, so forged links are fetched for real. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../../scripts/local-services";
import { type AzureBlobStorageClient, createAzureStorage } from "./azure-storage";
import { attachmentDisposition } from "./content-disposition";
import { elementObjectKey } from "./object-key";
import { CLOCK_SKEW_SECONDS } from "./signing-window";
import { freshStorage } from "../../../test/storage-backends";

const statusOf = async (url: string | URL, init?: RequestInit) => {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
};

describe("Azure read URLs (SAS)", () => {
  let storage: AzureBlobStorageClient;
  const keyA = elementObjectKey("thread-1", randomUUID(), "a.txt");
  const keyB = elementObjectKey("thread-1", randomUUID(), "b.txt");

  beforeAll(async () => {
    storage = await freshStorage("azure");
    for (const objectKey of [keyA, keyB]) await storage.uploadFile({ objectKey, data: objectKey, mime: "text/plain" });
  });
  afterAll(() => storage.close());

  it("are read-only, for one blob, started before now for clock skew, and carry the download name", async () => {
    const before = Date.now();
    const { url, expiresAt } = await storage.getReadUrl(keyA, { downloadName: "报告.txt", mime: "text/plain" });
    const params = new URL(url).searchParams;
    expect(params.get("sp")).toBe("r");
    expect(params.get("sr")).toBe("b");
    expect(params.get("spr")).toBe("https,http"); // azurite is plain http; https endpoints get https-only links
    expect(params.get("rscd")).toBe(attachmentDisposition("报告.txt"));
    expect(params.get("rsct")).toBe("text/plain");
    expect(before - Date.parse(params.get("st")!)).toBeGreaterThanOrEqual(CLOCK_SKEW_SECONDS * 1000 - 1000);
    expect(Date.parse(params.get("se")!)).toBe(Date.parse(expiresAt));
    expect(url).not.toContain(AZURITE_KEY);
    expect(await statusOf(url)).toBe(200);
  });

  it("refuse a tampered signature (403)", async () => {
    const url = new URL((await storage.getReadUrl(keyA)).url);
    const sig = url.searchParams.get("sig")!;
    url.searchParams.set("sig", (sig[0] === "A" ? "B" : "A") + sig.slice(1));
    expect(await statusOf(url)).toBe(403);
  });

  it("refuse a SAS for blob A used on blob B (403)", async () => {
    const url = new URL((await storage.getReadUrl(keyA)).url);
    url.pathname = new URL(storage.container.getBlobClient(keyB).url).pathname;
    expect(await statusOf(url)).toBe(403);
  });

  it("refuse an extended expiry and a write (403)", async () => {
    const { url } = await storage.getReadUrl(keyA, { expiresInSeconds: 60 });
    const extended = new URL(url);
    extended.searchParams.set("se", new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z"));
    expect(await statusOf(extended)).toBe(403);
    expect(await statusOf(url, { method: "PUT", body: "overwritten", headers: { "x-ms-blob-type": "BlockBlob" } })).toBe(403);
  });

  it("are https-only for an https endpoint, signed locally", async () => {
    const remote = createAzureStorage({ containerName: "elements", accountName: "acct", accountKey: AZURITE_KEY });
    const { url } = await remote.getReadUrl(keyA);
    expect(url.startsWith(`https://acct.blob.core.windows.net/elements/${keyA}?`)).toBe(true);
    expect(new URL(url).searchParams.get("spr")).toBe("https");
  });
});

describe("Azure clients", () => {
  it("accept an account name and key with an explicit endpoint", async () => {
    const storage = createAzureStorage({ containerName: `tb-${randomUUID().slice(0, 13)}`, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, endpoint: `${inject("azuriteEndpoint")}/` });
    expect(await storage.ensureExists()).toBe(true);
    expect(await storage.exists()).toBe(true);
  });

  it("name the endpoint when the service is unreachable", async () => {
    const down = createAzureStorage({
      containerName: "elements",
      connectionString: `AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:1/${AZURITE_ACCOUNT}`,
      pipelineOptions: { retryOptions: { maxTries: 1 } },
    });
    await expect(down.deleteFile("thread-1/e/x.txt")).rejects.toMatchObject({
      code: "storage",
      failure: "unreachable",
      message: expect.stringContaining(`Azure container "elements" is unreachable at http://127.0.0.1:1/${AZURITE_ACCOUNT}`),
    });
  });

  it("report access denied with the container's name (wrong account key)", async () => {
    const storage = await freshStorage("azure");
    const stranger = createAzureStorage({
      containerName: storage.container.containerName,
      accountName: AZURITE_ACCOUNT,
      accountKey: Buffer.from("not the key").toString("base64"),
      endpoint: inject("azuriteEndpoint"),
      pipelineOptions: { retryOptions: { maxTries: 1 } },
    });
    const error = await stranger.uploadFile({ objectKey: "thread-1/e/x.txt", data: "x", mime: "text/plain" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "denied", message: expect.stringContaining(`access to Azure container "${storage.container.containerName}" was denied`) });
    expect((error as Error).message).not.toContain(AZURITE_KEY);
  });
});
