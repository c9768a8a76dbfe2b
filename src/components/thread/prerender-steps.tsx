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
export function prerenderSteps(steps: readonly ThreadStep[], cache?: PrerenderCache): Record<string, ReactNode> {
  const rendered = (kind: "markdown" | "json", text: string, render: (text: string) => ReactNode) => {
    const kept = cache?.get(kind, text);
    if (kept !== undefined) return kept;
    const node = render(text);
    cache?.set(kind, text, node);
    return node;
  };
  const out: Record<string, ReactNode> = {};
  for (const step of steps) {
    if (step.type === "assistant_message") {
      if (step.output) out[prerenderedKey(step.id, "output")] = rendered("markdown", step.output, renderMarkdown);
      continue;
    }
    if (step.type === "run" || step.type === "user_message" || step.type === "system_message") continue;
    for (const field of ["input", "output"] as const) {
      const text = step[field];
      if (!text) continue;
      const view = stepTextView(text, step.language);
      if (view.kind === "json") out[prerenderedKey(step.id, field)] = rendered("json", view.json, renderJsonCode);
      else if (view.kind === "code") out[prerenderedKey(step.id, field)] = rendered("markdown", view.markdown, renderMarkdown);
    }
  }
  return out;
}
