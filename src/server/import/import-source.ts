/**
 * Opening an uploaded file as a stream of conversations: a ChatGPT or Claude export (a zip with conversations.json, or
 * the bare file), an Open WebUI or LibreChat chat export (.json), a Threadbook account export (a zip with index.json)
 * or a Threadbook thread (.json). What the file is comes from its first bytes and its first conversation, never from
 * its name. Anything else is refused, saying what was expected.
 */
import type { ImportProblem } from "@/lib/shared/import-problem";
import { Archive, baseName, clip, type ArchiveEntry } from "./archive";
import { isChatGptConversation, readChatGptConversation } from "./formats/chatgpt";
import { isClaudeConversation, readClaudeConversation } from "./formats/claude";
import { isLibreChatExport, LIBRECHAT_HEAD, readLibreChatConversation } from "./formats/librechat";
import { isOpenWebUiChat, readOpenWebUiConversation } from "./formats/openwebui";
import type { ImportFile } from "./import-file";
import { ImportError, type ImportLimits } from "./import-limits";
import { streamJsonItems, type JsonItem } from "./json-stream";
import { planConversation, type ImportFormat, type PlannedThread } from "./plan-thread";
import { isRecord, SkipConversation, type SourceConversation } from "./source-model";
import { isThreadbookAccountIndex, isThreadbookThreadExport, planThreadbookThread, THREADBOOK_INDEX } from "./formats/threadbook";

/** One conversation of the file: planned for writing, skipped with a reason, or empty. */
export type SourceItem = { title: string } & ({ planned: PlannedThread } | { skipped: ImportProblem });

export interface ImportSource {
  format: ImportFormat;
  /** How many conversations the file holds (a counting pass over the JSON, nothing parsed). */
  count(): Promise<number>;
  /** The conversations from the `from`-th on (a resumed job passes over those done), in the file's order. */
  items(from?: number): AsyncGenerator<SourceItem>;
  /** The bytes of an attachment, by entry name or ChatGPT file id; null when the file does not carry it. */
  attachment(source: { kind: "entry"; entryName: string } | { kind: "file-id"; fileId: string }): ArchiveEntry | null;
  archive: Archive | null;
  close(): void;
}

interface Context {
  userId: string;
  limits: ImportLimits;
  now: number;
}

const CONVERSATIONS = "conversations.json";
/** ChatGPT names the files in its export after their ids: `file-AbC…-photo.png`, `file_00…-uuid.png`. */
const FILE_ID = /^(file[-_][A-Za-z0-9]+)/;

async function startsWithZipSignature(file: ImportFile): Promise<boolean> {
  const head = await file.head(4);
  return head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
}

export async function openImportSource(file: ImportFile, context: Context): Promise<ImportSource> {
  if (!(await startsWithZipSignature(file))) return jsonFileSource(file, context);
  const archive = await Archive.open(file, context.limits);
  try {
    const names = [...archive.entries.keys()];
    const index = archive.entries.get(THREADBOOK_INDEX);
    if (index) return await accountExportSource(archive, index, context);
    // The shallowest conversations.json (ChatGPT puts it at the root; some tools wrap the export in a folder).
    const conversations = names.filter((n) => baseName(n) === CONVERSATIONS).sort((a, b) => a.split("/").length - b.split("/").length)[0];
    if (!conversations) throw new ImportError({ code: "no-index" });
    const entry = archive.entries.get(conversations)!;
    const refused = archive.refusal(entry, context.limits.maxJsonEntryBytes);
    if (refused) throw new ImportError({ code: "conversations-refused", refusal: refused });
    const fileIds = new Map<string, ArchiveEntry>();
    for (const [name, found] of archive.entries) {
      const id = FILE_ID.exec(baseName(name))?.[1];
      if (id && !fileIds.has(id)) fileIds.set(id, found);
    }
    return await conversationsSource(() => archive.stream(entry, context.limits.maxJsonEntryBytes), context, archive, (source) =>
      source.kind === "file-id" ? (fileIds.get(source.fileId) ?? null) : null,
    );
  } catch (error) {
    archive.close();
    throw error;
  }
}

