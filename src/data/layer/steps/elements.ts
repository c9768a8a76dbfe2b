/**
 * Elements (attachments): `THREAD#{threadId}` / `ELEMENT#{elementId}`, bytes in the storage provider.
 * Chainlit only warned when no storage provider was set (the element was silently lost), never re-signed URLs in
 * get_element, and left blobs behind on delete; each is fixed below.
 */
import { Transform, pipeline } from "node:stream";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keyed, type Item } from "../../dynamo/codec";
import { ElementSchema, type Element, type ElementContent, type ElementInput } from "../../entities/element";
import { DataError } from "../../errors";
import { elementSk, elementSource, threadPk } from "../../keys";
import { elementObjectKey, isElementFileOf, safeFileName } from "../../storage/object-key";
import { type UploadData } from "../../storage/storage-client";
import { type LayerContext } from "../context";
import { indexElementName, removeSource } from "../search/search-index";
import { recordedShareCopy } from "../shares/share-copy-record";
import { makePreview, previewKeyFor, previewKeysFor, signPreview } from "./element-previews";
import { decodeLeniently } from "../unreadable-attributes";

export const DEFAULT_MIME = "application/octet-stream";

const elementKey = (threadId: string, elementId: string) => ({ PK: threadPk(threadId), SK: elementSk(elementId) });

/**
 * The object-key form of a file name (storage/object-key.ts owns the rule: ASCII letters, digits, `.-_`, bounded).
 * The original name stays in `name` and is offered back as the download name; Chainlit's keys had no name at all,
 * so browsers saved downloads under the element id.
 */
export const safeObjectName = safeFileName;

/** The content to upload and a way to learn its size afterwards (a stream is counted as it flows). */
function measure(content: ElementContent): { data: UploadData; bytes: () => number } {
  if (typeof content === "string") return { data: content, bytes: () => Buffer.byteLength(content) };
  if (content instanceof Uint8Array) return { data: content, bytes: () => content.byteLength };
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      total += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      callback(null, chunk);
    },
  });
  // A source error destroys the counter, which fails the upload that is reading it.
  pipeline(content, counter, () => undefined);
  return { data: counter, bytes: () => total };
}

async function bestEffortDelete(ctx: LayerContext, objectKey: string): Promise<void> {
  try {
    await ctx.storage?.deleteFile(objectKey);
  } catch (error) {
    ctx.logger.warn("blob delete failed; the object is orphaned", { objectKey, error: String(error) });
  }
}

/**
 * Uploads first, then writes the item only if the upload worked (no item pointing at nothing). The item records the
 * object key, mime, size and time; `url` keeps what the storage returned, as Chainlit stored it, but every read
 * signs a fresh one. Returns the element as stored (unsigned).
 */
export async function createElement(ctx: LayerContext, input: ElementInput, options: { owner?: string } = {}): Promise<Element> {
  const { content, ...fields } = input;
  // urlExpiresAt describes a signed link, never stored; a share copy is recorded by share-copies.ts alone.
  // A preview is recorded by element-previews.ts alone, for the file stored now (a copied element's is not its own).
  const { urlExpiresAt: _signedOnly, shareCopyKey: _copy, previewKey: _made, previewRefused: _refused, previewRetry: _retry, previewUrl: _link, previewUrlExpiresAt: _linkExpiry, ...parsed } = ElementSchema.parse(fields);
  let element: Element = { ...parsed, mime: parsed.mime ?? DEFAULT_MIME, createdAt: parsed.createdAt ?? ctx.now() };
  let uploadedKey: string | undefined;
  if (content !== undefined) {
    if (!ctx.storage) throw new DataError("storage", `element ${element.id} has content but no storage provider is configured`);
    const objectKey = elementObjectKey(element.threadId, element.id, element.name ?? element.id);
    const { data, bytes } = measure(content);
    try {
      const uploaded = await ctx.storage.uploadFile({ objectKey, data, mime: element.mime ?? DEFAULT_MIME, fileName: element.name ?? undefined });
      uploadedKey = uploaded.objectKey || objectKey;
      element = { ...element, objectKey: uploadedKey, url: uploaded.url ?? element.url ?? null, bytes: bytes() };
    } catch (cause) {
      // A StorageError already names the bucket or container and what went wrong; keep it as it is.
      if (cause instanceof DataError) throw cause;
      throw new DataError("storage", `upload of element ${element.id} to ${ctx.storage.description} failed`, { cause });
    }
  }
  let previous: Record<string, unknown> | undefined;
  try {
    // The file name goes into the full-text index beside the item write (search-index.ts).
    const [out] = await Promise.all([
      ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: { ...elementKey(element.threadId, element.id), ...element }, ReturnValues: "ALL_OLD" })),
      options.owner ? indexElementName(ctx, options.owner, element.threadId, element.id, element.name) : undefined,
    ]);
    previous = out.Attributes;
  } catch (error) {
    if (uploadedKey) await bestEffortDelete(ctx, uploadedKey);
    throw error;
  }
  // Re-creating an element under another file name moves it to a new key: the old blob would be orphaned.
  const oldKey = recordedElementFile(previous, element.threadId, element.id);
  if (oldKey && oldKey !== element.objectKey) await bestEffortDelete(ctx, oldKey);
  // Its share copy (of the old content) is no longer recorded anywhere once the item is replaced.
  const oldCopy = previous && recordedShareCopy(previous, element.threadId);
  if (oldCopy) await bestEffortDelete(ctx, oldCopy);
  const current = previewKeyFor(element);
  for (const oldPreview of previousPreviews(previous, element.threadId, element.id)) if (oldPreview !== current) await bestEffortDelete(ctx, oldPreview);
  return uploadedKey ? previewOnStore(ctx, element) : element;
}

