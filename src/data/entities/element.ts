import { z } from "zod";
import { IdSchema, JsonObjectSchema } from "./common";

export const ElementTypeSchema = z.enum([
  "image",
  "text",
  "pdf",
  "tasklist",
  "audio",
  "video",
  "file",
  "plotly",
  "dataframe",
  "custom",
]);
export type ElementType = z.infer<typeof ElementTypeSchema>;

/** Chainlit's ElementDict plus `bytes` (the stored size; Chainlit's `size` is a display size). */
export const ElementSchema = z.object({
  id: IdSchema,
  threadId: IdSchema,
  type: z.union([ElementTypeSchema, z.string()]).nullable().optional(),
  chainlitKey: z.string().nullable().optional(),
  path: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  objectKey: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  display: z.string().nullable().optional(),
  size: z.string().nullable().optional(),
  language: z.string().nullable().optional(),
  page: z.number().nullable().optional(),
  props: JsonObjectSchema.nullable().optional(),
  autoPlay: z.boolean().nullable().optional(),
  playerConfig: JsonObjectSchema.nullable().optional(),
  forId: z.string().nullable().optional(),
  mime: z.string().nullable().optional(),
  bytes: z.number().nullable().optional(),
  createdAt: z.string().nullable().optional(),
  /**
   * The copy a share viewer downloads instead of a file stored under someone else's key (layer/shares/share-copies.ts).
   * Written only by that module, never by createElement, and never sent to a browser or an export.
   */
  shareCopyKey: z.string().nullable().optional(),
  /**
   * The preview made of an image element (layer/steps/element-previews.ts): its key, or the key it would have had when
   * its file could not be made into one (not an image, corrupt, over the limits), so no later view tries again. Only
   * ever the key previewKeyOf derives from this item's own objectKey counts. Never sent to a browser or an export.
   */
  previewKey: z.string().nullable().optional(),
  previewRefused: z.string().nullable().optional(),
  /**
   * After a making that ran out of time (element-previews.ts): `{key} {retry after, ms} {timeouts}`, so views until
   * then do not try again. Kept by nothing else; Chainlit's PutItem of the element drops it (then one more try).
   */
  previewRetry: z.string().nullable().optional(),
  /** A freshly signed link to the preview, and when it stops working. Never stored. */
  previewUrl: z.string().nullable().optional(),
  previewUrlExpiresAt: z.string().nullable().optional(),
  /** When `url` is a freshly signed link: the moment it stops working (ISO). Never stored. */
  urlExpiresAt: z.string().nullable().optional(),
});
export type Element = z.infer<typeof ElementSchema>;

/** The bytes of a new element: a buffer, a string or a Node readable stream. */
export type ElementContent = Uint8Array | string | NodeJS.ReadableStream;

export type ElementInput = z.input<typeof ElementSchema> & { content?: ElementContent };
