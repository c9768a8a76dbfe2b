/**
 * Rendered Markdown and highlighted code as HTML strings where nothing in them is interactive, so the browser does not
 * hydrate them node by node (docs/long-threads.md, "Static HTML inside the newest turns").
 *
 * The thread page renders its newest turns' Markdown and tool JSON on the server (prerender-steps.tsx). React hydrates
 * every element and text node of that output, one fiber each, although none of it has a handler: a tool step's JSON is
 * a span per token, a reply's table a cell per value. `staticChildren` walks such a tree and, under each element whose
 * whole content is plain elements and text, hands React that content as one string (`dangerouslySetInnerHTML`):
 * hydration then adopts the element and skips what is inside. A client component (a code block's copy button, an
 * image placeholder) stays a React element, and so does every element above it, so it hydrates as before.
 *
 * The string is written here, so it must be what React would write. Only what React renders plainly is converted: a
 * known, small set of attributes with string or number values (two boolean ones), `style` with text-align only,
 * text escaped as React escapes it. Anything else (an unknown attribute, a handler, a ref, an object value, an empty
 * or `javascript:` URL, which React itself rewrites or drops) leaves that element to React, unconverted. A unit test
 * compares React's own markup of each tree before and after over Markdown's whole vocabulary.
 */
import { createElement, Fragment, isValidElement, type ReactElement, type ReactNode } from "react";

/**
 * The elements written here: Markdown's (after rehype-sanitize), the highlighter's spans and icon shapes. Not the ones
 * React writes in its own way (inputs and forms, images, which it may preload, and the head's elements, which it hoists).
 */
