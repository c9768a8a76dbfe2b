import type { Element as HastElement, Root as HastRoot } from "hast";
import type { Paragraph, Root as MdastRoot } from "mdast";
import type { KatexOptions } from "katex";
import rehypeKatex from "rehype-katex";
import type { VFile } from "vfile";

/*
 * Math in Markdown (docs/security.md, "Math"): remark-math finds `$…$` and `$$…$$` (math-delimiters.ts makes `\(…\)`
 * and `\[…\]` into those first), and KaTeX draws them after rehype-sanitize. Why after is safe: sanitize has already
 * run on everything the text made; a formula reaches KaTeX only as the text of a `<code class="language-math">`
 * (sanitize keeps only `language-*` classes, and HTML written in the text is text by then), and KaTeX builds its
 * markup from that text: its own elements (spans, MathML, SVG paths), its own class names and inline sizes, and the
 * formula's characters escaped as text. What could carry the writer's text into an attribute or an element of their
 * choosing (\href, \url, \includegraphics, \htmlClass, \htmlId, \htmlStyle, \htmlData) needs `trust`, which is off;
 * a colour argument must match KaTeX's colour pattern (a name or a hex value) before it becomes `style="color:…"`,
 * which the CSP allows and cannot run code. math.test.ts walks the markup of hostile formulas to check this.
 */

/** Longer than this, a formula is shown as the code it is: nobody reads a 2,000-character formula as one. */
export const MATH_MAX_CHARS = 2_000;
/** At most this many characters of formulas drawn per text; the rest are shown as code (math.test.ts). */
export const MATH_MAX_CHARS_PER_TEXT = 20_000;

/**
 * Macro definitions are refused (the formula is shown as code): KaTeX bounds the number of expansions (maxExpand)
 * but not what one expansion yields, so `\def\a{x…x}` with a 900-character body, expanded by `\b` made of 400 `\a`,
 * held the event loop for 7 minutes and made 8 MB of markup within 1,000 expansions. KaTeX's own macros expand to
 * none of these (checked against its macros.ts), and it has no `\csname` to spell one.
 */
const DEFINES_MACRO = /\\(?:[gex]?def|let|futurelet|global|newcommand|renewcommand|providecommand)(?![A-Za-z@])/;

export const katexOptions: KatexOptions = {
  // No \href, \url, \includegraphics, \htmlClass, \htmlId, \htmlStyle, \htmlData: they render as their source.
  trust: false,
  // Non-LaTeX input is drawn, not thrown or logged for every formula.
  strict: "ignore",
  // A formula KaTeX cannot parse shows as its source, in the error colour (rehype-katex retries with this off).
  throwOnError: false,
  errorColor: "var(--danger)",
  // Sizes a formula asks for (\rule, \kern, \hspace) are capped at 10em, and expansions at KaTeX's default.
  maxSize: 10,
  maxExpand: 1000,
};

const renderMath = rehypeKatex(katexOptions);

type TextNode = { type: string; value?: string; children?: readonly TextNode[] };
const textOf = (node: TextNode): string => (node.type === "text" ? (node.value ?? "") : (node.children ?? []).map(textOf).join(""));

function classesOf(node: HastElement): string[] {
  return Array.isArray(node.properties.className) ? node.properties.className.map(String) : [];
}

/**
 * The formulas KaTeX may draw: those within the bounds keep their `language-math` class, the others lose it and stay
 * the code they are (a `<code>`, or a fenced block for display math). Then KaTeX draws what kept the class.
 */
export function rehypeBoundedMath() {
  return (tree: HastRoot, file: VFile) => {
    let drawn = 0;
    const visit = (node: HastRoot | HastElement) => {
      for (const child of node.children) {
        if (child.type !== "element") continue;
        const classes = classesOf(child);
        if (child.tagName === "code" && classes.includes("language-math")) {
          const formula = textOf(child);
          drawn += formula.length;
          if (formula.length > MATH_MAX_CHARS || drawn > MATH_MAX_CHARS_PER_TEXT || DEFINES_MACRO.test(formula)) {
            const kept = classes.filter((c) => c !== "language-math" && c !== "math-inline" && c !== "math-display");
            child.properties.className = kept.length ? kept : undefined;
          }
        } else visit(child);
      }
    };
    visit(tree);
    renderMath(tree, file);
  };
}

/**
 * `$$x$$` alone in its paragraph (how models write a displayed formula on one line, and what `\[x\]` becomes) is
 * display math, as in LaTeX; remark-math makes it inline math unless the dollars are on lines of their own.
 */
export function remarkDisplayMathParagraphs() {
  return (tree: MdastRoot, file: VFile) => {
    const source = String(file.value);
    const visit = (node: { children?: unknown[] }) => {
      node.children?.forEach((child, index) => {
        const paragraph = child as Paragraph;
        if (paragraph.type !== "paragraph") return visit(child as { children?: unknown[] });
        const content = paragraph.children.filter((c) => !(c.type === "text" && !c.value.trim()));
        const only = content.length === 1 ? content[0] : undefined;
        if (only?.type !== "inlineMath" || !source.startsWith("$$", only.position?.start.offset ?? -1)) return;
        // What remark-math makes of `$$` on lines of their own (mdast-util-math): a <pre><code> KaTeX draws as display.
        const code = { type: "element", tagName: "code", properties: { className: ["language-math", "math-display"] }, children: [{ type: "text", value: only.value }] };
        node.children![index] = { type: "math", value: only.value, position: paragraph.position, data: { hName: "pre", hChildren: [code] } };
      });
    };
    visit(tree);
  };
}
