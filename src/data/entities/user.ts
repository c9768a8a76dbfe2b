import { z } from "zod";
import { isReservedIdentifier } from "../keys";
import { JsonObjectSchema, TimestampSchema } from "./common";

/**
 * Identifiers are what people sign in with, as Chainlit maps them: an email, a GitHub login, an Entra UPN. A guest
 * UPN contains '#' (`alice_contoso.com#EXT#@fabrikam.onmicrosoft.com`), so '#' is allowed, but never one of the parts
 * Threadbook's own partitions append to `USER#{identifier}` (keys.ts, RESERVED_IDENTIFIER_PARTS).
 */
export const IdentifierSchema = z
  .string()
  .trim()
  .min(1, "identifier must not be empty")
  .max(254, "identifier must be at most 254 characters")
  .regex(/^\S+$/, "identifier must not contain white space")
  .refine((v) => !isReservedIdentifier(v), "identifier must not contain a reserved part such as '#FEEDBACK#'");

export const UserSchema = z.object({
  identifier: IdentifierSchema,
  displayName: z.string().max(200).nullable().optional(),
  metadata: JsonObjectSchema.default({}),
});
export type User = z.input<typeof UserSchema>;

/** A user as stored: Chainlit's layer uses the identifier itself as the id. */
export const PersistedUserSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  displayName: z.string().nullable().optional(),
  /** Null when the item holds none that is text (another writer's create_user may store anything). */
  createdAt: TimestampSchema.nullable().default(null),
  metadata: JsonObjectSchema.default({}),
});
export type PersistedUser = z.infer<typeof PersistedUserSchema>;

/**
 * Threadbook's AUTH item (`USER#{identifier}` / `AUTH`): what Threadbook owns about a user, kept off the USER item
 * that Chainlit's create_user overwrites whole. `sessionVersion` is a random tag every session token carries; a new
 * one (password change, "sign out everywhere", removal) ends every session minted under the old one.
 */
export const UserAuthSchema = z.object({
  identifier: z.string(),
  passwordHash: z.string().optional(),
  displayName: z.string().nullable().optional(),
  sessionVersion: z.string().min(1),
  preferences: JsonObjectSchema.optional(),
});
export type UserAuth = z.infer<typeof UserAuthSchema>;
