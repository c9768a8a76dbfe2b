/**
 * What every export format is read into before it becomes Threadbook (= Chainlit) items: a conversation as a list of
 * messages in reading order. Times are epoch microseconds, or null when the export has none.
 */
import type { ImportProblem } from "@/lib/shared/import-problem";
import { importProblemEn } from "@/lib/shared/i18n/import-problems";

export type SourceRole = "user" | "assistant" | "tool";

export type AttachmentSource =
  /** Bytes of a zip entry, found by name in the central directory (never used as a path). */
  | { kind: "entry"; entryName: string }
  /** A ChatGPT file id (`file-…`); the zip's file of that id, if the export carries it. */
  | { kind: "file-id"; fileId: string }
  /** Text carried in the JSON itself (Claude's extracted attachment content). */
  | { kind: "text"; text: string }
  /** An image carried in the JSON itself as a base64 `data:` URL (Open WebUI's pasted images): data-url.ts. */
  | { kind: "data-url"; url: string }
  /** Named by the export, which does not carry it (Open WebUI and LibreChat keep files on their server): skipped, counted. */
  | { kind: "not-exported" };

export interface SourceAttachment {
  sourceId: string;
  name: string;
  mime: string | null;
  source: AttachmentSource;
}

export interface SourceMessage {
  sourceId: string;
  role: SourceRole;
  /** What the message says (a tool's output). */
  text: string;
  /** A tool call's input. */
  input?: string;
  /** A tool's name, or the assistant's model. */
  name?: string;
  createdAt: number | null;
  attachments: SourceAttachment[];
}

export interface SourceConversation {
  sourceId: string;
  title: string | null;
  createdAt: number | null;
  updatedAt: number | null;
  messages: SourceMessage[];
  /** Pinned in the app it comes from (Open WebUI's `pinned`): pinned once written, as a Threadbook export's pins are. */
  pinned?: boolean;
  /** Its tags in the app it comes from (Open WebUI's), as thread tags: tagsToImport has checked them. */
  tags?: string[];
}

/** A conversation the file holds but that cannot be imported, with the reason shown in the summary. */
export class SkipConversation extends Error {
  constructor(
    readonly title: string,
    readonly problem: ImportProblem,
  ) {
    super(importProblemEn(problem));
  }
}

/** Seconds since the epoch (ChatGPT's floats) → microseconds; anything else → null. */
export const secondsToMicros = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) && value > 0 && value < 1e11 ? Math.round(value * 1e6) : null;

/** An ISO string (Claude's) → microseconds; anything else → null. */
export function isoToMicros(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms * 1000 : null;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
export const asString = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** A file a message names whose bytes the export does not carry: listed, so the summary counts it as skipped. */
export function notExportedFile(sourceId: string, name: string | null, mime: string | null): SourceAttachment {
  return { sourceId, name: name?.trim().slice(0, 255) || sourceId, mime, source: { kind: "not-exported" } };
}

/** A few files at most per message: a hostile message listing thousands must not make thousands of skips. */
export const MAX_FILES_PER_MESSAGE = 20;
