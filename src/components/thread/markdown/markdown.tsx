import type { Element as HastElement, ElementContent as HastContent } from "hast";
import { createElement, memo, type ComponentProps, type ReactElement } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";
import { CodeFrame, MarkdownImage } from "./code-frame";
import { rehypeBoundedMath, remarkDisplayMathParagraphs } from "./math";
import { normalizeMathDelimiters } from "./math-delimiters";

/*
 * No "use client": this module runs where it is imported. The thread page's Server Component renders the stored turns'
 * Markdown with it, so the browser neither downloads nor runs the Markdown + highlight.js code (~357 KB) to show
 * or hydrate them; client components load it on demand through lazy-markdown.tsx (older pages, the streaming reply).
 * Its interactive parts (copy buttons, image placeholders) are client components of their own (code-frame.tsx).
 */

type AnyNode = { type: string; value?: string; children?: AnyNode[] };

/**
 * HTML written inside Markdown stays visible as the characters it is (a history should show what was said),
 * never as markup: every `raw` node becomes a text node, which React escapes. Without this, rehype-sanitize
 * would silently drop the tags and leave their inner text.
 */
function rehypeRawToText() {
  const walk = (node: AnyNode) => {
    node.children?.forEach((child, index) => {
      if (child.type === "raw") node.children![index] = { type: "text", value: child.value ?? "" };
      else walk(child);
    });
  };
  return (tree: AnyNode) => walk(tree);
}

/**
 * Stored step text is untrusted (any Chainlit app, any model wrote it). No rehype-raw, ever: HTML becomes text,
 * rehype-sanitize then applies GitHub's allow-list (no on* handlers, no javascript: URLs, no <script>), and only
 * after that do KaTeX draw the formulas (math.ts says why that order is safe) and rehype-highlight add its
 * <span class="hljs-…"> tokens.
 */
const remarkPlugins: ComponentProps<typeof ReactMarkdown>["remarkPlugins"] = [remarkGfm, remarkMath, remarkDisplayMathParagraphs];
/**
 * react-markdown runs every plugin's setup on every render, and rehype-highlight's registers all its ~37 languages
 * in a new highlighter each time: that was most of a thread page's server time and of its hydration (20 turns hold
 * some 60 Markdown blocks; docs/long-threads.md). Its setup reads no processor state, so it runs once, here, and
 * every render shares the one highlighter (it keeps no state between blocks).
 */
const highlightCode = rehypeHighlight({ detect: false });
const rehypePlugins: ComponentProps<typeof ReactMarkdown>["rehypePlugins"] = [rehypeRawToText, rehypeSanitize, rehypeBoundedMath, () => highlightCode];

function textOf(node: HastContent | HastElement | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value;
  if ("children" in node) return node.children.map((child) => textOf(child as HastContent)).join("");
  return "";
}

function CodeBlock({ node, children }: { node?: HastElement; children?: React.ReactNode }) {
  const code = node?.children.find((child): child is HastElement => child.type === "element" && child.tagName === "code");
  const classes = code?.properties?.className;
  const language = (Array.isArray(classes) ? classes : [])
    .map(String)
    .find((c) => c.startsWith("language-"))
    ?.slice("language-".length);
  return (
    <CodeFrame language={language} text={textOf(code ?? node).replace(/\n$/, "")}>
      {children}
    </CodeFrame>
  );
}

const components: Components = {
  pre: ({ node, children }) => <CodeBlock node={node}>{children}</CodeBlock>,
  // An unsafe URL (javascript:, data:…) arrives here emptied: show the text, not a link to this very page.
  a: ({ node: _node, href, children, ...rest }) =>
    href ? (
      <a {...rest} href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
        {children}
      </a>
    ) : (
      <span className="link-removed">{children}</span>
    ),
  table: ({ node: _node, ...rest }) => (
    <div className="table-wrap" tabIndex={0}>
      <table {...rest} />
    </div>
  ),
  // sanitize has already checked the URL's protocol; MarkdownImage decides whether it may be fetched.
  img: ({ node: _node, src, alt }) => <MarkdownImage src={src} alt={alt} />,
};

/** Hast from the highlighter (elements with classes, and text) as React nodes. */
function hastToReact(nodes: readonly HastContent[]): React.ReactNode[] {
  return nodes.map((node, i) =>
    node.type === "text" ? node.value : node.type === "element" ? createElement(node.tagName, { key: i, className: classNameOf(node) }, ...hastToReact(node.children)) : null,
  );
}
const classNameOf = (node: HastElement) => (Array.isArray(node.properties.className) ? node.properties.className.join(" ") : undefined);

