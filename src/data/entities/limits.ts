/**
 * Limits the browser shows as well as the schemas enforce, in a module without zod: zod 4 probes `new Function` when
 * it builds an object schema, which the pages' Content-Security-Policy (no 'unsafe-eval') reports as a violation, so
 * client code imports these numbers from here and never an entity schema.
 */

/** Chainlit's FEEDBACK_COMMENT_MAX: the longest comment a 👍/👎 carries. */
export const FEEDBACK_COMMENT_MAX = 2000;
