/**
 * The only place object keys are built (docs/conventions.md, "Keys"): `threadbook/{threadId}/{elementId}/{safe file name}`.
 *
 * Why the fixed first segment: Chainlit's keys are `{userIdentifier}/{threadId}/{elementId}`, three segments. A key
 * of ours always has four, none of them holding a separator, so no upload of ours can land on (overwrite) a Chainlit
 * file, whatever ids a thread or element carries; without it, a thread whose id was a user identifier (possible
 * before thread ids were chosen by the server) could write `{identifier}/{their thread id}/{their element id}`.
 * A key is never used as a prefix to delete by either: deletes name each key an element item records (delete-thread.ts),
 * or a key the orphan sweep listed under a derived root and read back to an element that is gone (parseDerivedObjectKey).
 * Items written before this layout keep the key they recorded.
 */
import { createHash } from "node:crypto";
import { IMPORT_JOB_ID } from "../entities/import-job";
import { DataError } from "../errors";

const MAX_NAME_LENGTH = 100;
/** Keep an extension up to this long when a name has to be shortened, so `.csv` survives truncation. */
const MAX_EXTENSION_LENGTH = 16;
const FALLBACK_NAME = "file";

/**
 * A file name safe in a key and a URL path: ASCII letters, digits, `.`, `-` and `_`; every other run of characters becomes one `-`.
 * Accents are dropped first (`résumé` → `resume`) so Latin names stay readable. The original name is not lost: it travels in
 * Content-Disposition. Leading dots are stripped so the last segment is never `.` or `..`, which URL parsers would resolve away.
 */
export function safeFileName(fileName: string): string {
  const cleaned = fileName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[.-]+/, "")
    .replace(/-+$/, "");
  return truncateKeepingExtension(cleaned) || FALLBACK_NAME;
}

function truncateKeepingExtension(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH ? name.slice(dot) : "";
  return name.slice(0, MAX_NAME_LENGTH - extension.length).replace(/[.-]+$/, "") + extension;
}

/**
 * Ids become path segments. An empty id, a separator (`/`, or a backslash, which some tools and Azure paths treat as one) or a
 * dot segment (`.`, `..`, which URL parsers and some servers resolve away) would move a key out of its thread's place.
 */
function segment(label: string, id: string): string {
  if (id === "" || /[/\\]/.test(id) || id === "." || id === "..") {
    throw new DataError("validation", `${label} cannot be used in an object key: it is empty, a dot segment, or contains a path separator`);
  }
  return id;
}

export const OBJECT_KEY_ROOT = "threadbook";

export function elementObjectKey(threadId: string, elementId: string, fileName: string): string {
  return `${OBJECT_KEY_ROOT}/${segment("threadId", threadId)}/${segment("elementId", elementId)}/${safeFileName(fileName)}`;
}

/**
 * True when `objectKey` is the key Threadbook built for this very element (`threadbook/{threadId}/{elementId}/{name}`):
 * it names nothing but the thread, the element and a cleaned file name. Any other key (Chainlit's
 * `{userIdentifier}/{threadId}/{elementId}`, whose first segment is often the owner's email, or an older layout) may
 * say who owns the file, so a share viewer is served a copy of it instead (shareCopyKey).
 */
export function isOwnElementKey(objectKey: string, threadId: string, elementId: string): boolean {
  return isKeyOf(OBJECT_KEY_ROOT, objectKey, threadId, elementId);
}

/** `{root}/{threadId}/{elementId}/{a name safeFileName leaves as it is}`, exactly. */
function isKeyOf(root: string, objectKey: unknown, threadId: string, elementId: string): objectKey is string {
  const prefix = `${root}/${threadId}/${elementId}/`;
  if (typeof objectKey !== "string" || !objectKey.startsWith(prefix)) return false;
  const name = objectKey.slice(prefix.length);
  return name !== "" && name === safeFileName(name);
}

/**
 * True when `objectKey`, as an element item records it, names a file of that very element (ids from the item's key):
 * Threadbook's key (isOwnElementKey), its older `{threadId}/{elementId}/{name}`, or Chainlit's
 * `{userIdentifier}/{threadId}/{elementId}` (docs/chainlit.md, "Elements and object keys"). The attribute is
 * whatever the item's writer put there, and every read signs it, reads it for the model, copies it for a share or a
 * copy, and every delete deletes it: an element item in Mallory's thread naming Alice's file would hand Mallory that
 * file, and deleting Mallory's thread would delete it. No writer of an honest item records anything else.
 */
export function isElementFileOf(objectKey: unknown, threadId: string, elementId: string): objectKey is string {
  if (typeof objectKey !== "string" || threadId === "" || elementId === "") return false;
  // Threadbook's keys, current and older, end in the file name as it was cleaned when stored: whatever cleaning an
  // earlier version did, one segment, never empty.
  for (const prefix of [`${OBJECT_KEY_ROOT}/${threadId}/${elementId}/`, `${threadId}/${elementId}/`]) {
    if (objectKey.startsWith(prefix)) {
      const name = objectKey.slice(prefix.length);
      if (name !== "" && !name.includes("/")) return true;
    }
  }
  const chainlit = `/${threadId}/${elementId}`;
  if (!objectKey.endsWith(chainlit)) return false;
  const identifier = objectKey.slice(0, -chainlit.length);
  // Threadbook's own roots hold four segments or two: a Chainlit key ends its identifier before them (a user named
  // "threadbook" keys `threadbook/{threadId}/{elementId}`, three).
  return identifier !== "" && !/^threadbook(-shared|-imports|-previews)?\//.test(identifier);
}

export const SHARE_COPY_ROOT = "threadbook-shared";

