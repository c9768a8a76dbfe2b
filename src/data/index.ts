/**
 * The data package's public surface (docs/conventions.md, "Public surface"): the rest of the app imports from here, never from inside.
 */
export { DynamoDBDataLayer, type DynamoDBDataLayerOptions } from "./layer/data-layer";
export { runDoctor, type DoctorOptions, type DoctorReport, type DoctorProgress, type Finding, type FindingKind } from "./layer/doctor";
export { type UpsertFeedbackOptions } from "./layer/feedback/feedback";
export { type UpdateThreadOptions, type UpdateThreadResult } from "./layer/threads/threads";
export { type PinOutcome } from "./layer/threads/pins";
export { type TagChange, type TagChangeResult } from "./layer/threads/thread-tags";
export { type StepOutline, type ThreadOutline } from "./layer/threads/thread-outline";
export { type EnsureUserAuthResult } from "./layer/users/users";
export { type RateCounter, type RateHit } from "./layer/rate-counters";
export { type ImportedFeedback, type ImportedThread, type ImportThreadsResult } from "./layer/import/import-threads";
export { type NewImportJob } from "./layer/import/import-jobs";
export { type ThreadsToDeletePage } from "./layer/deletion/threads-to-delete";
export { type DeleteThreadOptions } from "./layer/threads/delete-thread";
export { ORPHAN_GRACE_MS, type OrphanSweepOptions, type OrphanSweepRun } from "./layer/orphans/orphan-sweep";
export { safeObjectName, DEFAULT_MIME, readUrlOptions } from "./layer/steps/elements";
export { mapLimited } from "./layer/batch";
export { MAX_RUNS_WITHOUT_PROGRESS, takeoverExceedsBound, type RunCount } from "./layer/running-jobs";

export * from "./entities/common";
export * from "./entities/element";
export * from "./entities/feedback";
export * from "./entities/step";
export * from "./entities/thread";
export * from "./tag-text";
export * from "./entities/thread-name";
export * from "./entities/search";
export * from "./entities/user";
export * from "./entities/import-job";
export * from "./entities/deletion-job";
export * from "./entities/share";
export * from "./entities/pin";
export * from "./entities/retention";
export { shareSnapshot, snapshotOf } from "./layer/shares/share-snapshot";
export { type SharePage, type ShareRow } from "./layer/shares/shares";

export { createClock, utcNow, type Clock } from "./clock";
export { compareTimestamps, isoFromMicros, timestampDate, timestampMicros } from "./timestamps";

export { DataError, isDataError, type DataErrorCode } from "./errors";
export { getLogger, parseLogLevel, setLogFormat, setLogLevel, LOG_FORMATS, LOG_LEVELS, type LogFormat, type Logger, type LogLevel } from "./logger";
export { ensureTable, tableDefinition } from "./table";
export { createDynamoClient, dynamoSettings, DynamoEnvShape, type DynamoSettings } from "./dynamo/dynamo-client";
export {
  USER_THREAD_INDEX,
  AUTH_SK,
  elementSk,
  feedbackId,
  parseFeedbackId,
  threadPk,
  userPk,
} from "./keys";

export { elementObjectKey, importUploadKey, previewKeyOf } from "./storage/object-key";
export {
  DEFAULT_URL_EXPIRES_SECONDS,
  MAX_RANGE_BYTES,
  type ByteRange,
  type StorageClient,
  type UploadData,
  type UploadInput,
  type ReadUrlOptions,
  type SignedUrl,
} from "./storage/storage-client";
// storage exports added by the storage engineer
export {
  parseStorageConfig,
  createStorageFromConfig,
  ensureStorageReady,
  type StorageConfig,
  type S3StorageConfig,
  type AzureStorageConfig,
  type ProvisionableStorage,
} from "./storage/storage-config";
export { createS3Storage, createS3Client, ensureBucket, S3StorageClient, type S3StorageOptions } from "./storage/s3-storage";
export { createAzureStorage, ensureContainer, AzureBlobStorageClient, type AzureStorageOptions } from "./storage/azure-storage";
export { StorageError, type StorageFailure } from "./storage/storage-errors";
export { attachmentDisposition } from "./storage/content-disposition";
