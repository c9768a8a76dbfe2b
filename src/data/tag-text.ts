/**
 * Thread tags as text: the one normalisation and comparison rule, pure (no zod), so the browser's optimistic update
 * and the layer agree. A tag Threadbook writes is trimmed, its runs of white space made one space, at most
 * TAG_MAX_LENGTH characters; tags are the same when their lowercase forms are (the first spelling is kept). Chainlit's
 * `update_thread(tags=…)` writes any strings: those are shown and kept as they are, only compared through `tagKey`.
 */
export const TAG_MAX_LENGTH = 40;
/** Tags one thread may hold; an add past it is refused (a remove never is, whatever Chainlit stored). */
export const MAX_TAGS_PER_THREAD = 20;

/**
 * Controls and format characters (Unicode Cc, Cf) other than white space and the zero-width joiner an emoji sequence
 * needs: a right-to-left override or a zero-width space in a tag makes it read as another (`\u202Ekrow` shows as
 * "work"), and a NUL or an escape has no business in one.
 */
const INVISIBLE = /(?![\s\u200D])[\p{Cc}\p{Cf}]/gu;

/** Invisible characters dropped, trimmed, white space collapsed; may be "" (refused by the callers that write). */
export const normaliseTag = (tag: string): string => tag.replace(INVISIBLE, "").replace(/\s+/gu, " ").trim();

/** What two tags are compared by: same key, same tag. */
export const tagKey = (tag: string): string => normaliseTag(tag).toLocaleLowerCase("en");

/**
 * Chainlit bounds nothing: a read shows at most this many of a stored list's tags, and a change to a list longer than
 * this is refused (thread-tags.ts builds its condition from the whole old list).
 */
export const MAX_STORED_TAGS = 100;

/** The strings of a stored `tags` value (Chainlit may leave it absent, NULL, or hold non-strings in it). */
export const tagsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === "string") : []);

/**
 * A thread's tags as a read hands them on: the first MAX_STORED_TAGS strings of whatever is stored. Chainlit's
 * `update_thread(tags=…)` stores what its caller passed (a number, a map, a list of 10,000), and a thread must still
 * open, list and export (get-thread.ts's decodeThreadItem).
 */
export const readTags = (value: unknown): string[] => tagsOf(value).slice(0, MAX_STORED_TAGS);

/** True when `tags` (as stored) holds `tag` among the tags a read shows (readTags), compared by `tagKey`. */
export const hasTag = (tags: unknown, tag: string): boolean => {
  const key = tagKey(tag);
  return readTags(tags).some((t) => tagKey(t) === key);
};

/** `tags` with `tag` added at the end unless one with its key is there (the first spelling stays). */
export const withTag = (tags: readonly string[], tag: string): string[] => (hasTag(tags, tag) ? [...tags] : [...tags, normaliseTag(tag)]);

/** `tags` without any tag of `tag`'s key; the others stay as they are. */
export const withoutTag = (tags: readonly string[], tag: string): string[] => tags.filter((t) => tagKey(t) !== tagKey(tag));
