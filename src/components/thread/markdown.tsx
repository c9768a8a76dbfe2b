"use client";

import type { Element as HastElement, ElementContent as HastContent } from "hast";
import { createElement, memo, useSyncExternalStore, type ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import { useI18n } from "@/lib/client/i18n-provider";
import { classifyImage } from "@/lib/shared/image-source";
import { CopyButton } from "@/components/ui/copy-button";

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
 * after that does rehype-highlight add its <span class="hljs-…"> tokens.
 */
const remarkPlugins: ComponentProps<typeof ReactMarkdown>["remarkPlugins"] = [remarkGfm];
/**
 * react-markdown runs every plugin's setup on every render, and rehype-highlight's registers all its ~37 languages
 * in a new highlighter each time: that was most of a thread page's server time and of its hydration (20 turns hold
 * some 60 Markdown blocks; docs/long-threads.md). Its setup reads no processor state, so it runs once, here, and
 * every render shares the one highlighter (it keeps no state between blocks).
 */
const highlightCode = rehypeHighlight({ detect: false });
const rehypePlugins: ComponentProps<typeof ReactMarkdown>["rehypePlugins"] = [rehypeRawToText, rehypeSanitize, () => highlightCode];

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

/** A code block's frame: its language, a copy button, and the scrollable code. */
function CodeFrame({ language, text, children }: { language: string | undefined; text: string; children?: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{language ?? "text"}</span>
        <CopyButton text={text} label={t.copyCode} className="code-copy" showLabel />
      </div>
      {/* Scrollable regions must be focusable for keyboard users (axe: scrollable-region-focusable). */}
      <pre tabIndex={0}>{children}</pre>
    </div>
  );
}

const noSubscription = () => () => {};
/** `location.origin` in the browser; null on the server and while hydrating (so both render the same). */
const usePageOrigin = () =>
  useSyncExternalStore(
    noSubscription,
    () => window.location.origin,
    () => null,
  );

/**
 * An image in stored text. Only the app's own images load: another origin's would be fetched the moment the thread
 * opens, which is how a prompt-injected reply leaks data, and the page's CSP refuses them anyway. Such an
 * image is a placeholder naming its host, with a link that opens it in a new tab if the reader chooses: one image,
 * one click, no Referer, no opener. It is not loaded in place, which would need the CSP to allow any host for the
 * whole page.
 */
function MarkdownImage({ src, alt }: { src?: unknown; alt?: string }) {
  const { t } = useI18n();
  const origin = usePageOrigin();
  if (typeof src !== "string") return null;
  const image = classifyImage(src, origin);
  if (image.kind === "local") return <img src={image.src} alt={alt ?? ""} loading="lazy" referrerPolicy="no-referrer" />;
  if (image.kind === "invalid") return alt ? <span className="link-removed">{alt}</span> : null;
  // Spans only: an image sits inside a paragraph.
  return (
    <span className="remote-image" data-testid="remote-image">
      <span className="remote-image-text">
        {t.remoteImage(image.host)}
        {alt ? <span className="remote-image-alt"> “{alt}”</span> : null}
      </span>
      <a className="btn btn-sm" href={image.href} target="_blank" rel="noopener noreferrer nofollow ugc" aria-label={t.openRemoteImageLabel(image.host)}>
        {t.openRemoteImage}
      </a>
    </span>
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
 */
export const JsonCode = memo(function JsonCode({ json }: { json: string }) {
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
});

export const Markdown = memo(function Markdown({ children, className }: { children: string; className?: string }) {
  return (
    <div className={className ? `markdown ${className}` : "markdown"}>
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
});
