/**
 * Reading settings from an environment record with zod, for the parts of src/data that take their configuration
 * (storage-config.ts, dynamo/dynamo-client.ts). They receive the record (process.env, or the object a script builds); src/data
 * itself never reads process.env. A bad setting fails with one line naming the variable.
 */
import { z } from "zod";

export type Env = Record<string, string | undefined>;

/** `.env` files often leave `NAME=` behind: blank means unset. */
export const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : typeof value === "string" ? value.trim() : value);
export const shown = (value: unknown) => JSON.stringify(typeof value === "string" && value.length > 60 ? `${value.slice(0, 60)}…` : value);

export const optional = (schema: z.ZodType<string>) => z.preprocess(blankToUndefined, schema.optional());

/** `echo: false` for values that may carry a secret (an endpoint with user:password@, a key). */
export const pattern = (regex: RegExp, expected: string, { echo = true } = {}) =>
  z.string().regex(regex, { error: (issue) => `expected ${expected}${echo ? `, got ${shown(issue.input)}` : ""}` });

export const required = (regex: RegExp, expected: string, whenMissing: string) =>
  z.preprocess(
    blankToUndefined,
    z.string({ error: (issue) => (issue.input === undefined ? whenMissing : `expected ${expected}`) }).regex(regex, { error: (issue) => `expected ${expected}, got ${shown(issue.input)}` }),
  );

/** A whole number from `min` to `max`, or `fallback` when unset. */
export const wholeNumber = (min: number, max: number, fallback: number) =>
  optional(z.string()).transform((raw, ctx) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
    ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}, got ${shown(raw)}` });
    return z.NEVER;
  });

/** The first problem, as `VARIABLE: what is wrong` on one line. */
export function parseOrThrow<T>(schema: z.ZodType<T>, env: Env, what = "config"): T {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`${issue?.path.join(".") || what}: ${issue?.message ?? "invalid"}`.replace(/\s+/g, " "));
}
