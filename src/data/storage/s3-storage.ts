/**
 * Elements' bytes in S3 (AWS, or path-style endpoints such as s3rver and MinIO), behind StorageClient.
 * Uploads stream through lib-storage (multipart, bounded memory); read links are SigV4 presigned GETs that force a
 * download under the original name.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  S3Client,
  type S3ClientConfig,
  PutBucketCorsCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { DataError } from "../errors";
import { getLogger } from "../logger";
import { attachmentDisposition } from "./content-disposition";
import { checkListing, checkObjectKey } from "./object-key";
import { checkExpiresInSeconds, signingWindow } from "./signing-window";
import { DEFAULT_STORAGE_TIMEOUTS, MAX_LIST_PAGE, type ByteRange, type ObjectPage, type ReadUrlOptions, type SignedUrl, type StorageClient, type StorageTimeouts, type UploadInput } from "./storage-client";
import { toStorageError, type StorageTarget } from "./storage-errors";
import { checkRange, objectNotFound, rangeNotSatisfiable, readAtMost, readExactly } from "./read-bounded";
import { byteLength, prepareData, progressReporter } from "./upload-data";

/**
 * 5 MiB is S3's minimum part. With 2 parts in flight and 1 filling, an upload of any size holds about 3 parts' worth
 * (large-upload.test.ts measures ~13 MiB of live buffers for 50 MB).
 */
export const S3_PART_SIZE = 5 * 1024 * 1024;
export const S3_QUEUE_SIZE = 2;
const logger = getLogger("Storage");

export interface S3StorageOptions {
  bucket: string;
  /**
   * A client to share. Build it with `requestChecksumCalculation: "WHEN_REQUIRED"` and `responseChecksumValidation: "WHEN_REQUIRED"`,
   * as `createS3Client` does: with the SDK defaults, presigned URLs carry checksum parameters (`x-amz-checksum-mode`, and on PUTs
   * the CRC of an empty body) that browsers' requests don't match. A shared client is left open by `close()`.
   */
  client?: S3Client;
  region?: string;
  /** For s3rver, MinIO and other S3-compatible services; omit for AWS. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which s3rver and MinIO need; AWS uses virtual-hosted style by default. */
  forcePathStyle?: boolean;
  /** Omit on AWS to use the default provider chain (environment, profile, instance role). */
  credentials?: S3ClientConfig["credentials"];
  expiresInSeconds?: number;
  /** Ignored with a shared `client`, which brings its own. */
  timeouts?: StorageTimeouts;
}

export function createS3Client(options: Omit<S3StorageOptions, "bucket" | "client" | "expiresInSeconds"> = {}): S3Client {
  const timeouts = options.timeouts ?? DEFAULT_STORAGE_TIMEOUTS;
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: timeouts.maxAttempts,
    // socketTimeout, not requestTimeout: an upload part or a download may take long on a slow link while bytes flow.
    requestHandler: { connectionTimeout: timeouts.connectTimeoutMs, socketTimeout: timeouts.requestTimeoutMs },
  });
}

const isNotFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
};

/** HeadBucket: false when the bucket is missing; a 403 (no s3:ListBucket) is an error, not a "no". */
export async function bucketExists(client: S3Client, bucket: string, target = s3Target(bucket)): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw toStorageError(error, target, "check bucket");
  }
}

/** Creates the bucket if it is missing (local stack, tests); returns true if it did. */
export async function ensureBucket(client: S3Client, bucket: string, target = s3Target(bucket)): Promise<boolean> {
  if (await bucketExists(client, bucket, target)) return false;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    logger.debug("created bucket", { bucket });
    return true;
  } catch (error) {
    // Someone else created it between the two calls.
    if ((error as { name?: string }).name === "BucketAlreadyOwnedByYou") return false;
    throw toStorageError(error, target, "create bucket");
  }
}

function s3Target(bucket: string, options: Pick<S3StorageOptions, "endpoint" | "region"> = {}): StorageTarget {
  return { kind: "S3 bucket", name: bucket, endpoint: options.endpoint ?? `AWS S3${options.region ? ` (${options.region})` : ""}` };
}

export class S3StorageClient implements StorageClient {
  readonly description: string;
  readonly bucket: string;
  readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly expiresInSeconds: number;
  private readonly target: StorageTarget;
  private checkedSharedClient = false;

