import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { fenced, prettyJson } from "@/lib/shared/format";
import { JsonCode, Markdown } from "./markdown";

/** A tool step's JSON skips the Markdown pipeline (markdown.tsx): it must still come out exactly as Markdown drew it. */
describe("JsonCode", () => {
  const samples = [
    '{"region":3,"week":12}',
    '{"orders":[1,2.5,-3e4],"ok":true,"none":null,"nested":{"a":{"b":[]}}}',
    '{"text":"```md\\n# not a heading\\n```","html":"<script>alert(1)</script><img src=x onerror=alert(1)>"}',
    '{"unicode":"naïve – 日本語 \\u0000 \\t tab","quote":"\\"q\\"","slash":"a\\\\b"}',
    '[{"k":"v"},"x",1]',
  ];

  it("renders the same markup as a fenced json block through Markdown", () => {
    for (const raw of samples) {
      const json = prettyJson(raw)!;
      const viaMarkdown = renderToStaticMarkup(createElement(Markdown, null, fenced(json, "json")));
      const direct = renderToStaticMarkup(createElement(JsonCode, { json }));
      expect(direct).toBe(viaMarkdown);
      expect(direct).toContain("hljs-attr");
    }
  });

  it("keeps markup in values as text", () => {
    const html = renderToStaticMarkup(createElement(JsonCode, { json: prettyJson('{"x":"<script>alert(1)</script>"}')! }));
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
  });
});