/**
 * Where a share viewer's copy of an element stored under someone else's key lives (docs/sharing.md, "Downloads"):
 * `threadbook-shared/{threadId}/{elementId}/{safe file name}`. Four segments under a root of its own: never a
 * Chainlit key (three) nor an element key of ours (another root), and nothing in it names the owner.
 */
export function shareCopyKey(threadId: string, elementId: string, fileName: string): string {
  return `${SHARE_COPY_ROOT}/${segment("threadId", threadId)}/${segment("elementId", elementId)}/${safeFileName(fileName)}`;
}

/** True when `objectKey` is the share copy key of this element: the only recorded copy key ever signed or deleted. */
export function isShareCopyKeyOf(objectKey: unknown, threadId: string, elementId: string): objectKey is string {
  return isKeyOf(SHARE_COPY_ROOT, objectKey, threadId, elementId);
}

export const PREVIEW_ROOT = "threadbook-previews";

/**
 * Where an element's small preview lives (docs/long-threads.md, "Image previews"):
 * `threadbook-previews/{threadId}/{elementId}/{hash of the element's object key}.webp`. Built by the server from the
 * object key the element item records (checked by isElementFileOf before), never from anything a client sends. The
 * hash ties the preview to the very file it was made from (an element re-created with another file gets another key,
 * so a stale preview is never signed) and keeps a Chainlit key's user identifier out of the link a share viewer gets.
 * Four segments under a root of its own: never a Chainlit key (three), an element key or a share copy (other roots).
 *
 * The hash covers the settings' version too (PREVIEW_VERSION): previews made with earlier settings are never signed
 * again, each is made anew on its first view (lazily, bounded as any first view), and deletes still find the old keys
 * (previewKeysOf).
 */
export function previewKeyOf(threadId: string, elementId: string, objectKey: string, version: number = PREVIEW_VERSION): string {
  // Version 1 hashed the object key alone: its keys stay derivable, so the previews it made can still be deleted.
  const digest = createHash("sha256").update(version === 1 ? objectKey : `${objectKey}\npreview-v${version}`).digest("hex").slice(0, 24);
  return `${PREVIEW_ROOT}/${segment("threadId", threadId)}/${segment("elementId", elementId)}/${digest}.webp`;
}

/**
 * How previews are made now (layer/steps/element-previews.ts): raised whenever their settings change. 1: lossy WebP
 * quality 75 for everything; 2: lossless for graphics (charts, screenshots), lossy for photos.
 */
export const PREVIEW_VERSION = 2;

/** Every key a preview of this file may have been stored under, now or with earlier settings: what a delete removes. */
export function previewKeysOf(threadId: string, elementId: string, objectKey: string): string[] {
  return Array.from({ length: PREVIEW_VERSION }, (_, index) => previewKeyOf(threadId, elementId, objectKey, index + 1));
}

/**
 * An import's upload (docs/import-export.md): `threadbook-imports/{jobId}`. Built from the job id the server made,
 * never from a name the client gave, and nothing but such an id is accepted. Two segments: no element key of ours
 * (four) or of Chainlit (three) can be one, so an upload never lands on a file and a file never on an upload.
 */
export function importUploadKey(jobId: string): string {
  if (!IMPORT_JOB_ID.test(jobId)) throw new DataError("validation", "an import upload key is made from an import job id only");
  return `threadbook-imports/${jobId}`;
}

/** For every backend call: keys come from here, but a blank one would address the bucket or container itself. */
export function checkObjectKey(objectKey: string): void {
  if (!objectKey || objectKey.startsWith("/")) throw new DataError("validation", "objectKey must be non-empty and must not start with /");
}

/** A listing's prefix and page size (StorageClient.listObjects): a blank prefix would list the whole bucket. */
export function checkListing(prefix: string, pageSize: number, maxPageSize: number): void {
  if (!prefix || prefix.startsWith("/")) throw new DataError("validation", "a listing's prefix must be non-empty and must not start with /");
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) throw new DataError("validation", `a listing's page size is a whole number from 1 to ${maxPageSize}`);
}

/** The roots of objects Threadbook derives from an element's file: its previews, its share copy. */
export const DERIVED_ROOTS = [PREVIEW_ROOT, SHARE_COPY_ROOT] as const;
export type DerivedRoot = (typeof DERIVED_ROOTS)[number];

const PREVIEW_NAME = /^[0-9a-f]{24}\.webp$/;
/** An id as the entities accept one (entities/common.ts, IdSchema: 1 to 128, no `#` or white space), never a dot segment. */
const isDerivedId = (id: string) => /^[^#\s/\\]{1,128}$/.test(id) && id !== "." && id !== "..";

/**
 * The element a derived object belongs to, read back from its key exactly as previewKeyOf or shareCopyKey build it:
 * four segments, ids as the entities accept them, and a last segment of the very form the builder makes (a preview's hash,
 * a share copy's cleaned name). Null for anything else under those roots: a Chainlit file of a user whose identifier
 * is `threadbook-previews` (`threadbook-previews/{thread}/{element}`, three segments) is never taken for one.
 */
export function parseDerivedObjectKey(objectKey: string): { root: DerivedRoot; threadId: string; elementId: string } | null {
  const parts = objectKey.split("/");
  if (parts.length !== 4) return null;
  const [root, threadId, elementId, name] = parts as [string, string, string, string];
  if (!isDerivedId(threadId) || !isDerivedId(elementId)) return null;
  if (root === PREVIEW_ROOT && PREVIEW_NAME.test(name)) return { root, threadId, elementId };
  if (root === SHARE_COPY_ROOT && name !== "" && name === safeFileName(name)) return { root, threadId, elementId };
  return null;
}
