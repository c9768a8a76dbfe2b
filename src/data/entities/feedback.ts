import { z } from "zod";
import { IdSchema } from "./common";
import { FEEDBACK_COMMENT_MAX } from "./limits";

export const FeedbackValueSchema = z.union([z.literal(0), z.literal(1)]);
export type FeedbackValue = z.infer<typeof FeedbackValueSchema>;

export { FEEDBACK_COMMENT_MAX };

/** Feedback as Chainlit stores it: a map inside the step item, id `THREAD#{threadId}::STEP#{stepId}`. */
export const FeedbackSchema = z.object({
  id: z.string().nullable().optional(),
  forId: IdSchema,
  threadId: IdSchema,
  value: FeedbackValueSchema,
  comment: z.string().max(FEEDBACK_COMMENT_MAX).nullable().optional(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;

/** What a stored step carries back: Chainlit's FeedbackDict (value an integer, never 1.0). */
export const StoredFeedbackSchema = z.object({
  id: z.string(),
  forId: z.string(),
  threadId: z.string().nullable().optional(),
  value: z.coerce.number().pipe(FeedbackValueSchema),
  comment: z.string().nullable().optional(),
});
export type StoredFeedback = z.infer<typeof StoredFeedbackSchema>;
