import type { ReactNode } from "react";
import { stepTextView } from "@/lib/shared/format";
import type { ThreadStep } from "@/trpc/use-thread-cache";
import { JsonCode, Markdown } from "./markdown";
import { prerenderedKey } from "./prerendered-key";

/**
 * The Markdown and highlighted JSON of stored steps, rendered by the thread page's Server Component (no "use client"
 * here or in markdown.tsx): the view (step-tree.tsx, message.tsx) draws these nodes in place of parsing the text in
 * the browser, so the first load carries neither the parser nor the highlighter and hydration parses nothing
 * (docs/long-threads.md). The same choices as the view: an answer's text as Markdown, a tool step's input and output
 * as stepTextView says. A root system message (drawn differently from a nested one) is left to the browser: rare.
 */
export function prerenderSteps(steps: readonly ThreadStep[]): Record<string, ReactNode> {
  const out: Record<string, ReactNode> = {};
  for (const step of steps) {
    if (step.type === "assistant_message") {
      if (step.output) out[prerenderedKey(step.id, "output")] = <Markdown>{step.output}</Markdown>;
      continue;
    }
    if (step.type === "run" || step.type === "user_message" || step.type === "system_message") continue;
    for (const field of ["input", "output"] as const) {
      const text = step[field];
      if (!text) continue;
      const view = stepTextView(text, step.language);
      if (view.kind === "json") out[prerenderedKey(step.id, field)] = <JsonCode json={view.json} />;
      else if (view.kind === "code") out[prerenderedKey(step.id, field)] = <Markdown>{view.markdown}</Markdown>;
    }
  }
  return out;
}