const jsonLimits = (limits: ImportLimits) => ({ maxDepth: limits.maxJsonDepth, maxItemBytes: limits.maxConversationBytes, maxTotalBytes: limits.maxJsonEntryBytes });

/** Bytes enough to see how a JSON file starts (its first key). */
const HEAD_BYTES = 256;

async function jsonFileSource(file: ImportFile, context: Context): Promise<ImportSource> {
  // A LibreChat export nests a reply two levels below the message before it: a conversation of 40 messages is deeper
  // than any other export. Parsing that depth is safe (V8's JSON.parse does not recurse, and LibreChat's reader walks
  // the tree with a stack): so such a file may be as deep as the message limit needs, and no other.
  const head = (await file.head(HEAD_BYTES)).toString("utf8").replace(/^\uFEFF/, "");
  if (!LIBRECHAT_HEAD.test(head)) return conversationsSource(async () => file.stream(), context, null, () => null);
  const limits = { ...context.limits, maxJsonDepth: context.limits.maxJsonDepth + 2 * context.limits.maxMessages };
  // That depth is for LibreChat's reader alone, which walks it without recursing: a file that starts like LibreChat's
  // but is another format is refused, not read by a reader that may recurse.
  return conversationsSource(async () => file.stream(), { ...context, limits }, null, () => null, "librechat");
}

type ConversationFormat = Exclude<ImportFormat, "threadbook">;
const READERS: Record<ConversationFormat, (value: unknown, maxMessages: number) => SourceConversation> = {
  chatgpt: readChatGptConversation,
  claude: readClaudeConversation,
  "open-webui": readOpenWebUiConversation,
  librechat: readLibreChatConversation,
};

/** conversations.json (ChatGPT or Claude), an Open WebUI or LibreChat export, or a Threadbook thread. The first conversation tells which. */
async function conversationsSource(
  open: () => Promise<AsyncIterable<Buffer>>,
  context: Context,
  archive: Archive | null,
  attachment: ImportSource["attachment"],
  only?: ImportFormat,
): Promise<ImportSource> {
  const first = await firstItem(open, context.limits);
  const format = detectFormat(first);
  if (only && format !== only) throw new ImportError({ code: "unknown-json" });
  const read = (value: unknown): PlannedThread | null => {
    if (format === "threadbook") return planThreadbookThread(value, context.userId, new Map(), context.now, context.limits.maxMessages);
    return planConversation(READERS[format](value, context.limits.maxMessages), context.userId, format, context.now);
  };
  return {
    format,
    archive,
    attachment,
    async count() {
      let n = 0;
      for await (const _ of streamJsonItems(await open(), { ...jsonLimits(context.limits), countOnly: true })) n++;
      return n;
    },
    async *items(from = 0) {
      for await (const item of streamJsonItems(await open(), jsonLimits(context.limits))) if (item.index >= from) yield planItem(item, read);
    },
    close: () => archive?.close(),
  };
}

function planItem(item: JsonItem, read: (value: unknown) => PlannedThread | null): SourceItem {
  const fallback = `Conversation ${item.index + 1}`;
  if ("error" in item) return { title: fallback, skipped: item.error };
  const title = titleOf(item.value) ?? fallback;
  try {
    const planned = read(item.value);
    return planned ? { title: planned.title, planned } : { title, skipped: { code: "empty" } };
  } catch (error) {
    if (error instanceof SkipConversation) return { title: error.title || title, skipped: error.problem };
    throw error;
  }
}

const titleOf = (value: unknown): string | null => {
  if (!isRecord(value)) return null;
  const raw = value.title ?? value.name ?? (isRecord(value.thread) ? value.thread.name : null);
  return typeof raw === "string" && raw.trim() ? clip(raw.trim(), 200) : null;
};

