/**
 * Elements' bytes in Azure Blob Storage (or azurite), behind StorageClient.
 * Read links are read-only blob SAS tokens signed locally with the account key, forcing a download under the original name.
 */
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  newPipeline,
  type RequestPolicyFactory,
  SASProtocol,
  StorageSharedKeyCredential,
  type StoragePipelineOptions,
} from "@azure/storage-blob";
import { DataError } from "../errors";
import { getLogger } from "../logger";
import { type AzureAccount, defaultBlobEndpoint, parseAzureConnectionString } from "./azure-connection-string";
import { attachmentDisposition } from "./content-disposition";
import { checkListing, checkObjectKey } from "./object-key";
import { checkExpiresInSeconds, signingWindow } from "./signing-window";
import { DEFAULT_STORAGE_TIMEOUTS, MAX_LIST_PAGE, type ByteRange, type ObjectPage, type ReadUrlOptions, type SignedUrl, type StorageClient, type StorageTimeouts, type UploadInput } from "./storage-client";
import { toStorageError, type StorageTarget } from "./storage-errors";
import { checkRange, objectNotFound, rangeNotSatisfiable, readAtMost, readExactly } from "./read-bounded";
import { byteLength, prepareData, progressReporter } from "./upload-data";

/** Streams are staged in 4 MiB blocks, 2 at a time: an upload of any size holds roughly 8–12 MiB. */
export const AZURE_BLOCK_SIZE = 4 * 1024 * 1024;
export const AZURE_UPLOAD_CONCURRENCY = 2;
/**
 * The SDK's default (4 tries, 4 s doubling) keeps a request hanging ~30 s when the service is down; a page waiting on a
 * download link should hear sooner. Tries come from `timeouts`; callers can override through `pipelineOptions`.
 */
const DEFAULT_RETRY = { retryDelayInMs: 500, maxRetryDelayInMs: 4_000 };

const logger = getLogger("Storage");

export type AzureCredentialOptions = { connectionString: string } | { accountName: string; accountKey: string; endpoint?: string };

export type AzureStorageOptions = AzureCredentialOptions & {
  containerName: string;
  expiresInSeconds?: number;
  timeouts?: StorageTimeouts;
  pipelineOptions?: StoragePipelineOptions;
};

function resolveAccount(options: AzureCredentialOptions): AzureAccount {
  if ("connectionString" in options) return parseAzureConnectionString(options.connectionString);
  const { accountName, accountKey } = options;
  if (!accountName || !accountKey) throw new Error("createAzureStorage: accountName and accountKey are required");
  return { accountName, accountKey, blobEndpoint: (options.endpoint ?? defaultBlobEndpoint(accountName)).replace(/\/+$/, "") };
}

/** Creates the container if it is missing (local stack, tests); returns true if it did. */
export async function ensureContainer(container: ContainerClient, target = azureTarget(container.containerName, container.url)): Promise<boolean> {
  try {
    const { succeeded } = await container.createIfNotExists();
    if (succeeded) logger.debug("created container", { container: container.containerName });
    return succeeded;
  } catch (error) {
    throw toStorageError(error, target, "create container");
  }
}

const azureTarget = (name: string, endpoint: string): StorageTarget => ({ kind: "Azure container", name, endpoint });

/**
 * The SDK's `tryTimeoutInMs` only asks the *service* to give up (a `timeout` URL parameter): a service that stops
 * answering holds the request forever. A request's `timeout` is enforced by the HTTP client itself, from the connect
 * until the response headers (the whole upload of a block included).
 */
function perTryTimeout(timeoutMs: number): RequestPolicyFactory {
  return {
    create: (next) => ({
      sendRequest: (request) => {
        request.timeout = timeoutMs;
        return next.sendRequest(request);
      },
    }),
  };
}

export class AzureBlobStorageClient implements StorageClient {
  readonly description: string;
  readonly container: ContainerClient;
  private readonly service: BlobServiceClient;
  private readonly credential: StorageSharedKeyCredential;
  private readonly expiresInSeconds: number;
  private readonly target: StorageTarget;
  /** SAS links over plain http only make sense for a local emulator; real accounts get https-only links. */
  private readonly protocol: SASProtocol;

