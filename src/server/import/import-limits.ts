/**
 * What an import reads at most (docs/import-export.md, "Limits"). A file is hostile until read: every size below is
 * checked against the zip's central directory before an entry is opened, and counted again while it streams, since a
 * zip can lie about its sizes.
 */
import type { ImportProblem } from "@/lib/shared/import-problem";
import { importProblemEn } from "@/lib/shared/i18n/import-problems";
export interface ImportLimits {
  /** The uploaded file (IMPORT_MAX_MB). */
  maxUploadBytes: number;
  /** conversations.json / index.json / a thread's JSON: read as a stream, but never more than this. */
  maxJsonEntryBytes: number;
  /** One conversation's JSON text (it is parsed whole). */
  maxConversationBytes: number;
  /** An attachment in the zip (MAX_UPLOAD_MB, as for files attached in the app). */
  maxFileBytes: number;
  /** Everything the import may inflate from one zip. */
  maxTotalUncompressedBytes: number;
  /** Entries in the central directory. */
  maxEntries: number;
  /** Uncompressed / compressed above this, for an entry over 1 MB, is a zip bomb. */
  maxRatio: number;
  /** JSON nesting; real exports stay under 20. */
  maxJsonDepth: number;
  /** Messages (steps) in one conversation. */
  maxMessages: number;
}

const MB = 1024 * 1024;

export function importLimits(env: { IMPORT_MAX_MB: number; MAX_UPLOAD_MB: number }): ImportLimits {
  return {
    maxUploadBytes: env.IMPORT_MAX_MB * MB,
    maxJsonEntryBytes: 1024 * MB,
    maxConversationBytes: 64 * MB,
    maxFileBytes: env.MAX_UPLOAD_MB * MB,
    maxTotalUncompressedBytes: 4096 * MB,
    maxEntries: 200_000,
    maxRatio: 200,
    maxJsonDepth: 64,
    maxMessages: 20_000,
  };
}

/**
 * A problem with the whole file: the job fails with it. Its message is the problem in English (the job's `error`);
 * the problem itself goes beside it, for the dialog to word in the reader's language.
 */
export class ImportError extends Error {
  override readonly name = "ImportError";
  constructor(readonly problem: ImportProblem) {
    super(importProblemEn(problem));
  }
}
