/**
 * Limits the browser shows as well as the schemas enforce, in a module without zod: zod 4 probes `new Function` when
 * it builds an object schema, which the pages' Content-Security-Policy (no 'unsafe-eval') reports as a violation, so
 * client code imports these numbers from here and never an entity schema.
 */

/** Chainlit's FEEDBACK_COMMENT_MAX: the longest comment a 👍/👎 carries. */
export const FEEDBACK_COMMENT_MAX = 2000;

/**
 * The most threads one user may pin (docs/data-layer.md, "Pinned threads"): the pins live in one item per user and the
 * sidebar's Pinned section reads them with one BatchGetItem (≤ 100 keys), so the bound keeps both small.
 */
export const MAX_PINNED_THREADS = 50;