async function firstItem(open: () => Promise<AsyncIterable<Buffer>>, limits: ImportLimits): Promise<JsonItem | null> {
  const items = streamJsonItems(await open(), jsonLimits(limits));
  try {
    for await (const item of items) if (!("error" in item)) return item;
    return null;
  } finally {
    await items.return(undefined);
  }
}

function detectFormat(first: JsonItem | null): ImportFormat {
  if (!first || !("value" in first)) throw new ImportError({ code: "no-conversation" });
  if (first.topLevel === "object") {
    if (isThreadbookThreadExport(first.value)) return "threadbook";
    // LibreChat exports one conversation as an object; an Open WebUI chat record on its own is taken too.
    if (isLibreChatExport(first.value)) return "librechat";
    if (isOpenWebUiChat(first.value)) return "open-webui";
    throw new ImportError({ code: "unknown-json" });
  }
  if (isChatGptConversation(first.value)) return "chatgpt";
  if (isClaudeConversation(first.value)) return "claude";
  if (isOpenWebUiChat(first.value)) return "open-webui";
  // LibreChat's exports gathered into one array.
  if (isLibreChatExport(first.value)) return "librechat";
  throw new ImportError({ code: "unknown-conversations" });
}

/** The “Export all” zip: index.json lists each thread's JSON and its attachments' entries. */
async function accountExportSource(archive: Archive, indexEntry: ArchiveEntry, context: Context): Promise<ImportSource> {
  const { limits } = context;
  const indexItem = await firstItem(() => archive.stream(indexEntry, limits.maxConversationBytes), { ...limits, maxJsonEntryBytes: limits.maxConversationBytes });
  const index = indexItem && "value" in indexItem ? indexItem.value : null;
  if (!isThreadbookAccountIndex(index)) throw new ImportError({ code: "not-index" });
  const threads = ((index as { threads: unknown[] }).threads).filter(isRecord);
  return {
    format: "threadbook",
    archive,
    attachment: (source) => (source.kind === "entry" ? (archive.entries.get(source.entryName) ?? null) : null),
    count: async () => threads.length,
    async *items(from = 0) {
      for (const [i, listed] of threads.entries()) {
        if (i < from) continue;
        const title = typeof listed.name === "string" && listed.name.trim() ? clip(listed.name.trim(), 200) : `Thread ${i + 1}`;
        const entry = typeof listed.json === "string" ? archive.entries.get(listed.json) : undefined;
        if (!entry) {
          yield { title, skipped: { code: "json-missing" } };
          continue;
        }
        const refused = archive.refusal(entry, limits.maxConversationBytes);
        if (refused) {
          yield { title, skipped: { code: "skipped-entry", refusal: refused } };
          continue;
        }
        const attachments = new Map<string, string>();
        for (const a of Array.isArray(listed.attachments) ? listed.attachments : []) {
          if (isRecord(a) && typeof a.elementId === "string" && typeof a.path === "string") attachments.set(a.elementId, a.path);
        }
        const item = await firstItem(() => archive.stream(entry, limits.maxConversationBytes), { ...limits, maxJsonEntryBytes: limits.maxConversationBytes }).catch(
          (error: unknown) => ({ index: i, topLevel: "object" as const, error: error instanceof ImportError ? error.problem : ({ code: "unreadable" } as const) }),
        );
        if (!item) {
          yield { title, skipped: { code: "invalid-json" } };
          continue;
        }
        const pinned = typeof listed.pinnedAt === "string";
        yield planItem({ ...item, index: i }, (value) => {
          const planned = planThreadbookThread(value, context.userId, attachments, context.now, limits.maxMessages);
          return planned && pinned ? { ...planned, pinned } : planned;
        });
      }
    },
    close: () => archive.close(),
  };
}