/** The preview of an image stored just now, so its first view already has one. Never fails the upload. */
async function previewOnStore(ctx: LayerContext, element: Element): Promise<Element> {
  if (!previewKeyFor(element)) return element;
  try {
    const state = await makePreview(ctx, element);
    if (state.kind === "made") return { ...element, previewKey: state.key };
    if (state.kind === "refused") return { ...element, previewRefused: previewKeyFor(element) };
  } catch (error) {
    // The first view makes it instead (elements.preview).
    ctx.logger.warn("could not make an uploaded image's preview", { threadId: element.threadId, elementId: element.id, error: String(error) });
  }
  return element;
}

/**
 * The preview keys of the element an item (read raw, e.g. ALL_OLD) describes, recorded or not, under every settings
 * version (a preview of earlier settings not yet replaced): what a delete removes.
 */
export function previousPreviews(item: Item | undefined, threadId: string, elementId: string): string[] {
  const objectKey = recordedElementFile(item, threadId, elementId);
  if (!item || !objectKey) return [];
  return previewKeysFor({ id: elementId, threadId, objectKey, type: item.type as string | null, mime: item.mime as string | null });
}

/**
 * How an element's link is signed: always as a download (an element without a name gets a bare `attachment`), in
 * the type its item records. Without a download name the object's stored disposition applied, and Chainlit stores
 * none: an element item naming no file name and `text/html` (whatever the object holds, the link's type overrides
 * it) was served for the browser to render, on the storage origin.
 */
export const readUrlOptions = (element: Pick<Element, "name" | "mime">) => ({ downloadName: element.name ?? "", mime: element.mime ?? undefined });

/** Replaces `url` with a freshly signed link when the element has a stored object; failures keep the stored URL. */
export async function signElement(ctx: LayerContext, element: Element): Promise<Element> {
  if (!ctx.storage || !element.objectKey) return element;
  try {
    const [signed, preview] = await Promise.all([ctx.storage.getReadUrl(element.objectKey, readUrlOptions(element)), signPreview(ctx, element)]);
    return { ...element, url: signed.url, urlExpiresAt: signed.expiresAt, ...preview };
  } catch (error) {
    ctx.logger.warn("could not sign an element URL", { threadId: element.threadId, elementId: element.id, error: String(error) });
    return element;
  }
}

/**
 * An element item's fields as the key says (keyed): its id and thread, and its file only when `objectKey` names a
 * file of this element (isElementFileOf); any other recorded key is dropped, with a warning, so nothing signs, reads,
 * copies or deletes it. A recorded `urlExpiresAt` is dropped too: it only ever describes a link signed by this read
 * (signElement), and an item carrying one made its stored `url` (any address its writer chose) pass for a link signed
 * just now, sent to the owner and to share viewers as the file's download (docs/security.md, "Ownership").
 */
export function elementFields(ctx: LayerContext, item: Item, threadId: string, elementId: string): Item {
  const { urlExpiresAt: _neverStored, previewUrl: _neverStoredEither, previewUrlExpiresAt: _norThis, ...stored } = item;
  const recorded = stored.objectKey;
  const foreign = typeof recorded === "string" && !isElementFileOf(recorded, threadId, elementId);
  if (foreign) ctx.logger.warn("an element's objectKey names no file of it; ignored", { threadId, elementId });
  return keyed(stored, foreign ? { id: elementId, threadId, objectKey: null } : { id: elementId, threadId });
}

/** The file an element item (as read raw, e.g. ALL_OLD) records, when it is a file of that element. */
export function recordedElementFile(item: Item | undefined, threadId: string, elementId: string): string | null {
  const recorded = item?.objectKey;
  return isElementFileOf(recorded, threadId, elementId) ? recorded : null;
}

export async function getElement(ctx: LayerContext, threadId: string, elementId: string): Promise<Element | null> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: elementKey(threadId, elementId), ConsistentRead: true }));
  // An attribute another writer stored in a shape that does not fit is read as absent; ids that do not fit: no element.
  const element = out.Item ? decodeLeniently(ctx, ElementSchema, elementFields(ctx, out.Item, threadId, elementId), { threadId, sk: String(out.Item.SK) }) : null;
  return element ? signElement(ctx, element) : null;
}

/**
 * Deletes the element's full-text entries, the item, then its blob (Chainlit's delete_element ignored its thread id
 * and kept the blob). The index goes first so an interrupted delete, repeated, still finds it.
 */
export async function deleteElement(ctx: LayerContext, elementId: string, threadId: string): Promise<boolean> {
  await removeSource(ctx, threadId, elementSource(elementId));
  const out = await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: elementKey(threadId, elementId), ReturnValues: "ALL_OLD" }));
  const objectKey = recordedElementFile(out.Attributes, threadId, elementId);
  if (objectKey) await bestEffortDelete(ctx, objectKey);
  const copy = out.Attributes && recordedShareCopy(out.Attributes, threadId);
  if (copy) await bestEffortDelete(ctx, copy);
  // Recorded or not: a preview being made as the item went is stored before its record fails.
  for (const preview of previousPreviews(out.Attributes, threadId, elementId)) await bestEffortDelete(ctx, preview);
  return out.Attributes !== undefined;
}
