/**
 * S3-specific behaviour. s3rver checks a presigned URL's expiry but NOT its SigV4 signature (docs/testing.md,
 * "s3rver"): a tampered or moved link still gets 200 there. So instead of fetching forged links, these tests check
 * the URL's signing parameters and recompute the signature independently.
 */
import { createHash, createHmac } from "node:crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { LOCAL_AWS_CREDENTIALS } from "../../../scripts/local-services";
import { REGION, s3Client } from "../../../test/harness";
import { getLogger } from "../logger";
import { attachmentDisposition } from "./content-disposition";
import { createS3Storage, type S3StorageClient } from "./s3-storage";
import { freshStorage } from "../../../test/storage-backends";

const KEY = "thread-1/element-1/report.csv";

/** SigV4 query-string auth, recomputed from the AWS spec with node:crypto alone: true if `url` is signed with `secret`. */
function sigV4Matches(url: URL, secret: string): boolean {
  const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams]
    .filter(([name]) => name !== "X-Amz-Signature")
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .sort()
    .join("&");
  const canonicalRequest = ["GET", url.pathname, query, `host:${url.host}`, "", "host", "UNSIGNED-PAYLOAD"].join("\n");
  const [, day, region, service] = url.searchParams.get("X-Amz-Credential")!.split("/");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", url.searchParams.get("X-Amz-Date"), scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const signingKey = [day!, region!, service!, "aws4_request"].reduce<Buffer | string>((key, part) => hmac(key, part), `AWS4${secret}`);
  return hmac(signingKey, stringToSign).toString("hex") === url.searchParams.get("X-Amz-Signature");
}

describe("S3 read URLs", () => {
  let storage: S3StorageClient;
  beforeAll(async () => {
    storage = await freshStorage("s3");
  });
  afterAll(() => storage.close());

  it("carry SigV4 query parameters, the response overrides, and no checksum parameters", async () => {
    const { url, expiresAt } = await storage.getReadUrl(KEY, { downloadName: "报告 résumé.csv", mime: "text/csv" });
    const parsed = new URL(url);
    const params = parsed.searchParams;
    expect(parsed.pathname).toBe(`/${storage.bucket}/${KEY}`); // path style, as configured for s3rver
    expect(params.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(params.get("X-Amz-Credential")).toMatch(new RegExp(`^${LOCAL_AWS_CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/s3/aws4_request$`));
    expect(params.get("X-Amz-Credential")!.split("/")[1]).toBe(params.get("X-Amz-Date")!.slice(0, 8));
    expect(params.get("X-Amz-Expires")).toBe("300");
    expect(params.get("X-Amz-SignedHeaders")).toBe("host");
    expect(params.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(params.get("response-content-disposition")).toBe(attachmentDisposition("报告 résumé.csv"));
    expect(params.get("response-content-type")).toBe("text/csv");
    expect([...params.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    // expiresAt is exactly X-Amz-Date + X-Amz-Expires: what S3 will enforce.
    const signedAt = params.get("X-Amz-Date")!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6.000Z");
    expect(Date.parse(expiresAt) - Date.parse(signedAt)).toBe(300_000);
  });

  it("are signed with the secret over the key and the download name, so real S3 refuses edits", async () => {
    const url = new URL((await storage.getReadUrl(KEY, { downloadName: "a.csv", expiresInSeconds: 60 })).url);
    expect(sigV4Matches(url, LOCAL_AWS_CREDENTIALS.secretAccessKey)).toBe(true);
    expect(sigV4Matches(url, "another-secret")).toBe(false);

    const moved = new URL(url);
    moved.pathname = moved.pathname.replace("report.csv", "other.csv");
    const renamed = new URL(url);
    renamed.searchParams.set("response-content-disposition", "inline");
    const extended = new URL(url);
    extended.searchParams.set("X-Amz-Expires", "604800");
    for (const forged of [moved, renamed, extended]) expect(sigV4Matches(forged, LOCAL_AWS_CREDENTIALS.secretAccessKey)).toBe(false);
  });

  it("refuse expiries outside 1 s to 7 days", async () => {
    await expect(storage.getReadUrl(KEY, { expiresInSeconds: 0 })).rejects.toMatchObject({ code: "validation" });
    await expect(storage.getReadUrl(KEY, { expiresInSeconds: 604_801 })).rejects.toMatchObject({ code: "validation" });
    expect(() => createS3Storage({ bucket: "b-1", expiresInSeconds: 1.5 })).toThrow(/expiresInSeconds/);
  });

  it("use virtual-hosted style for AWS, without a network call", async () => {
    const aws = createS3Storage({ bucket: "threadbook-elements", region: "eu-west-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" } });
    const url = new URL((await aws.getReadUrl(KEY)).url);
    expect(url.host).toBe("threadbook-elements.s3.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe(`/${KEY}`);
    await aws.close();
  });
});

describe("S3 clients", () => {
  it("destroy only a client they built on close, and warn once if it adds checksums to links", async () => {
    const shared = s3Client();
    const destroyShared = vi.spyOn(shared, "destroy");
    await createS3Storage({ bucket: "shared-bucket", client: shared }).close();
    expect(destroyShared).not.toHaveBeenCalled();
    const owning = createS3Storage({ bucket: "own-bucket", region: REGION });
    const destroyOwn = vi.spyOn(owning.client, "destroy");
    await owning.close();
    expect(destroyOwn).toHaveBeenCalledOnce();

    const warn = vi.spyOn(getLogger("Storage"), "warn").mockImplementation(() => {});
    const defaults = new S3Client({ endpoint: "http://127.0.0.1:1", region: REGION, forcePathStyle: true, credentials: LOCAL_AWS_CREDENTIALS });
    const careless = createS3Storage({ bucket: "shared-bucket", client: defaults });
    await careless.getReadUrl(KEY);
    await careless.getReadUrl(KEY);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    defaults.destroy();
    destroyShared.mockRestore();
    shared.destroy();
  });

  it("name the endpoint when the service is unreachable", async () => {
    const down = createS3Storage({ bucket: "some-bucket", endpoint: "http://127.0.0.1:1", region: REGION, forcePathStyle: true, credentials: LOCAL_AWS_CREDENTIALS });
    await expect(down.deleteFile(KEY)).rejects.toMatchObject({
      code: "storage",
      failure: "unreachable",
      message: expect.stringContaining('S3 bucket "some-bucket" is unreachable at http://127.0.0.1:1'),
    });
    await down.close();
  });

  it("report access denied with the bucket's name (unknown access key)", async () => {
    const storage = await freshStorage("s3");
    const stranger = createS3Storage({
      bucket: storage.bucket,
      endpoint: inject("s3Endpoint"),
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: "NOBODY", secretAccessKey: "x" },
    });
    await expect(stranger.uploadFile({ objectKey: KEY, data: "x", mime: "text/plain" })).rejects.toMatchObject({
      failure: "denied",
      message: expect.stringContaining(`access to S3 bucket "${storage.bucket}" was denied`),
    });
    await Promise.all([storage.close(), stranger.close()]);
  });
});