  constructor(options: AzureStorageOptions) {
    if (!options.containerName) throw new Error("createAzureStorage: containerName is required");
    const account = resolveAccount(options);
    this.credential = new StorageSharedKeyCredential(account.accountName, account.accountKey);
    const timeouts = options.timeouts ?? DEFAULT_STORAGE_TIMEOUTS;
    const pipeline = newPipeline(this.credential, {
      ...options.pipelineOptions,
      retryOptions: { ...DEFAULT_RETRY, maxTries: timeouts.maxAttempts, ...options.pipelineOptions?.retryOptions },
    });
    // Last in the pipeline, so after the retry policy: every try gets its own timeout.
    pipeline.factories.push(perTryTimeout(timeouts.requestTimeoutMs));
    this.service = new BlobServiceClient(account.blobEndpoint, pipeline);
    this.container = this.service.getContainerClient(options.containerName);
    this.description = `azure://${options.containerName}`;
    this.expiresInSeconds = checkExpiresInSeconds(options.expiresInSeconds);
    this.target = azureTarget(options.containerName, account.blobEndpoint);
    this.protocol = account.blobEndpoint.startsWith("https:") ? SASProtocol.Https : SASProtocol.HttpsAndHttp;
  }

  /** Lets pages on these origins read signed links with fetch (text and CSV previews): a CORS rule for GET and HEAD. */
  async allowBrowserReads(origins: readonly string[]): Promise<void> {
    try {
      await this.service.setProperties({
        cors: [{ allowedOrigins: origins.join(","), allowedMethods: "GET,HEAD", allowedHeaders: "*", exposedHeaders: "*", maxAgeInSeconds: 3600 }],
      });
    } catch (error) {
      throw toStorageError(error, this.target, "set CORS rules");
    }
  }

  async exists(): Promise<boolean> {
    try {
      return await this.container.exists();
    } catch (error) {
      throw toStorageError(error, this.target, "check container");
    }
  }

  ensureExists(): Promise<boolean> {
    return ensureContainer(this.container, this.target);
  }

  async uploadFile({ objectKey, data, mime, fileName, onProgress }: UploadInput): Promise<{ objectKey: string }> {
    checkObjectKey(objectKey);
    const body = prepareData(data);
    const total = byteLength(body);
    const progress = progressReporter(onProgress, total);
    const blob = this.container.getBlockBlobClient(objectKey);
    const options = {
      blobHTTPHeaders: { blobContentType: mime, blobContentDisposition: attachmentDisposition(fileName) },
      onProgress: ({ loadedBytes }: { loadedBytes: number }) => progress.report(loadedBytes),
    };
    try {
      if (body.kind === "bytes") await blob.uploadData(body.bytes, options);
      else await blob.uploadStream(body.stream, AZURE_BLOCK_SIZE, AZURE_UPLOAD_CONCURRENCY, options);
    } catch (error) {
      throw toStorageError(error, this.target, "upload");
    }
    progress.finish(total);
    logger.debug("uploaded", { backend: "azure", object: objectKey, bytes: total ?? "stream" });
    // No URL here: a usable link is always a signed one, from getReadUrl.
    return { objectKey };
  }

  /**
   * A read-only (`sp=r`) SAS for this one blob (`sr=b`), signed locally: a link to a missing blob answers 404 when fetched.
   * `rscd`/`rsct` make the download save under the original name; without `downloadName` the header stored at upload applies.
   */
  async getReadUrl(objectKey: string, options: ReadUrlOptions = {}): Promise<SignedUrl> {
    checkObjectKey(objectKey);
    const window = signingWindow(checkExpiresInSeconds(options.expiresInSeconds, this.expiresInSeconds));
    try {
      const sas = generateBlobSASQueryParameters(
        {
          containerName: this.container.containerName,
          blobName: objectKey,
          permissions: BlobSASPermissions.parse("r"),
          startsOn: window.startsOn,
          expiresOn: window.expiresOn,
          protocol: this.protocol,
          contentDisposition: options.downloadName === undefined ? undefined : attachmentDisposition(options.downloadName),
          contentType: options.mime,
        },
        this.credential,
      );
      logger.debug("signed read url", { backend: "azure", object: objectKey, expiresInSeconds: window.expiresInSeconds });
      return { url: `${this.container.getBlobClient(objectKey).url}?${sas.toString()}`, expiresAt: window.expiresOn.toISOString() };
    } catch (error) {
      throw toStorageError(error, this.target, "sign read URL");
    }
  }

