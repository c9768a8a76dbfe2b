/**
 * Router inputs, derived from the entity schemas so a limit is written once (docs/conventions.md, "Schemas"). The thread id is not
 * here: threadProcedure owns it, and tRPC merges it into each of these (input merging).
 */
import { z } from "zod";
import { MESSAGE_MAX } from "../chat/composer-settings";
import { FEEDBACK_COMMENT_MAX, FeedbackValueSchema, IdSchema, PaginationSchema, SearchInputSchema, TagFilterSchema, TagSchema, THREAD_NAME_MAX, ThreadFilterSchema } from "@/data";

export const THREAD_PAGE_DEFAULT = 30;

/** z.object strips unknown keys, so a smuggled `userId` never reaches the layer; the router sets it anyway. */
export const ListThreadsInputSchema = z.object({
  first: PaginationSchema.shape.first.default(THREAD_PAGE_DEFAULT),
  cursor: PaginationSchema.shape.cursor,
  search: ThreadFilterSchema.shape.search,
  feedback: ThreadFilterSchema.shape.feedback,
  tag: ThreadFilterSchema.shape.tag,
});

/** threads.addTag: a tag as Threadbook writes it (normalised, 1–40 characters). */
export const AddTagInputSchema = z.object({ tag: TagSchema });
/** threads.removeTag: any tag the thread holds, Chainlit's longer ones too (bounded, normalised for the comparison). */
export const RemoveTagInputSchema = z.object({ tag: TagFilterSchema });

export const SEARCH_PAGE_DEFAULT = 20;

/** The full-text search: the entity schema without `userId` (the router sets it from the session). */
export const SearchQueryInputSchema = SearchInputSchema.omit({ userId: true }).extend({
  first: SearchInputSchema.shape.first.default(SEARCH_PAGE_DEFAULT),
});

export const ThreadNameSchema = z
  .string()
  .trim()
  .min(1, "name must not be empty")
  .max(THREAD_NAME_MAX, `name must be at most ${THREAD_NAME_MAX} characters`);

export const ExportFormatSchema = z.enum(["json", "markdown"]);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const FeedbackUpsertInputSchema = z.object({
  forId: IdSchema,
  value: FeedbackValueSchema,
  comment: z.string().max(FEEDBACK_COMMENT_MAX, `comment must be at most ${FEEDBACK_COMMENT_MAX} characters`).optional(),
});

/** `THREAD#{threadId}::STEP#{stepId}`: two bounded ids and the separators. */
export const FeedbackIdSchema = z.string().min(1).max(2 * 128 + 16, "feedbackId is too long");

/** A signed turn cursor (thread-window.ts) is a few hundred characters; anything far longer is not one. */
export const TURN_CURSOR_MAX = 1024;

/**
 * threads.turns: the page a cursor names (older or newer than what the client has), or the turns around one step
 * (a `#step-…` link). Exactly one of the two.
 */
export const ThreadTurnsInputSchema = z
  .object({
    cursor: z.string().min(1, "cursor must not be empty").max(TURN_CURSOR_MAX, "cursor is too long").optional(),
    stepId: IdSchema.optional(),
  })
  .refine((input) => (input.cursor === undefined) !== (input.stepId === undefined), { message: "Give either a cursor or a stepId" });

/** A message's text, as sent (chat.send) or edited (chat.edit): one bound for both. */
export const MessageContentSchema = z.string().max(MESSAGE_MAX, `A message can be at most ${MESSAGE_MAX} characters.`);
