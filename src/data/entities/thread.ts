import { z } from "zod";
import { IdSchema, JsonObjectSchema, TimestampSchema } from "./common";
import { ElementSchema } from "./element";
import { StepSchema } from "./step";
import { FeedbackValueSchema } from "./feedback";
import { MAX_TAGS_PER_THREAD, TAG_MAX_LENGTH, normaliseTag, withTag } from "../tag-text";

export const THREAD_NAME_MAX = 200;

/**
 * A name read from the table, made one Threadbook may write: other writers bound it by nothing (Chainlit names a
 * thread with its whole first message). Cut with an ellipsis to `max` characters, never inside a surrogate pair (half
 * an emoji is not text: it shows as a replacement box). Every name Threadbook makes from longer text is cut here.
 */
export function clipThreadName(name: string, max = THREAD_NAME_MAX): string {
  if (name.length <= max) return name;
  const cut = name.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

export const ThreadSchema = z.object({
  id: IdSchema,
  /** When the thread was created (Chainlit rewrites it on every update; Threadbook keeps it). */
  createdAt: TimestampSchema,
  /** Last activity: orders the thread list. Missing on threads only Chainlit has written. */
  updatedAt: TimestampSchema.nullable().optional(),
  name: z.string().nullable().optional(),
  userId: z.string().nullable().optional(),
  userIdentifier: z.string().nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
  metadata: JsonObjectSchema.nullable().optional(),
});
export type Thread = z.infer<typeof ThreadSchema>;

export const ThreadWithContentSchema = ThreadSchema.extend({
  steps: z.array(StepSchema),
  elements: z.array(ElementSchema),
});
export type ThreadWithContent = z.infer<typeof ThreadWithContentSchema>;

/** A row of the thread list: what the UserThread index carries (id, name, the activity timestamp). */
export const ThreadSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type ThreadSummary = z.infer<typeof ThreadSummarySchema>;

export const ThreadUpdateSchema = z.object({
  name: z.string().max(THREAD_NAME_MAX).nullable().optional(),
  userId: z.string().nullable().optional(),
  /** Merged into the stored metadata; a null value removes that key. */
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
});
export type ThreadUpdate = z.infer<typeof ThreadUpdateSchema>;

/** Longest text a tag is read from before normalising (a bound on what is parsed, not the tag's). */
const TAG_INPUT_MAX = 200;

/** A tag Threadbook writes: normalised (tag-text.ts), then 1–TAG_MAX_LENGTH characters. */
export const TagSchema = z
  .string()
  .max(TAG_INPUT_MAX, `A tag is at most ${TAG_MAX_LENGTH} characters`)
  .transform(normaliseTag)
  .pipe(z.string().min(1, "A tag cannot be empty").max(TAG_MAX_LENGTH, `A tag is at most ${TAG_MAX_LENGTH} characters`));

/** A thread's whole list as Threadbook writes it at once (an import): TagSchema tags, at most MAX_TAGS_PER_THREAD. */
export const ThreadTagsSchema = z.array(TagSchema).max(MAX_TAGS_PER_THREAD, `A thread holds at most ${MAX_TAGS_PER_THREAD} tags`);

/** Entries of a file's tag list looked at, at most: a hostile list of millions is not walked. */
export const TAG_ENTRIES_READ = 100;

/**
 * The tags a file carries (an export's names, checked by TagSchema as an add through the tags router is): the valid
 * ones, normalised, case-insensitively unique (the first spelling kept), the first MAX_TAGS_PER_THREAD of them. What
 * is not a tag (empty, over TAG_MAX_LENGTH, not a string) is left out rather than refusing the conversation.
 */
export function tagsToImport(names: readonly unknown[]): string[] {
  let tags: string[] = [];
  for (const name of names.slice(0, TAG_ENTRIES_READ)) {
    const tag = TagSchema.safeParse(name);
    if (tag.success && tags.length < MAX_TAGS_PER_THREAD) tags = withTag(tags, tag.data);
  }
  return ThreadTagsSchema.parse(tags);
}

/**
 * A tag to list threads by: any tag a thread may hold, Chainlit's longer ones included (Chainlit bounds nothing), so
 * only the input's bound and the normalising apply.
 */
export const TagFilterSchema = z.string().max(TAG_INPUT_MAX).transform(normaliseTag).pipe(z.string().min(1, "A tag cannot be empty"));

export const PaginationSchema = z.object({
  first: z.number().int().min(1, "first must be at least 1").max(100, "first must be at most 100"),
  cursor: z.string().max(2048).nullable().optional(),
});
export type Pagination = z.input<typeof PaginationSchema>;

export const ThreadFilterSchema = z.object({
  userId: z.string().min(1),
  search: z.string().trim().max(THREAD_NAME_MAX).nullable().optional(),
  feedback: FeedbackValueSchema.nullable().optional(),
  /** Only threads holding this tag (compared as tag-text.ts's tagKey). */
  tag: TagFilterSchema.nullable().optional(),
});
export type ThreadFilter = z.input<typeof ThreadFilterSchema>;

export const PageInfoSchema = z.object({
  hasNextPage: z.boolean(),
  startCursor: z.string().nullable(),
  endCursor: z.string().nullable(),
});

export const paginatedResponseSchema = <T extends z.ZodType>(item: T) =>
  z.object({ pageInfo: PageInfoSchema, data: z.array(item) });

export type PaginatedResponse<T> = { pageInfo: z.infer<typeof PageInfoSchema>; data: T[] };
