/** What every operation of the layer shares: one document client, the table, storage, logging and the write queue. */
import { type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Logger } from "../logger";
import { type StorageClient } from "../storage/storage-client";
import { type SearchWindows } from "./search/search-window";
import { type WriteQueue } from "./write-queue";

export interface LayerContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly storage?: StorageClient;
  readonly logger: Logger;
  /** HMAC key of thread-list cursors. */
  readonly cursorSecret: string;
  /** Serialises writes to one step (write-queue.ts). */
  readonly queue: WriteQueue;
  /** Each user's search window, in this process (search-window.ts). */
  readonly searchWindows: SearchWindows;
  /** The layer's own timestamps: UTC ISO with microseconds, strictly increasing (clock.ts; Chainlit wrote local time labelled "Z", #2613). */
  now(): string;
}

/** The queue key of a step: writes to one (thread, step) pair apply in the order they were made. */
export const stepQueueKey = (threadId: string, stepId: string) => `${threadId}/${stepId}`;
