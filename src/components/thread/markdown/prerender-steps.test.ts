import { createElement, Fragment, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ThreadStep } from "@/trpc/use-thread-cache";
import { fenced, prettyJson } from "@/lib/shared/format";
import { JsonCode, Markdown, MARKDOWN_MAX_CHARS, MARKDOWN_MAX_NESTING, renderMarkdown } from "./markdown";
import { prerenderSteps, PRINT_RENDER_LIMITS, renderCost, SERVER_RENDER_CHARS, SERVER_RENDER_TEXT_CHARS } from "./prerender-steps";
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

  it("the print view's limits: a longer answer than a page's is rendered, and the total is still bounded", () => {
    const long = "word ".repeat(SERVER_RENDER_TEXT_CHARS / 4);
    const answer = (id: string) => step(id, { type: "assistant_message", output: `${id} ${long}` });
    expect(prerenderSteps([answer("a")])).toEqual({});
    expect(Object.keys(prerenderSteps([answer("a")], undefined, PRINT_RENDER_LIMITS))).toEqual(["a:output"]);
    const many = Array.from({ length: 40 }, (_, i) => answer(`s${String(i).padStart(2, "0")}`));
    const rendered = Object.keys(prerenderSteps(many, undefined, PRINT_RENDER_LIMITS)).length;
    expect(rendered).toBe(Math.floor(PRINT_RENDER_LIMITS.total / renderCost(`s10 ${long}`)));
    expect(rendered).toBeLessThan(many.length);
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

/**
 * Hostile: stored text is anyone's, and the server renders on the event loop every request shares (docs/security.md,
 * "Markdown"). Each fails without its bound: the budget, the per-text limit, the fallback for nesting, and the
 * shared thread's lazy Markdown, which rendered every step on the server.
 */
describe("what the server renders of hostile text", () => {
  const reply = (id: string, output: string) => step(id, { type: "assistant_message", output });

  it("renders at most SERVER_RENDER_CHARS of a page and no text over SERVER_RENDER_TEXT_CHARS, markup counted dearer; the browser draws the rest", () => {
    const long = reply("long", "*a".repeat(SERVER_RENDER_TEXT_CHARS));
    // 1,000 characters, but half of them markup: over the per-text bound.
    const marked = reply("marked", "*a".repeat(500));
    expect(renderCost(marked.output!)).toBeGreaterThan(SERVER_RENDER_TEXT_CHARS);
    const fits = Array.from({ length: 20 }, (_, i) => reply(`r${i}`, `**${String(i).padStart(2, "0")}** ${"x".repeat(SERVER_RENDER_TEXT_CHARS - 100)}`));
    const rendered = prerenderSteps([long, marked, ...fits]);
    expect(rendered["long:output"]).toBeUndefined();
    expect(rendered["marked:output"]).toBeUndefined();
    const drawn = Object.keys(rendered);
    expect(drawn.length).toBe(Math.floor(SERVER_RENDER_CHARS / renderCost(fits[0]!.output!)));
    expect(drawn).toEqual(fits.slice(0, drawn.length).map((s) => `${s.id}:output`));
    // What an earlier view of the same user kept is used, whatever the budget says.
    const cache = createUserRenderCache<ReactNode>({ maxEntryChars: 10 * SERVER_RENDER_TEXT_CHARS });
    const kept = cache.forUser("alice");
    kept.set("markdown", long.output!, "kept");
    expect(prerenderSteps([long], kept)["long:output"]).toBe("kept");
  });

  it("shows text nested deeper than MARKDOWN_MAX_NESTING, or longer than MARKDOWN_MAX_CHARS, as the plain text it is", () => {
    // 20,000 `>` overflowed the parser's stack (the page failed); 50 lines of 128 `- ` took it seconds.
    const deep = ">".repeat(20_000) + " deep";
    expect(html(renderMarkdown(deep))).toBe(`<div class="markdown"><p class="markdown-plain">${"&gt;".repeat(20_000)} deep</p></div>`);
    const lists = Array.from({ length: 50 }, () => `${"- ".repeat(128)}x`).join("\n");
    expect(html(renderMarkdown(lists))).toBe(`<div class="markdown"><p class="markdown-plain">${lists}</p></div>`);
    const indented = Array.from({ length: MARKDOWN_MAX_NESTING + 1 }, (_, i) => `${"  ".repeat(i)}- level ${i}`).join("\n");
    expect(html(renderMarkdown(indented))).not.toContain("<ul>");
    expect(html(renderMarkdown(indented.split("\n").slice(0, MARKDOWN_MAX_NESTING).join("\n")))).toContain("<ul>");
    const huge = "**x** ".repeat(MARKDOWN_MAX_CHARS / 6 + 1);
    expect(html(renderMarkdown(huge))).not.toContain("<strong>");
    expect(html(renderMarkdown(huge.slice(0, 12)))).toContain("<strong>x</strong>");
  });

  it("a client view's Markdown is not parsed on the server: it is plain text there, whatever it holds", async () => {
    const { prerender } = await import("react-dom/static");
    const { Markdown: LazyMarkdown } = await import("./lazy-markdown");
    const { prelude } = await prerender(createElement(LazyMarkdown, null, "**bold** and `code`"));
    const markup = await new Response(prelude).text();
    expect(markup).toContain("**bold** and `code`");
    expect(markup).not.toContain("<strong>");
  });
});