  constructor(options: S3StorageOptions) {
    if (!options.bucket) throw new Error("createS3Storage: bucket is required");
    this.bucket = options.bucket;
    this.description = `s3://${options.bucket}`;
    this.ownsClient = !options.client;
    this.client = options.client ?? createS3Client(options);
    this.expiresInSeconds = checkExpiresInSeconds(options.expiresInSeconds);
    this.target = s3Target(options.bucket, options);
  }

  /** Lets pages on these origins read signed links with fetch (text and CSV previews): a CORS rule for GET and HEAD. */
  async allowBrowserReads(origins: readonly string[]): Promise<void> {
    try {
      await this.client.send(
        new PutBucketCorsCommand({
          Bucket: this.bucket,
          CORSConfiguration: { CORSRules: [{ AllowedOrigins: [...origins], AllowedMethods: ["GET", "HEAD"], AllowedHeaders: ["*"], MaxAgeSeconds: 3600 }] },
        }),
      );
    } catch (error) {
      throw toStorageError(error, this.target, "set CORS rules");
    }
  }

  exists(): Promise<boolean> {
    return bucketExists(this.client, this.bucket, this.target);
  }

  ensureExists(): Promise<boolean> {
    return ensureBucket(this.client, this.bucket, this.target);
  }

  async uploadFile({ objectKey, data, mime, fileName, onProgress }: UploadInput): Promise<{ objectKey: string }> {
    checkObjectKey(objectKey);
    const body = prepareData(data);
    const total = byteLength(body);
    const progress = progressReporter(onProgress, total);
    const upload = new Upload({
      client: this.client,
      queueSize: S3_QUEUE_SIZE,
      partSize: S3_PART_SIZE,
      params: {
        Bucket: this.bucket,
        Key: objectKey,
        Body: body.kind === "bytes" ? body.bytes : body.stream,
        ContentType: mime,
        ContentDisposition: attachmentDisposition(fileName),
      },
    });
    upload.on("httpUploadProgress", ({ loaded }) => {
      if (loaded !== undefined) progress.report(loaded);
    });
    try {
      await upload.done();
    } catch (error) {
      throw toStorageError(error, this.target, "upload");
    }
    progress.finish(total);
    logger.debug("uploaded", { backend: "s3", object: objectKey, bytes: total ?? "stream" });
    // No URL here: a usable link is always a signed one, from getReadUrl.
    return { objectKey };
  }

