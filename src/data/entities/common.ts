import { z } from "zod";
import { timestampMicros } from "../timestamps";

/** Ids are Chainlit's uuid4 strings in practice; bounded so no key can outgrow DynamoDB's 2 KB key limit. */
export const IdSchema = z
  .string()
  .min(1, "id must not be empty")
  .max(128, "id must be at most 128 characters")
  .regex(/^[^#\s]+$/, "id must not contain '#' or white space");

/** A JSON object bag (Chainlit's `metadata`, `props`, `generation`); values are kept as written. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * ISO-8601 timestamps as stored: Threadbook's microseconds (and older milliseconds), Chainlit's microseconds, whole
 * seconds, browser milliseconds and zone-less UTC (timestamps.ts). Read as written, never rejected: a step with an
 * odd time is still shown. They do not sort as strings; compare with `compareTimestamps`.
 */
export const TimestampSchema = z.string();

/** What Threadbook itself writes into a step: a date-time `timestampMicros` can read, so ordering never guesses. */
export const WrittenTimestampSchema = z.string().max(64).refine((value) => timestampMicros(value) !== null, "must be an ISO-8601 date-time");
