import type { ReactNode } from "react";
import { stepTextView } from "@/lib/shared/format";
import type { ThreadStep } from "@/trpc/use-thread-cache";
import { renderJsonCode, renderMarkdown } from "./markdown";
import { prerenderedKey } from "./prerendered-key";

/** Rendered nodes kept by kind and source text, for one viewer (the page passes that user's compartment). */
export interface PrerenderCache {
  get(kind: string, text: string): ReactNode | undefined;
  set(kind: string, text: string, node: ReactNode): void;
}

/**
 * The Markdown and highlighted JSON of stored steps, rendered by the thread page's Server Component (no "use client"
 * here or in markdown.tsx): the view (step-tree.tsx, message.tsx) draws these nodes in place of parsing the text in
 * the browser, so the first load carries neither the parser nor the highlighter and hydration parses nothing
 * (docs/long-threads.md). The same choices as the view: an answer's text as Markdown, a tool step's input and output
 * as stepTextView says. A root system message (drawn differently from a nested one) is left to the browser: rare.
 *
 * `cache`: what earlier views of this user rendered, by source text (src/lib/server/user-render-cache.ts). The output
 * is a pure function of the text, so a kept one is what rendering again would give; Markdown was the largest single
 * cost of a thread page's server render (bench/HISTORY.md, "The thread page's server cost, second pass").
 */
export function prerenderSteps(steps: readonly ThreadStep[], cache?: PrerenderCache, limits: RenderLimits = PAGE_RENDER_LIMITS): Record<string, ReactNode> {
  let budget = limits.total;
  const out: Record<string, ReactNode> = {};
  const render = (key: string, kind: "markdown" | "json", text: string, draw: (text: string) => ReactNode) => {
    const kept = cache?.get(kind, text);
    if (kept !== undefined) {
      out[key] = kept;
      return;
    }
    // Left to the browser, which draws what the server did not (lazy-markdown.tsx).
    const cost = renderCost(text);
    if (cost > limits.perText || cost > budget) return;
    budget -= cost;
    const node = draw(text);
    cache?.set(kind, text, node);
    out[key] = node;
  };
  for (const step of steps) {
    if (step.type === "assistant_message") {
      if (step.output) render(prerenderedKey(step.id, "output"), "markdown", step.output, renderMarkdown);
      continue;
    }
    if (step.type === "run" || step.type === "user_message" || step.type === "system_message") continue;
    for (const field of ["input", "output"] as const) {
      const text = step[field];
      // Over the bound, not even looked at: what it would render is at least as long.
      if (!text || text.length > limits.perText) continue;
      const view = stepTextView(text, step.language);
      if (view.kind === "json") render(prerenderedKey(step.id, field), "json", view.json, renderJsonCode);
      else if (view.kind === "code") render(prerenderedKey(step.id, field), "markdown", view.markdown, renderMarkdown);
    }
  }
  return out;
}

/**
 * What one page renders on the server, in characters of source text with each markup character counted 16 times
 * (renderCost; docs/security.md, "Markdown"). The server's render runs on the one event loop every request shares, and
 * stored text is anyone's: markup costs the parser far more than prose (8 × 8,000 characters of `*a` took 10 s, as
 * much prose 1.7 s, at a load of 10 on two cores: bench/HISTORY.md), and a thread's newest turns or a share's whole
 * snapshot can hold any number of long steps. A step over either bound is drawn by the browser, which costs the
 * server nothing; what an earlier view of the same user kept is used whatever its cost.
 */
export const SERVER_RENDER_CHARS = 32_000;
export const SERVER_RENDER_TEXT_CHARS = 8_000;

/** A render's budget (renderCost units): the whole render's and one text's. */
export interface RenderLimits {
  total: number;
  perText: number;
}
export const PAGE_RENDER_LIMITS: RenderLimits = { total: SERVER_RENDER_CHARS, perText: SERVER_RENDER_TEXT_CHARS };
/**
 * The print view's (app/(print)): it has no browser code to hand the rest to, and it is asked for by one click of the
 * owner on one thread, not on every open. Eight times a page's, about 5 s of the event loop for text made for the
 * parser at a load of 10 (the figures above), far less for prose; the rest is printed as plain text.
 */
export const PRINT_RENDER_LIMITS: RenderLimits = { total: 8 * SERVER_RENDER_CHARS, perText: 8 * SERVER_RENDER_TEXT_CHARS };

/**
 * The characters Markdown's parser works hardest on: emphasis, code, links, tags, tables, lists and quotes; and math,
 * which KaTeX draws into some 100 times its length of markup (`$` opens a formula; `\`, `^` and `_` are its commands
 * and scripts), so a reply of hundreds of formulas is left to the browser (math.test.ts).
 */
const MARKUP = new Set(["*", "_", "~", "`", "[", "]", "<", ">", "|", "-", "+", "#", "!", "(", ")", "\\", "$", "^", "&"]);

const isAsciiLetter = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");

/**
 * A text's share of the budget: its length, plus 15 more for each markup character and each letter of a command's
 * name (`\LaTeX` is six: KaTeX draws it into 1 KB of markup, and 333 of them, one 2,000-character formula, held the
 * event loop 4 s where the budget meant 0.8), and for `&` (a matrix's 1,000 columns made 600 KB), counted in one pass.
 */
export function renderCost(text: string): number {
  let markup = 0;
  let inCommand = false;
  for (const c of text) {
    if (MARKUP.has(c)) {
      markup++;
      inCommand = c === "\\";
    } else if (inCommand && isAsciiLetter(c)) markup++;
    else inCommand = false;
  }
  return text.length + 15 * markup;
}
