/**
 * Uploads that end badly: a client that goes away mid-upload, and a body over the limit with no Content-Length.
 * Neither may crash the server, leave an element item, or (on S3) leave a multipart upload open.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, DynamoDBDataLayer, getLogger } from "@/data";
import { sessionUser, createTestServices } from "../../../../test/callers";
import { freshBucket, freshTable, s3Client } from "../../../../test/harness";
import { parseServerEnv } from "../../env";
import type { Services } from "../../services";
import { uploadElement } from "./upload-element";

getLogger("Storage").level = "silent";
const MiB = 1024 * 1024;

let services: Services & { close(): Promise<void> };
/** Every S3 command the storage client sends, by name: what the app asked S3 to do. */
const s3Commands: string[] = [];

beforeAll(async () => {
  const base = await createTestServices();
  const s3 = s3Client();
  s3.middlewareStack.add(
    (next, context) => (args) => {
      s3Commands.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  const { bucket } = await freshBucket(s3);
  const { client, tableName } = await freshTable();
  const storage = createS3Storage({ bucket, client: s3 });
  services = {
    ...base,
    env: parseServerEnv({ DYNAMODB_TABLE: tableName, MAX_UPLOAD_MB: "6" }),
    storage,
    data: new DynamoDBDataLayer({ tableName, client, storageProvider: storage }),
  };
});
afterAll(() => services.close());

/** `total` bytes in 256 KiB chunks; with `failAfter`, the stream errors there, as a request body does when the client aborts. */
function body(total: number, failAfter?: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && sent >= failAfter) return controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      if (sent >= total) return controller.close();
      const size = Math.min(256 * 1024, total - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(1));
    },
  });
}

async function upload(user: ReturnType<typeof sessionUser>, threadId: string, content: ReadableStream<Uint8Array>) {
  return uploadElement(services, user, { threadId, elementId: randomUUID(), forId: randomUUID(), fileName: "big.txt", mime: "text/plain", contentLength: null, body: content });
}

describe("uploads that end badly", () => {
  it("a client that aborts after the multipart upload started: a clean failure, no element, and the multipart upload aborted", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    await services.data.updateThread(threadId, { userId: alice.id, name: "aborted upload" });
    s3Commands.length = 0;
    const result = await upload(alice, threadId, body(5.5 * MiB, 5.5 * MiB));
    expect(result.status).not.toBe(201);
    expect(s3Commands).toContain("CreateMultipartUploadCommand");
    expect(s3Commands).toContain("AbortMultipartUploadCommand");
    expect((await services.data.getThread(threadId))!.elements).toEqual([]);
  });

  it("a body over MAX_UPLOAD_MB without Content-Length: 413 with the limit, not 503; the multipart upload aborted", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    await services.data.updateThread(threadId, { userId: alice.id, name: "oversize upload" });
    s3Commands.length = 0;
    const result = await upload(alice, threadId, body(7 * MiB));
    expect(result).toEqual({ status: 413, error: "“big.txt” is larger than the 6 MB limit.", refusal: { code: "file-too-large", limitMb: 6 } });
    expect(s3Commands).toContain("AbortMultipartUploadCommand");
    expect((await services.data.getThread(threadId))!.elements).toEqual([]);
  });
});
