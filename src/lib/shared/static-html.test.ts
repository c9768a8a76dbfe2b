import { Children, createElement, Fragment, isValidElement, type ReactElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { PURE_MARKDOWN_COMPONENTS, renderJsonCode, renderMarkdown } from "@/components/thread/markdown";
import { prettyJson } from "@/lib/shared/format";
import { staticChildren, staticHtml } from "./static-html";

const html = (node: ReactNode) => renderToStaticMarkup(createElement(Fragment, null, node));
const convert = (node: ReactNode) => staticChildren(node, PURE_MARKDOWN_COMPONENTS);

/** How many elements React would walk (hydrate) in a tree: what handing content over as HTML saves. */
function elementCount(node: ReactNode): number {
  let count = 0;
  Children.forEach(node, (child) => {
    if (!isValidElement(child)) return;
    const props = (child as ReactElement<{ children?: ReactNode }>).props;
    count += 1 + elementCount(props.children);
  });
  return count;
}

/** Markdown's whole vocabulary as Threadbook renders it (GFM, sanitized, highlighted), and hostile text. */
const MARKDOWN = [
  "Plain text, with *emphasis*, **strong**, ~~struck~~, `code` and a [link](https://example.com \"Title 'quoted' & <b>\").",
  "| Week | Orders | Share |\n| :--- | ---: | :---: |\n| 1 | 100 | 10% |\n| 2 | 250 | 25% |",
  "# Heading\n\n## Second\n\n> A quote with *style*\n\n---\n\n1. one\n2. two\n   - nested\n   - list\n\n3. three",
  "- [ ] open task\n- [x] done task",
  "Text with a footnote[^1].\n\n[^1]: The note, with a [link](https://example.org).",
  "```ts\nconst x: number = 1; // <b>not bold</b>\n```\n\nAfter the code, *more*.",
  "![local](/api/threads/t/elements?x=1) and ![remote](https://evil.example/x.png \"t\")",
  "Hi <script>alert(1)</script> <img src=x onerror=\"alert(1)\"> & \"quotes\" 'single' < > &amp;",
  "[bad](javascript:alert(1)) [data](data:text/html,<b>x</b>) <https://auto.example/path?a=1&b=2> www.example.com",
  "Line one  \nline two\\\nline three\n\nnaïve – 日本語 – emoji 🎉 – \u00a0nbsp",
  "<details><summary>raw</summary>html</details>\n\n<div align=\"right\">x</div>",
];

describe("staticChildren", () => {
  it("gives the very markup React writes, for Markdown's whole vocabulary", () => {
    for (const text of MARKDOWN) {
      const original = renderMarkdown(text);
      expect(html(convert(original)), text).toBe(html(original));
    }
  });

  it("hands a reply's table and a tool step's JSON over as HTML, keeping the code block's frame (its copy button) a component", () => {
    const table = renderMarkdown(MARKDOWN[1]!);
    const converted = convert(table) as ReactElement<{ dangerouslySetInnerHTML?: { __html: string } }>;
    expect(converted.props.dangerouslySetInnerHTML?.__html).toContain("<table>");
    expect(elementCount(converted)).toBe(1);
    expect(elementCount(table)).toBeGreaterThan(1);

    const json = renderJsonCode(prettyJson('{"region":3,"weeks":[1,2],"ok":true}')!);
    const jsonConverted = convert(json);
    expect(html(jsonConverted)).toBe(html(json));
    expect(elementCount(jsonConverted)).toBe(3); // div.markdown > CodeFrame > code (its tokens as HTML)
    expect(elementCount(json)).toBeGreaterThan(10);
  });

  it("leaves to React what it does not write plainly: handlers, unknown attributes, script URLs, form elements", () => {
    const onClick = () => undefined;
    const cases: ReactNode[] = [
      createElement("p", null, "a ", createElement("span", { onClick }, "b")),
      createElement("p", null, "a ", createElement("span", { hidden: true }, "b")),
      createElement("p", null, createElement("a", { href: "javascript:alert(1)" }, "x")),
      createElement("p", null, createElement("a", { href: " \tJaVa\nScRiPt:alert(1)" }, "x")),
      createElement("p", null, createElement("a", { href: "" }, "x")),
      createElement("li", null, createElement("input", { type: "checkbox", checked: true, disabled: true }), " task"),
      createElement("p", null, createElement("span", { style: { color: "red" } }, "x")),
    ];
    for (const node of cases) {
      expect(staticHtml(node)).toBeNull();
      const converted = convert(node) as ReactElement<{ dangerouslySetInnerHTML?: unknown }>;
      expect(converted.props.dangerouslySetInnerHTML).toBeUndefined();
      expect(html(converted)).toBe(html(node));
    }
    expect(html(convert(cases[2]))).not.toContain('href="javascript:alert(1)"');
  });

  it("escapes text and attribute values as React does", () => {
    const node = createElement("p", { title: `"'<>&` }, "<script>alert(1)</script> & ", createElement("b", { className: 'x" onmouseover="alert(1)' }, "'quoted'"));
    expect(staticHtml(node)).toBe(html(node));
    expect(staticHtml(node)).not.toMatch(/<script|" onmouseover/);
  });

  it("keeps keys, and leaves a lone text child alone", () => {
    const list = [createElement("p", { key: "a" }, createElement("b", null, "x")), createElement("p", { key: "b" }, "text")];
    const converted = convert(list) as ReactElement[];
    expect(converted.map((element) => element.key)).toEqual(["a", "b"]);
    expect(converted[1]).toBe(list[1]);
  });
});