  /**
   * Signed locally, without a request: a link to a missing object is returned and answers 404 when fetched.
   * Without `downloadName` the Content-Disposition stored at upload (attachment + original name) applies.
   */
  async getReadUrl(objectKey: string, options: ReadUrlOptions = {}): Promise<SignedUrl> {
    checkObjectKey(objectKey);
    const window = signingWindow(checkExpiresInSeconds(options.expiresInSeconds, this.expiresInSeconds));
    await this.warnIfSharedClientAddsChecksums();
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: objectKey,
      ResponseContentDisposition: options.downloadName === undefined ? undefined : attachmentDisposition(options.downloadName),
      ResponseContentType: options.mime,
    });
    try {
      const url = await getSignedUrl(this.client, command, { expiresIn: window.expiresInSeconds, signingDate: window.signedAt });
      logger.debug("signed read url", { backend: "s3", object: objectKey, expiresInSeconds: window.expiresInSeconds });
      return { url, expiresAt: window.expiresOn.toISOString() };
    } catch (error) {
      throw toStorageError(error, this.target, "sign read URL");
    }
  }

  async read(objectKey: string, { maxBytes }: { maxBytes: number }): Promise<Uint8Array> {
    checkObjectKey(objectKey);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return await readAtMost(response.Body as Parameters<typeof readAtMost>[0], response.ContentLength, objectKey, maxBytes);
    } catch (error) {
      if (isNotFound(error)) throw objectNotFound(objectKey);
      throw toStorageError(error, this.target, "read");
    }
  }

  async readRange(objectKey: string, range: ByteRange): Promise<Uint8Array> {
    checkObjectKey(objectKey);
    checkRange(range);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=${range.start}-${range.end - 1}` }));
      return await readExactly(response.Body as Parameters<typeof readExactly>[0], objectKey, range);
    } catch (error) {
      if (isNotFound(error)) throw objectNotFound(objectKey);
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) throw rangeNotSatisfiable(objectKey, range);
      if (error instanceof DataError) throw error;
      throw toStorageError(error, this.target, "read");
    }
  }

  /**
   * CopyObject (server side; objects up to 5 GB, far over the upload limit). Metadata is copied with the object, so
   * the copy keeps its content type and download name. The source goes in URL-encoded, segment by segment, except
   * `@`, which a path may hold as it is: Chainlit keys files by its user's identifier (`{email}/{threadId}/{id}`), and
   * s3rver decodes this header with `decodeURI`, which leaves `%40` as it is (S3 decodes either). A `+` must stay
   * `%2B` for S3, so on s3rver a key with one cannot be copied (docs/chainlit.md).
   */
  async copyFile(sourceKey: string, targetKey: string): Promise<void> {
    checkObjectKey(sourceKey);
    checkObjectKey(targetKey);
    const source = `${this.bucket}/${sourceKey.split("/").map((segment) => encodeURIComponent(segment).replaceAll("%40", "@")).join("/")}`;
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: targetKey, CopySource: source, MetadataDirective: "COPY" }));
    } catch (error) {
      if (isNotFound(error)) throw objectNotFound(sourceKey);
      throw toStorageError(error, this.target, "copy");
    }
    logger.debug("copied", { backend: "s3", from: sourceKey, to: targetKey });
  }

  async size(objectKey: string): Promise<number> {
    checkObjectKey(objectKey);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) throw objectNotFound(objectKey);
      throw toStorageError(error, this.target, "read");
    }
  }

  /**
   * ListObjects (s3:ListBucket, which the app's role has already), its first version: the continuation is the page's
   * last key, sent back as Marker. Not ListObjectsV2: s3rver makes V2's continuation token with DES, which OpenSSL 3
   * no longer has, so every V2 listing with more to come was a 500 there; and a key stays valid whatever happened to
   * it since (docs/testing.md, "s3rver").
   */
  async listObjects(prefix: string, { pageSize, continuation }: { pageSize: number; continuation?: string }): Promise<ObjectPage> {
    checkListing(prefix, pageSize, MAX_LIST_PAGE);
    // A continuation is a key under this prefix: anything else would list from elsewhere in the bucket.
    const marker = continuation && continuation.startsWith(prefix) ? continuation : undefined;
    try {
      const out = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: pageSize, Marker: marker }));
      const objects = (out.Contents ?? []).flatMap(({ Key, LastModified }) => (Key && LastModified ? [{ key: Key, lastModified: LastModified }] : []));
      const last = objects.at(-1)?.key;
      return { objects, continuation: out.IsTruncated && last ? last : undefined };
    } catch (error) {
      throw toStorageError(error, this.target, "list");
    }
  }

  /**
   * S3's DeleteObject says nothing about whether the object existed, so a HeadObject asks first (a small race with a
   * concurrent writer is accepted). Needs s3:ListBucket: without it S3 answers a missing object's HEAD with 403.
   * The delete runs even when the HEAD says 404, so a missing bucket still surfaces as NoSuchBucket.
   */
  async deleteFile(objectKey: string): Promise<boolean> {
    checkObjectKey(objectKey);
    try {
      const existed = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey })).then(
        () => true,
        (error: unknown) => (isNotFound(error) ? false : Promise.reject(error)),
      );
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      logger.debug("deleted", { backend: "s3", object: objectKey, existed });
      return existed;
    } catch (error) {
      throw toStorageError(error, this.target, "delete");
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  /** A shared client can't be reconfigured; say once, loudly, that its links will carry checksum parameters. */
  private async warnIfSharedClientAddsChecksums(): Promise<void> {
    if (this.ownsClient || this.checkedSharedClient) return;
    this.checkedSharedClient = true;
    const config = this.client.config as { requestChecksumCalculation?: () => Promise<string>; responseChecksumValidation?: () => Promise<string> };
    const modes = await Promise.all([config.requestChecksumCalculation?.(), config.responseChecksumValidation?.()]);
    if (modes.some((mode) => mode !== "WHEN_REQUIRED")) {
      logger.warn("the shared S3 client is not built with requestChecksumCalculation/responseChecksumValidation WHEN_REQUIRED; signed URLs will carry checksum parameters", { bucket: this.bucket });
    }
  }
}

export const createS3Storage = (options: S3StorageOptions): S3StorageClient => new S3StorageClient(options);

