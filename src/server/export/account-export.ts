/**
 * "Export all": every thread of one user as a zip, streamed. Threads are paged with listThreads (the user's own
 * partition of the index, so nobody else's thread can appear) and read one at a time; each file is handed to yazl
 * lazily, and the next thread is only read once yazl has started writing the previous files, which it does only as
 * fast as the download takes them. Memory holds about one thread, never the zip.
 *
 * Layout (docs/import-export.md): `threads/{n}-{name}/thread.json` (the single-thread export), `thread.md`,
 * `attachments/{elementId}-{file name}`, and `index.json` listing all of it, which is what an import reads.
 */
import { Readable } from "node:stream";
import yazl from "yazl";
import { type DynamoDBDataLayer, type StorageClient, type ThreadWithContent } from "@/data";
import { safeFileName } from "@/data/storage/object-key";
import { getLogger } from "@/data/logger";
import { exportFileName, threadToJson, threadToMarkdown } from "./thread-export";

export const ACCOUNT_EXPORT_VERSION = 1;
const PAGE = 50;

export interface AccountExportOptions {
  data: DynamoDBDataLayer;
  storage: StorageClient;
  userId: string;
  /** Largest attachment read back from storage (MAX_UPLOAD_MB): bigger ones are listed as left out. */
  maxAttachmentBytes: number;
}

interface IndexAttachment {
  elementId: string;
  name: string | null;
  mime: string | null;
  path: string | null;
  /** Why the bytes are not in the zip (missing from storage, too large). */
  missing?: string;
}

const segment = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 64) || "x";

export function exportAccount(options: AccountExportOptions): Readable {
  const zip = new yazl.ZipFile();
  let aborted = false;
  const waiting = new Set<() => void>();
  zip.outputStream.once("close", () => {
    aborted = true;
    for (const resolve of waiting) resolve();
  });
  /** Adds a file and resolves once yazl starts writing it: the backpressure of the whole export. */
  const add = (path: string, content: string | Uint8Array, mtime: Date) =>
    new Promise<void>((resolve) => {
      waiting.add(resolve);
      zip.addReadStreamLazy(path, { mtime }, (callback) => {
        waiting.delete(resolve);
        resolve();
        callback(null, Readable.from([typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content)]));
      });
    });
  void produce(options, zip, add, () => aborted).catch((error: unknown) => {
    getLogger("Export").error("export all failed", { error: String(error) });
    // The download ends in an error rather than as a zip that looks whole.
    (zip.outputStream as Readable).destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return zip.outputStream as Readable;
}

type Add = (path: string, content: string | Uint8Array, mtime: Date) => Promise<void>;

async function produce(options: AccountExportOptions, zip: yazl.ZipFile, add: Add, aborted: () => boolean): Promise<void> {
  const { data, userId } = options;
  const threads: unknown[] = [];
  // Pins are the user's own setting of a thread, as its metadata is: each listed thread says when it was pinned.
  const pinnedAt = new Map((await data.listPinnedThreads(userId)).map((row) => [row.id, row.pinnedAt]));
  let cursor: string | undefined;
  let n = 0;
  do {
    const page = await data.listThreads({ first: PAGE, cursor }, { userId });
    for (const summary of page.data) {
      if (aborted()) return;
      const thread = await data.getThread(summary.id);
      // The index is the user's own; the thread's author is checked again all the same.
      if (!thread || thread.userId !== userId) continue;
      const entry = await addThread(options, thread, `threads/${String(++n).padStart(5, "0")}-${segment(exportFileName(thread, "").slice(0, -1))}/`, add);
      threads.push(pinnedAt.has(thread.id) ? { ...entry, pinnedAt: pinnedAt.get(thread.id) } : entry);
    }
    cursor = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
  } while (cursor);
  if (aborted()) return;
  const index = { threadbookAccountExport: ACCOUNT_EXPORT_VERSION, exportedAt: new Date().toISOString(), user: userId, threads };
  zip.addBuffer(Buffer.from(`${JSON.stringify(index, null, 2)}\n`), "index.json");
  zip.end();
}

async function addThread(options: AccountExportOptions, thread: ThreadWithContent, dir: string, add: Add) {
  const mtime = new Date(Date.parse(thread.updatedAt ?? thread.createdAt) || Date.now());
  await add(`${dir}thread.json`, threadToJson(thread), mtime);
  await add(`${dir}thread.md`, threadToMarkdown(thread), mtime);
  const attachments: IndexAttachment[] = [];
  for (const element of thread.elements) {
    const listed: IndexAttachment = { elementId: element.id, name: element.name ?? null, mime: element.mime ?? null, path: null };
    attachments.push(listed);
    if (!element.objectKey) {
      listed.missing = "no stored file";
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await options.storage.read(element.objectKey, { maxBytes: options.maxAttachmentBytes });
    } catch (error) {
      listed.missing = error instanceof Error && "code" in error && error.code === "too_large" ? "too large" : "not readable from storage";
      continue;
    }
    listed.path = `${dir}attachments/${segment(element.id)}-${safeFileName(element.name ?? element.id)}`;
    await add(listed.path, bytes, mtime);
  }
  return {
    id: thread.id,
    name: thread.name ?? null,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt ?? thread.createdAt,
    json: `${dir}thread.json`,
    markdown: `${dir}thread.md`,
    attachments,
  };
}