  async read(objectKey: string, { maxBytes }: { maxBytes: number }): Promise<Uint8Array> {
    checkObjectKey(objectKey);
    try {
      const response = await this.container.getBlobClient(objectKey).download();
      return await readAtMost(response.readableStreamBody as Parameters<typeof readAtMost>[0], response.contentLength, objectKey, maxBytes);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404 && (error as { code?: string }).code === "BlobNotFound") throw objectNotFound(objectKey);
      throw toStorageError(error, this.target, "read");
    }
  }

  async readRange(objectKey: string, range: ByteRange): Promise<Uint8Array> {
    checkObjectKey(objectKey);
    checkRange(range);
    try {
      const response = await this.container.getBlobClient(objectKey).download(range.start, range.end - range.start);
      return await readExactly(response.readableStreamBody as Parameters<typeof readExactly>[0], objectKey, range);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 && (error as { code?: string }).code === "BlobNotFound") throw objectNotFound(objectKey);
      if (status === 416) throw rangeNotSatisfiable(objectKey, range);
      if (error instanceof DataError) throw error;
      throw toStorageError(error, this.target, "read");
    }
  }

  /**
   * Copy Blob from a read-only SAS of the source (signed here, valid a few minutes), polled until the service has
   * finished; within one account the copy is done server side. Properties (type, disposition) come along.
   */
  async copyFile(sourceKey: string, targetKey: string): Promise<void> {
    checkObjectKey(sourceKey);
    checkObjectKey(targetKey);
    const { url } = await this.getReadUrl(sourceKey);
    try {
      const poller = await this.container.getBlockBlobClient(targetKey).beginCopyFromURL(url, { intervalInMs: 200 });
      await poller.pollUntilDone();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) throw objectNotFound(sourceKey);
      throw toStorageError(error, this.target, "copy");
    }
    logger.debug("copied", { backend: "azure", from: sourceKey, to: targetKey });
  }

  async size(objectKey: string): Promise<number> {
    checkObjectKey(objectKey);
    try {
      return (await this.container.getBlobClient(objectKey).getProperties()).contentLength ?? 0;
    } catch (error) {
      // A HEAD has no body: the error code comes only from the x-ms-error-code header, into `details`.
      const { statusCode, details } = error as { statusCode?: number; details?: { errorCode?: string } };
      if (statusCode === 404 && details?.errorCode === "BlobNotFound") throw objectNotFound(objectKey);
      throw toStorageError(error, this.target, "read");
    }
  }

  /** List Blobs, one segment; the continuation is Azure's marker (snapshots and versions are not listed). */
  async listObjects(prefix: string, { pageSize, continuation }: { pageSize: number; continuation?: string }): Promise<ObjectPage> {
    checkListing(prefix, pageSize, MAX_LIST_PAGE);
    try {
      const page = await this.container.listBlobsFlat({ prefix }).byPage({ continuationToken: continuation || undefined, maxPageSize: pageSize }).next();
      if (page.done) return { objects: [] };
      const objects = page.value.segment.blobItems.map((blob) => ({ key: blob.name, lastModified: blob.properties.lastModified }));
      return { objects, continuation: page.value.continuationToken || undefined };
    } catch (error) {
      throw toStorageError(error, this.target, "list");
    }
  }

  async deleteFile(objectKey: string): Promise<boolean> {
    checkObjectKey(objectKey);
    try {
      // Snapshots go too: a blob with snapshots refuses a plain delete.
      const { succeeded } = await this.container.getBlobClient(objectKey).deleteIfExists({ deleteSnapshots: "include" });
      logger.debug("deleted", { backend: "azure", object: objectKey, existed: succeeded });
      return succeeded;
    } catch (error) {
      throw toStorageError(error, this.target, "delete");
    }
  }

  /** The SDK's HTTP client holds no resources that need releasing. */
  async close(): Promise<void> {}
}

export const createAzureStorage = (options: AzureStorageOptions): AzureBlobStorageClient => new AzureBlobStorageClient(options);
