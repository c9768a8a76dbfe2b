import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { ThreadStep } from "@/trpc/use-thread-cache";
import { Markdown } from "./markdown";
import { MATH_MAX_CHARS, MATH_MAX_CHARS_PER_TEXT } from "./math";
import { normalizeMathDelimiters } from "./math-delimiters";
import { prerenderSteps, SERVER_RENDER_TEXT_CHARS, renderCost } from "./prerender-steps";

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, null, text));
const count = (markup: string, needle: string) => markup.split(needle).length - 1;
/** The visible (KaTeX HTML) half only: the MathML half repeats every formula for screen readers. */
const formulas = (markup: string) => count(markup, '<span class="katex">');
const displays = (markup: string) => count(markup, '<span class="katex-display">');

describe("math in Markdown", () => {
  it("draws $…$ inline and $$…$$ as display, on their own lines or alone in a paragraph", () => {
    const inline = html("Area is $\\pi r^2$ here.");
    expect(formulas(inline)).toBe(1);
    expect(displays(inline)).toBe(0);
    expect(inline).toContain('<annotation encoding="application/x-tex">\\pi r^2</annotation>');
    expect(displays(html("$$\n\\int_0^1 x\\,dx\n$$"))).toBe(1);
    expect(displays(html("Then:\n\n$$E = mc^2$$\n\nso."))).toBe(1);
    // $$…$$ within a sentence stays inline.
    const within = html("so $$a+b$$ holds");
    expect([formulas(within), displays(within)]).toEqual([1, 0]);
  });

  it("draws \\(…\\) inline and \\[…\\] as display, as models write them", () => {
    const inline = html("where \\(x^2 + y^2\\) is the norm");
    expect([formulas(inline), displays(inline)]).toEqual([1, 0]);
    expect(inline).toContain(">x^2 + y^2</annotation>");
    expect(displays(html("\\[\n\\sum_{i=1}^n i\n\\]"))).toBe(1);
    expect(displays(html("\\[ \\frac{a}{b} \\]"))).toBe(1);
  });

  it("keeps currency as text: dollars open a formula only with no blank inside them and no digit after", () => {
    for (const text of ["It costs $5 and $10.", "between $20,000 and $30,000", "$5 or $ 6", "pay $5, get $5"]) {
      const markup = html(text);
      expect(formulas(markup), text).toBe(0);
      expect(markup).toContain(`<p>${text}</p>`);
    }
    // A real pair after a lone dollar is still math.
    expect(formulas(html("It costs $5 and $x$ more"))).toBe(1);
    expect(html("It costs $5 and $x$ more")).toContain("It costs $5 and ");
    // An escaped dollar stays one.
    expect(html("\\$x$ and y")).toContain("$x$ and y");
  });

  it("leaves code alone: code spans and fenced blocks keep \\(, \\[ and dollars as written", () => {
    const text = "Use `\\(x\\)` or `` $y$ ``.\n\n```tex\n\\[ a \\]\n$b$ costs $5\n```\n\n> - ```\n>   \\(c\\)\n>   ```\n\n~~~\n\\(d\\) $e$ ``\n~~~\n";
    expect(normalizeMathDelimiters(text)).toBe(text);
    const markup = html(text);
    expect(formulas(markup)).toBe(0);
    expect(markup).toContain("<code>\\(x\\)</code>");
    expect(markup).toContain("<code>$y$</code>");
    expect(markup).toContain("$b$ costs $5");
    expect(markup).toContain("\\(d\\) $e$ ``");
    // Indented code (a shell session) keeps its dollars; a nested list item's formula is still drawn.
    const shell = "Run:\n\n    $ npm install\n    $ echo $HOME \\(x\\)\n\nthen $y$.";
    expect(normalizeMathDelimiters(shell)).toBe(shell);
    expect(html(shell)).toContain("$ npm install\n$ echo $HOME \\(x\\)");
    expect(formulas(html("- a\n\n    - nested $x$"))).toBe(1);
        // And after the fence closes, math again.
    expect(formulas(html("```\n$a$\n```\n\n$b$"))).toBe(1);
  });

  it("normalises in one pass whatever the text (a hang guard, not a timing)", () => {
    for (const shape of ["\\(", "\\[", "$a ", "`$", "$$", "\\$", "a $"]) {
      const text = shape.repeat(40_000);
      expect(normalizeMathDelimiters(text).length).toBeGreaterThanOrEqual(text.length);
    }
  });

  it("shows a formula KaTeX cannot parse as its source, in the error colour, without a warning", () => {
    const warn = vi.spyOn(console, "warn");
    const markup = html("bad $\\frac{a$ and $é \\text{ü}$");
    expect(markup).toContain('class="katex-error"');
    expect(markup).toContain("color:var(--danger)");
    expect(markup).toContain("\\frac{a</span>");
    // strict: "ignore": non-LaTeX input (Unicode text in math mode) is neither thrown nor logged per formula.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});

/** Every attribute of the markup, as name=value. */
const attributes = (markup: string) => [...markup.matchAll(/\s([a-zA-Z:-]+)="([^"]*)"/g)].map((m) => ({ name: m[1]!, value: m[2]! }));
const KATEX_ATTRIBUTES = new Set(["class", "style", "aria-hidden", "xmlns", "encoding", "display", "mathvariant", "mathcolor", "width", "height", "viewBox", "preserveAspectRatio", "d", "title", "stretchy", "fence", "separator", "lspace", "rspace", "accent", "accentunder", "columnalign", "rowspacing", "columnspacing", "voffset", "mathbackground", "scriptlevel", "displaystyle", "minsize", "maxsize", "linethickness", "notation", "depth", "movablelimits", "symmetric"]);

describe("hostile formulas", () => {
  const hostile = [
    "$\\href{javascript:alert(1)}{x}$",
    "$\\url{javascript:alert(1)}$",
    "$\\htmlId{x}{y}$",
    "$\\htmlClass{x onmouseover=alert(1)}{y}$",
    '$\\htmlStyle{background:url(javascript:alert(1))}{y}$',
    '$\\htmlData{foo=javascript:alert(1)}{y}$',
    "$\\includegraphics[height=1em]{javascript:alert(1)}$",
    '$<img src=x onerror="alert(1)"> \\text{<script>alert(1)</script>}$',
    '$$\n\\text{"><svg onload=alert(1)>}\n$$',
    "$\\color{url(javascript:alert(1))}x \\textcolor{expression(alert(1))}{y} \\colorbox{red;background:url(javascript:alert(1))}{z}$",
  ];

  it.each(hostile)("%s draws nothing a script, link or fetch could use", (text) => {
    const markup = html(text);
    expect(markup).toMatch(/katex/);
    for (const { name, value } of attributes(markup)) {
      expect(KATEX_ATTRIBUTES, `${name}="${value}"`).toContain(name);
      // Only the error tooltip may repeat the writer's text (escaped, as text).
      if (name !== "title") expect(value, `${name}="${value}"`).not.toMatch(/javascript|alert|onerror|onload|onmouseover/i);
    }
    expect(markup).not.toMatch(/<(a|img|script|svg onload|iframe|object)[\s>]/);
    expect(markup).not.toMatch(/<[^>]*\s(href|src|id|data-[a-z-]+)=/);
  });

  it("caps the sizes a formula asks for (maxSize)", () => {
    const markup = html("$\\rule{1000em}{1000em}\\kern{500em}\\hspace{900em}x$");
    const styles = attributes(markup).filter((a) => a.name === "style" || a.name === "width" || a.name === "height");
    const sizes = styles.flatMap(({ value }) => [...value.matchAll(/(\d+(?:\.\d+)?)em/g)].map((m) => Number(m[1])));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
  });

  it("shows a formula that defines macros as code: a bomb cannot hold the server", () => {
    const body = "x".repeat(100);
    const bombs = [
      `$\\def\\a{${body}}\\def\\b{${"\\a".repeat(50)}}\\b\\b$`,
      "$\\def\\a{\\a\\a}\\a$",
      "$\\newcommand{\\a}{xx}\\newcommand{\\b}{\\a\\a\\a\\a}\\newcommand{\\c}{\\b\\b\\b\\b}\\c\\c\\c\\c$",
      "$\\gdef\\a{xx}\\a$",
      "$\\global\\let\\a=\\b x$",
    ];
    for (const bomb of bombs) {
      const markup = html(bomb);
      expect(formulas(markup), bomb).toBe(0);
      expect(markup).toContain(`<code>${bomb.slice(1, -1).slice(0, 14)}`);
    }
    // Built-in macros still expand (\neq, \dots are KaTeX macros).
    expect(formulas(html("$a \\neq b, \\dots$"))).toBe(1);
  });

  it(`shows a formula over ${MATH_MAX_CHARS} characters as code, and draws at most ${MATH_MAX_CHARS_PER_TEXT} characters of formulas per text`, () => {
    // One formula just over the bound, alone in its text; one of 98,000 characters.
    for (const formula of [`${"x+".repeat(MATH_MAX_CHARS / 2)}x`, "x+".repeat(49_000)]) {
      const markup = html(`$${formula}$`);
      expect(formulas(markup)).toBe(0);
      expect(markup).toContain(`<code>${formula}</code>`);
    }
    expect(formulas(html(`$${"y".repeat(MATH_MAX_CHARS)}$`))).toBe(1);
    const many = Array.from({ length: 30 }, (_, i) => `$${String.fromCharCode(97 + (i % 26)).repeat(1_000)}$`).join("\n\n");
    expect(formulas(html(many))).toBe(MATH_MAX_CHARS_PER_TEXT / 1_000);
  });

  it("counts formulas as markup in the server's render budget: hundreds of them are left to the browser", () => {
    const text = Array.from({ length: 300 }, (_, i) => `$x_${i}$`).join(" ");
    expect(text.length).toBeLessThan(SERVER_RENDER_TEXT_CHARS);
    expect(renderCost(text)).toBeGreaterThan(SERVER_RENDER_TEXT_CHARS);
    const step = { id: "m", threadId: "t", type: "assistant_message", output: text } as ThreadStep;
    expect(prerenderSteps([step])).toEqual({});
    const few = { ...step, output: "Euler: $e^{i\\pi} + 1 = 0$." };
    expect(renderToStaticMarkup(createElement("div", null, prerenderSteps([few])["m:output"]))).toContain('class="katex"');
  });

  it("counts a command's letters and a matrix's & as markup: formulas KaTeX draws into 100s of KB are left to the browser", () => {
    // Each under MATH_MAX_CHARS, so KaTeX would draw them: \LaTeX 333 times is 360 KB of markup and 4 s of the event loop.
    const heavy = ["\\LaTeX".repeat(333), "\\oiiint".repeat(285), `\\begin{matrix}${"a&".repeat(900)}\\end{matrix}`];
    for (const formula of heavy) {
      const text = `$${formula}$`;
      expect(formula.length).toBeLessThanOrEqual(MATH_MAX_CHARS);
      expect(renderCost(text), formula.slice(0, 12)).toBeGreaterThan(SERVER_RENDER_TEXT_CHARS);
      const step = { id: "h", threadId: "t", type: "assistant_message", output: text } as ThreadStep;
      expect(prerenderSteps([step]), formula.slice(0, 12)).toEqual({});
    }
    // A command's cost ends with its name: prose after a formula counts as prose.
    expect(renderCost("\\pi and more")).toBe("\\pi and more".length + 15 * 3);
  });
});
