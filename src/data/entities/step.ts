import { z } from "zod";
import { IdSchema, JsonObjectSchema, TimestampSchema, WrittenTimestampSchema } from "./common";
import { StoredFeedbackSchema } from "./feedback";

export const StepTypeSchema = z.enum([
  "run",
  "tool",
  "llm",
  "embedding",
  "retrieval",
  "rerank",
  "undefined",
  "user_message",
  "assistant_message",
  "system_message",
]);
export type StepType = z.infer<typeof StepTypeSchema>;

/** Chainlit's StepDict: every field optional; unknown step types from newer Chainlit versions are kept as strings. */
export const StepSchema = z.object({
  id: IdSchema,
  threadId: IdSchema,
  parentId: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  type: z.union([StepTypeSchema, z.string()]).nullable().optional(),
  command: z.string().nullable().optional(),
  modes: z.record(z.string(), z.string()).nullable().optional(),
  streaming: z.boolean().nullable().optional(),
  waitForAnswer: z.boolean().nullable().optional(),
  isError: z.boolean().nullable().optional(),
  metadata: JsonObjectSchema.nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
  input: z.string().nullable().optional(),
  output: z.string().nullable().optional(),
  createdAt: TimestampSchema.nullable().optional(),
  start: TimestampSchema.nullable().optional(),
  end: TimestampSchema.nullable().optional(),
  generation: JsonObjectSchema.nullable().optional(),
  showInput: z.union([z.boolean(), z.string()]).nullable().optional(),
  defaultOpen: z.boolean().nullable().optional(),
  autoCollapse: z.boolean().nullable().optional(),
  language: z.string().nullable().optional(),
  icon: z.string().nullable().optional(),
  feedback: StoredFeedbackSchema.nullable().optional(),
  /**
   * Threadbook's own: when the user last edited this question's text (chat.edit). Chainlit neither writes nor reads it.
   * A share shows a step only if it was written, and last edited, by the time it was shared (share-snapshot.ts).
   */
  editedAt: TimestampSchema.nullable().optional(),
});
export type Step = z.infer<typeof StepSchema>;

/** What callers send to createStep/updateStep: feedback is written only through upsertFeedback; times must be readable. */
export const StepInputSchema = StepSchema.omit({ feedback: true }).extend({
  createdAt: WrittenTimestampSchema.nullable().optional(),
  start: WrittenTimestampSchema.nullable().optional(),
  end: WrittenTimestampSchema.nullable().optional(),
  editedAt: WrittenTimestampSchema.nullable().optional(),
});
export type StepInput = z.input<typeof StepInputSchema>;
