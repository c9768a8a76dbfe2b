/**
 * Thread tags as text: the one normalisation and comparison rule, pure (no zod), so the browser's optimistic update
 * and the layer agree. A tag Threadbook writes is trimmed, its runs of white space made one space, at most
 * TAG_MAX_LENGTH characters; tags are the same when their lowercase forms are (the first spelling is kept). Chainlit's
 * `update_thread(tags=…)` writes any strings: those are shown and kept as they are, only compared through `tagKey`.
 */
export const TAG_MAX_LENGTH = 40;
/** Tags one thread may hold; an add past it is refused (a remove never is, whatever Chainlit stored). */
export const MAX_TAGS_PER_THREAD = 20;

/** Trimmed, white space collapsed; may be "" (refused by the callers that write). */
export const normaliseTag = (tag: string): string => tag.replace(/\s+/gu, " ").trim();

/** What two tags are compared by: same key, same tag. */
export const tagKey = (tag: string): string => normaliseTag(tag).toLocaleLowerCase("en");

/** The strings of a stored `tags` value (Chainlit may leave it absent, NULL, or hold non-strings in it). */
export const tagsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === "string") : []);

/** True when `tags` (as stored) holds `tag`, compared by `tagKey`. */
export const hasTag = (tags: unknown, tag: string): boolean => {
  const key = tagKey(tag);
  return tagsOf(tags).some((t) => tagKey(t) === key);
};

/** `tags` with `tag` added at the end unless one with its key is there (the first spelling stays). */
export const withTag = (tags: readonly string[], tag: string): string[] => (hasTag(tags, tag) ? [...tags] : [...tags, normaliseTag(tag)]);

/** `tags` without any tag of `tag`'s key; the others stay as they are. */
export const withoutTag = (tags: readonly string[], tag: string): string[] => tags.filter((t) => tagKey(t) !== tagKey(tag));
