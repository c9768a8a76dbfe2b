import { createElement, Fragment, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ThreadStep } from "@/trpc/use-thread-cache";
import { fenced, prettyJson } from "@/lib/shared/format";
import { JsonCode, Markdown } from "./markdown";
import { prerenderSteps } from "./prerender-steps";
import { createUserRenderCache } from "@/lib/server/user-render-cache";

const html = (node: ReactNode) => renderToStaticMarkup(createElement(Fragment, null, node));
const step = (id: string, fields: Partial<ThreadStep>): ThreadStep => ({ id, threadId: "t", ...fields }) as ThreadStep;

/** The thread page renders stored turns' Markdown on the server (prerender-steps.tsx): the same markup the view draws. */
describe("prerenderSteps", () => {
  const reply = "Answer 1: grew.\n\n| Week | Orders |\n| --- | ---: |\n| 1 | 100 |\n\n```ts\nconst x = 1\n```";
  const steps = [
    step("q", { type: "user_message", output: "**not markdown** for a user" }),
    step("run", { type: "run", output: "ignored" }),
    step("tool", { type: "tool", input: '{"region":3}', output: "plain text result" }),
    step("code", { type: "tool", language: "python", output: "print('hi')" }),
    step("sys", { type: "system_message", output: "# system" }),
    step("empty", { type: "assistant_message", output: "" }),
    step("reply", { type: "assistant_message", output: reply }),
  ];

  it("renders an answer's Markdown and a tool step's JSON or code, keyed by step field, as the view would", () => {
    const rendered = prerenderSteps(steps);
    expect(Object.keys(rendered).sort()).toEqual(["code:output", "reply:output", "tool:input"]);
    expect(html(rendered["reply:output"])).toBe(html(createElement(Markdown, null, reply)));
    expect(html(rendered["reply:output"])).toContain("<table>");
    expect(html(rendered["tool:input"])).toBe(html(createElement(JsonCode, { json: prettyJson('{"region":3}')! })));
    expect(html(rendered["code:output"])).toBe(html(createElement(Markdown, null, fenced("print('hi')", "python"))));
  });

  it("keeps markup in stored text as text", () => {
    const rendered = prerenderSteps([step("x", { type: "assistant_message", output: 'Hi <script>alert(1)</script> <img src=x onerror="alert(1)">\n\n[a](javascript:alert(1))' })]);
    const markup = html(rendered["x:output"]);
    expect(markup).not.toMatch(/<script|<img|href="javascript/);
    expect(markup).toContain("&lt;script&gt;");
  });

  it("with a user's cache, renders each text once and gives the same markup from what it kept", () => {
    const cache = createUserRenderCache<ReactNode>();
    const first = prerenderSteps(steps, cache.forUser("alice"));
    expect(cache.size().entries).toBe(3);
    const again = prerenderSteps(steps, cache.forUser("alice"));
    expect(again["reply:output"]).toBe(first["reply:output"]);
    expect(Object.fromEntries(Object.entries(again).map(([key, node]) => [key, html(node)]))).toEqual(Object.fromEntries(Object.entries(prerenderSteps(steps)).map(([key, node]) => [key, html(node)])));
    // Another viewer renders their own, even for the very same text.
    expect(prerenderSteps(steps, cache.forUser("bob"))["reply:output"]).not.toBe(first["reply:output"]);
    expect(cache.size().entries).toBe(6);
  });
});
