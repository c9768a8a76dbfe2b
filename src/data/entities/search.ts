import { z } from "zod";
import { FeedbackValueSchema } from "./feedback";
import { PaginationSchema, TagFilterSchema } from "./thread";

/** Characters of a search query, at most (the search box's maxLength). */
export const SEARCH_QUERY_MAX = 200;

/** A full-text search of one user's threads (docs/search.md). */
export const SearchInputSchema = z.object({
  userId: z.string().min(1),
  query: z.string().trim().min(1, "type something to search for").max(SEARCH_QUERY_MAX, `a search is at most ${SEARCH_QUERY_MAX} characters`),
  first: z.number().int().min(1, "first must be at least 1").max(50, "first must be at most 50"),
  cursor: PaginationSchema.shape.cursor,
  feedback: FeedbackValueSchema.nullable().optional(),
  /** Only threads holding this tag (their THREAD items' `tags`, compared as tag-text.ts's tagKey). */
  tag: TagFilterSchema.nullable().optional(),
});
export type SearchInput = z.input<typeof SearchInputSchema>;

export const SnippetPartSchema = z.object({ text: z.string(), mark: z.literal(true).optional() });

export const SearchHitSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  /** The thread's last activity. */
  updatedAt: z.string(),
  /** The message the snippet comes from (the thread view scrolls to it), or null for a name or a file. */
  stepId: z.string().nullable(),
  snippet: z.array(SnippetPartSchema),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export interface SearchPage {
  data: SearchHit[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** A word matched more index entries than one search reads: some threads may be missing. */
  partial: boolean;
  /**
   * A first page that found nothing because a word is in none of the user's messages: the query with that word
   * replaced by the closest word of the user's own index ("Did you mean …?"), else null.
   */
  suggestion: string | null;
}