const TAGS = new Set(
  "a abbr b blockquote br code dd del details div dl dt em h1 h2 h3 h4 h5 h6 hr i ins kbd li ol p pre q s samp section small span strike strong sub summary sup table tbody td tfoot th thead tr ul var circle ellipse g line path polygon polyline rect".split(" "),
);
/** Elements with no content or closing tag, written as React writes them (`<br/>`). */
const VOID = new Set(["br", "hr"]);
/** Attributes written as they are named in React props. */
const PLAIN = new Set(["id", "href", "src", "alt", "title", "target", "rel", "type", "start", "lang", "dir", "width", "height", "align", "fill", "stroke", "d", "transform", "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "x2", "y1", "y2", "points"]);
/** React props whose attribute has another name. */
const RENAMED: Record<string, string> = { className: "class", tabIndex: "tabindex", colSpan: "colspan", rowSpan: "rowspan" };
/** Boolean attributes React writes as `name=""` when true and leaves out when false. */
const BOOLEAN = new Set(["checked", "disabled"]);
/** Attributes React refuses or rewrites when their value is empty or a script URL. */
const URL_ATTRIBUTES = new Set(["href", "src"]);
// React's own check (sanitizeURL): control characters and spaces before the scheme, letters in any case, tabs and
// newlines anywhere in it.
// eslint-disable-next-line no-control-regex -- control characters before the scheme are exactly what it must see
const SCRIPT_URL = /^[\u0000-\u001F ]*j[\r\n\t]*a[\r\n\t]*v[\r\n\t]*a[\r\n\t]*s[\r\n\t]*c[\r\n\t]*r[\r\n\t]*i[\r\n\t]*p[\r\n\t]*t[\r\n\t]*:/i;

/** React's escaping of text and attribute values (escapeTextForBrowser). */
const ESCAPES: Record<string, string> = { '"': "&quot;", "&": "&amp;", "'": "&#x27;", "<": "&lt;", ">": "&gt;" };
const escape = (text: string) => text.replace(/["&'<>]/g, (c) => ESCAPES[c]!);

type Props = Record<string, unknown> & { children?: ReactNode; dangerouslySetInnerHTML?: { __html?: unknown } };

/** An element's attributes as React writes them, or null when one of them is not plainly written. */
function attributes(props: Props): string | null {
  let out = "";
  for (const [name, value] of Object.entries(props)) {
    if (name === "children" || name === "dangerouslySetInnerHTML" || value === undefined || value === null) continue;
    const dataOrAria = /^(data|aria)-[a-z0-9-]+$/.test(name);
    if (dataOrAria && typeof value === "boolean") {
      // React writes these as the words.
      out += ` ${name}="${value}"`;
      continue;
    }
    if (BOOLEAN.has(name)) {
      if (typeof value !== "boolean") return null;
      if (value) out += ` ${name}=""`;
      continue;
    }
    if (name === "style") {
      const style = value as Record<string, unknown>;
      const keys = Object.keys(style);
      if (typeof value !== "object" || keys.some((key) => key !== "textAlign" || typeof style[key] !== "string")) return null;
      if (keys.length) out += ` style="text-align:${escape(style.textAlign as string)}"`;
      continue;
    }
    const attribute = RENAMED[name] ?? (PLAIN.has(name) || dataOrAria ? name : null);
    if (!attribute || (typeof value !== "string" && typeof value !== "number")) return null;
    if (URL_ATTRIBUTES.has(name) && (value === "" || SCRIPT_URL.test(String(value)))) return null;
    out += ` ${attribute}="${escape(String(value))}"`;
  }
  return out;
}

/**
 * The HTML React would write for `node`, when it is made only of plain elements, fragments and text; otherwise null.
 * `expand`: function components known to be pure (no hooks, no state), called to see what they draw.
 */
export function staticHtml(node: ReactNode, expand: ReadonlySet<unknown> = NO_EXPAND): string | null {
  if (node === null || node === undefined || typeof node === "boolean") return "";
  if (typeof node === "string" || typeof node === "number" || typeof node === "bigint") return escape(String(node));
  if (Array.isArray(node)) {
    let out = "";
    for (const child of node) {
      const html = staticHtml(child as ReactNode, expand);
      if (html === null) return null;
      out += html;
    }
    return out;
  }
  if (!isValidElement(node)) return null;
  const element = node as ReactElement<Props>;
  if (element.type === Fragment) return staticHtml(element.props.children, expand);
  if (typeof element.type === "function" && expand.has(element.type)) return staticHtml((element.type as (props: Props) => ReactNode)(element.props), expand);
  if (typeof element.type !== "string" || !TAGS.has(element.type)) return null;
  const attrs = attributes(element.props);
  if (attrs === null) return null;
  const tag = element.type;
  if (VOID.has(tag)) return element.props.children == null && !element.props.dangerouslySetInnerHTML ? `<${tag}${attrs}/>` : null;
  const inner = element.props.dangerouslySetInnerHTML;
  const content = inner ? (typeof inner.__html === "string" ? inner.__html : null) : staticHtml(element.props.children, expand);
  return content === null ? null : `<${tag}${attrs}>${content}</${tag}>`;
}

const NO_EXPAND: ReadonlySet<unknown> = new Set();

/** True when `children` holds an element (a lone string is already one DOM write for React, nothing to save). */
const holdsElement = (children: ReactNode): boolean => (Array.isArray(children) ? children.some(holdsElement) : isValidElement(children));

/**
 * `node` with the content of every element that is only plain elements and text handed over as an HTML string
 * (above). The elements themselves, components (client or not) and the path to them are kept, with their keys.
 */
export function staticChildren(node: ReactNode, expand: ReadonlySet<unknown> = NO_EXPAND): ReactNode {
  if (Array.isArray(node)) return node.map((child) => staticChildren(child as ReactNode, expand));
  if (!isValidElement(node)) return node;
  const element = node as ReactElement<Props>;
  if (typeof element.type === "function" && expand.has(element.type)) {
    // Drawn here, in place of the component: the same thing React would draw for it.
    return staticChildren((element.type as (props: Props) => ReactNode)(element.props), expand);
  }
  const { children } = element.props;
  if (children === undefined || !holdsElement(children)) return element;
  const { children: _children, ...props } = element.props;
  const key = element.key === null ? {} : { key: element.key };
  if (typeof element.type === "string" && TAGS.has(element.type) && !VOID.has(element.type) && attributes(element.props) !== null) {
    const html = staticHtml(children, expand);
    if (html !== null) return createElement(element.type, { ...props, ...key, dangerouslySetInnerHTML: { __html: html } });
  }
  const kept = staticChildren(children, expand);
  return createElement(element.type, { ...props, ...key }, ...(Array.isArray(kept) ? kept : [kept]));
}
