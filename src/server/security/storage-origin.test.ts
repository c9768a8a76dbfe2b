/** The CSP's storage origin is read off a link each real backend signs (s3rver and azurite, started by the suite). */
import { describe, expect, inject, it } from "vitest";
import { createStorageFromConfig, parseStorageConfig } from "@/data";
import { freshStorage } from "../../../test/storage-backends";
import { storageOrigin } from "./storage-origin";

describe("storageOrigin", () => {
  it("is the endpoint's origin for a path-style S3 endpoint (s3rver, MinIO)", async () => {
    const storage = await freshStorage("s3");
    try {
      expect(await storageOrigin(storage)).toBe(new URL(inject("s3Endpoint")).origin);
    } finally {
      await storage.close();
    }
  });

  it("is the Blob endpoint's origin for Azure (azurite)", async () => {
    const storage = await freshStorage("azure");
    try {
      expect(await storageOrigin(storage)).toBe(new URL(inject("azuriteEndpoint")).origin);
    } finally {
      await storage.close();
    }
  });

  it("is the bucket's regional host on AWS and the account's host on Azure, signed locally without a request", async () => {
    const aws = createStorageFromConfig(parseStorageConfig({ S3_BUCKET: "acme-files", AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x".repeat(40) }));
    const azure = createStorageFromConfig(
      parseStorageConfig({ STORAGE_PROVIDER: "azure", AZURE_STORAGE_CONTAINER: "files", AZURE_STORAGE_ACCOUNT: "acmefiles", AZURE_STORAGE_KEY: Buffer.from("k".repeat(32)).toString("base64") }),
    );
    try {
      expect(await storageOrigin(aws)).toBe("https://acme-files.s3.eu-west-1.amazonaws.com");
      expect(await storageOrigin(azure)).toBe("https://acmefiles.blob.core.windows.net");
    } finally {
      await Promise.all([aws.close(), azure.close()]);
    }
  });
});