/**
 * JSON, pretty-printed, as `<Markdown>` draws it in a fenced block: the same markup (a frame, hljs tokens), but made
 * straight from the text. A tool step's input and output are JSON, two blocks per turn, and going through the whole
 * Markdown pipeline for them was two thirds of a thread page's Markdown work, on the server and again at hydration.
 * A plain function (as `renderMarkdown`): the thread page's prerender keeps what it returns (prerender-steps.tsx).
 */
export function renderJsonCode(json: string): ReactElement {
  // What Markdown hands the highlighter for a fenced block: the text with its closing newline.
  const code: HastElement = { type: "element", tagName: "code", properties: { className: ["language-json"] }, children: [{ type: "text", value: `${json}\n` }] };
  const pre: HastElement = { type: "element", tagName: "pre", properties: {}, children: [code] };
  highlightCode({ type: "root", children: [pre] }, undefined as never);
  return (
    <div className="markdown">
      <CodeFrame language="json" text={json}>
        <code className={classNameOf(code)}>{hastToReact(code.children)}</code>
      </CodeFrame>
    </div>
  );
}

/**
 * The whole Markdown pipeline, run now, to React elements that hold no state (react-markdown's `Markdown` is a plain
 * function of its options): what `<Markdown>` renders, returned so a caller can keep it for the same text.
 */
export function renderMarkdown(text: string, className?: string): ReactElement {
  const wrap = className ? `markdown ${className}` : "markdown";
  if (text.length > MARKDOWN_MAX_CHARS || nestingDepth(text) > MARKDOWN_MAX_NESTING) return plainMarkdownText(text, wrap);
  let rendered: ReactElement;
  try {
    rendered = ReactMarkdown({ children: normalizeMathDelimiters(text), remarkPlugins, rehypePlugins, components });
  } catch {
    // The pipeline recurses per level of nesting: 20,000 `>` overflow the stack (a RangeError) and took the whole
    // page down with them, for the owner and every viewer of a share. Shown as the text it is instead.
    return plainMarkdownText(text, wrap);
  }
  return <div className={wrap}>{rendered}</div>;
}

/**
 * Text longer than this is shown as plain text, never parsed as Markdown: the parser's cost grows faster than the
 * text on text made for it (runs of `*a`, `~~a`, `[a]: `; docs/security.md, "Markdown"), and a reply may be 500,000
 * characters. Five times the longest answer a model writes in one turn.
 */
export const MARKDOWN_MAX_CHARS = 100_000;

/**
 * Containers (quotes, list items) nested deeper than this are not parsed: the parser's cost grows with the square of
 * the depth on every line, so 50 lines of 128 nested `- ` (13,000 characters) took seconds where as much prose takes
 * milliseconds. No answer nests lists or quotes 8 deep.
 */
export const MARKDOWN_MAX_NESTING = 8;

const isBlank = (c: string | undefined) => c === " " || c === "\t";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * The deepest nesting any line's start asks for, counted the way a parser would open containers, in one pass: each
 * `>`, each list marker (`-`, `*`, `+`, `1.`, `1)` followed by a blank or the line's end), and, on a line that opens a
 * list item, every two columns of indentation before its first marker (how nested items are written).
 */
export function nestingDepth(text: string): number {
  let deepest = 0;
  let at = 0;
  while (at < text.length) {
    let markers = 0;
    let indent = 0;
    let leading = true;
    for (;;) {
      const c = text[at];
      if (isBlank(c)) {
        if (leading) indent += c === "\t" ? 4 : 1;
        at++;
      } else if (c === ">") {
        markers++;
        leading = false;
        at++;
      } else if ((c === "-" || c === "*" || c === "+") && (isBlank(text[at + 1]) || text[at + 1] === "\n" || at + 1 === text.length)) {
        markers++;
        leading = false;
        at++;
      } else if (isDigit(c)) {
        let end = at;
        while (end - at < 9 && isDigit(text[end])) end++;
        const next = text[end + 1];
        if ((text[end] !== "." && text[end] !== ")") || !(isBlank(next) || next === "\n" || end + 1 === text.length)) break;
        markers++;
        leading = false;
        at = end + 1;
      } else break;
    }
    const listIndent = markers > 0 ? Math.floor(indent / 2) : 0;
    deepest = Math.max(deepest, markers + listIndent);
    const newline = text.indexOf("\n", at);
    at = newline === -1 ? text.length : newline + 1;
  }
  return deepest;
}

/** Text as it was written, line breaks kept: what a step shows when its Markdown is not rendered. */
export function plainMarkdownText(text: string, className = "markdown"): ReactElement {
  return (
    <div className={className}>
      <p className="markdown-plain">{text}</p>
    </div>
  );
}

export const JsonCode = memo(function JsonCode({ json }: { json: string }) {
  return renderJsonCode(json);
});

export const Markdown = memo(function Markdown({ children, className }: { children: string; className?: string }) {
  return renderMarkdown(children, className);
});
