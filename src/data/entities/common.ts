import { z } from "zod";

/** Ids are Chainlit's uuid4 strings in practice; bounded so no key can outgrow DynamoDB's 2 KB key limit. */
export const IdSchema = z
  .string()
  .min(1, "id must not be empty")
  .max(128, "id must be at most 128 characters")
  .regex(/^[^#\s]+$/, "id must not contain '#' or white space");

/** A JSON object bag (Chainlit's `metadata`, `props`, `generation`); values are kept as written. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

/** UTC ISO-8601 timestamps; Chainlit writes microseconds, Threadbook writes milliseconds. Both sort as strings. */
export const TimestampSchema = z.string();

export const nowIso = (): string => new Date().toISOString();
