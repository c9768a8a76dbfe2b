/**
 * Thread-list cursors: opaque, versioned, signed and bound to the caller (docs/conventions.md, "Cursors"). Chainlit returned the raw
 * typed LastEvaluatedKey as JSON and fed it back unchecked as ExclusiveStartKey, so a crafted cursor could page
 * through another user's index partition and a garbled one gave a 500.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { DataError } from "./errors";

/** The four keys a UserThread Query resumes from: the table keys plus the index keys. */
export const CursorKeySchema = z.object({
  PK: z.string().min(1),
  SK: z.string().min(1),
  UserThreadPK: z.string().min(1),
  UserThreadSK: z.string().min(1),
});
export type CursorKey = z.infer<typeof CursorKeySchema>;

const CursorPayloadSchema = z.object({
  v: z.literal(1),
  /** The user the page belongs to. */
  u: z.string(),
  /** The filter the page was listed with (see filterKind). */
  f: z.string(),
  /** The keys of the last row the caller was given. */
  k: CursorKeySchema,
});
type CursorPayload = z.infer<typeof CursorPayloadSchema>;

/**
 * Names a filter so a cursor only resumes the listing it came from. The search term goes in as a short hash:
 * the cursor stays small and does not echo the term.
 */
export function filterKind(filter: { search?: string | null; feedback?: 0 | 1 | null; tag?: string | null }): string {
  const parts = [filter.feedback == null ? "all" : `feedback:${filter.feedback}`];
  const hashed = (text: string) => createHash("sha256").update(text.toLowerCase()).digest("base64url").slice(0, 16);
  if (filter.search) parts.push(`search:${hashed(filter.search)}`);
  if (filter.tag) parts.push(`tag:${hashed(filter.tag)}`);
  return parts.join("+");
}

/** A per-process key: cursors then die with the process, which only costs a user a reload of page 1. */
export const randomCursorSecret = (): string => randomBytes(32).toString("base64url");

const tag = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest();

/** Any JSON payload, signed: `{base64url body}.{HMAC tag}`. The one signing rule for every cursor the app hands out. */
export function sealCursor(secret: string, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${tag(secret, body).toString("base64url")}`;
}

/** The payload of a cursor whose tag verifies, still unchecked in shape; anything else throws `invalid_cursor`. */
export function openCursor(secret: string, cursor: string): unknown {
  const invalid = (reason: string) => new DataError("invalid_cursor", `invalid cursor (${reason})`);
  const [body, signature, ...rest] = cursor.split(".");
  if (!body || !signature || rest.length > 0) throw invalid("format");
  const given = Buffer.from(signature, "base64url");
  const wanted = tag(secret, body);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw invalid("signature");
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch (cause) {
    throw new DataError("invalid_cursor", "invalid cursor (json)", { cause });
  }
}

export function encodeCursor(secret: string, payload: Omit<CursorPayload, "v">): string {
  return sealCursor(secret, { v: 1, ...payload });
}

/**
 * Verifies the tag, then the shape, then that the cursor is this caller's and this filter's. Every failure is the
 * same DataError: a client holding a stale or foreign cursor learns nothing about why.
 */
export function decodeCursor(secret: string, cursor: string, expected: { userId: string; filter: string; indexPk: string }): CursorKey {
  const invalid = (reason: string) => new DataError("invalid_cursor", `invalid cursor (${reason})`);
  const parsed = CursorPayloadSchema.safeParse(openCursor(secret, cursor));
  if (!parsed.success) throw invalid("shape");
  const { u, f, k } = parsed.data;
  if (u !== expected.userId || k.UserThreadPK !== expected.indexPk) throw invalid("user");
  if (f !== expected.filter) throw invalid("filter");
  return k;
}
