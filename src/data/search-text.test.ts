import { describe, expect, it } from "vitest";
import { buildSnippet, foldWord, indexTerms, parseQuery, phraseSpans, stripMarkup, INDEXED_TEXT_MAX } from "./search-text";

describe("indexTerms", () => {
  it("English: words, lower-cased, punctuation dropped, each once", () => {
    expect(indexTerms("Hello, world! Hello again; it's 2025.")).toEqual(["hello", "world", "again", "it's", "2025"]);
  });

  it("accents and compatibility forms fold: é → e, ü → u, full-width → ASCII", () => {
    expect(indexTerms("Café Ünïcödé ＡＢＣ naïve")).toEqual(["cafe", "unicode", "abc", "naive"]);
    expect(foldWord("CAFÉ")).toBe(foldWord("cafe"));
  });

  it("Chinese and Japanese are segmented into words", () => {
    expect(indexTerms("我们的数据库很慢，需要优化查询")).toEqual(expect.arrayContaining(["我们", "数据", "查询"]));
    expect(indexTerms("東京の天気は晴れです")).toEqual(expect.arrayContaining(["東京", "天気", "晴れ"]));
  });

  it("code: identifiers whole and in pieces; Markdown and HTML reduced to words", () => {
    const terms = indexTerms("Call `getSignedUrl(presigned_url)` on foo.bar\n```ts\nconst x = 1;\n```\n[the docs](https://example.com/secret-path) <b>bold</b>");
    expect(terms).toEqual(expect.arrayContaining(["getsignedurl", "get", "signed", "url", "presigned_url", "presigned", "foo.bar", "foo", "bar", "const", "the", "docs", "bold"]));
    expect(terms).not.toContain("ts");
    expect(terms).not.toContain("secret");
    expect(terms).not.toContain("b");
  });

  // Hostile: each of these took V8's backtracking time quadratic in its length (50,000 characters: several seconds of
  // one blocked event loop each); linear, the whole test is a few milliseconds. The timeout is only a hang guard: the
  // old patterns blow through it by far, so no figure is asserted.
  it("strips text made to make its patterns backtrack in linear time, and still strips what they mean", { timeout: 5_000 }, () => {
    const n = 50_000;
    for (const hostile of ["[".repeat(n), "![".repeat(n / 2), "[a](".repeat(n / 4), "[](".repeat(n / 3), "<a".repeat(n / 2), "\n".repeat(n), " \n".repeat(n / 2), `|${"-".repeat(n)}x`, `${"|-".repeat(n / 2)}x`, `${"| -: ".repeat(n / 5)}x`, `|${" ".repeat(n)}x`]) {
      expect(stripMarkup(hostile)).toBe(hostile);
    }
    expect(stripMarkup("see [the docs](https://x.example/a b) and ![a cat](/c.png)")).toBe("see the docs and a cat");
    expect(stripMarkup("<b class=\"x\">bold</b>\n  ```ts\ncode\n```\n# Title")).toBe(" bold \n \ncode\nTitle");
  });

  it("reads a Markdown table as its cells, without its pipes and alignment row", () => {
    const table = "East leads.\n\n| Region | Revenue (€) | Deals |\n|---|---:|:---:|\n| East | 201,750 | 47 |\n\nDone.";
    expect(stripMarkup(table).replace(/\s+/g, " ")).toBe("East leads. Region · Revenue (€) · Deals East · 201,750 · 47 Done.");
    // Without the outer pipes, and a one-column table.
    expect(stripMarkup("a | b\n--- | ---\n1 | 2").replace(/\s+/g, " ")).toBe("a | b 1 | 2");
    expect(stripMarkup("| Only |\n| --- |\n| one |").replace(/\s+/g, " ")).toBe("Only one");
    // A pipe elsewhere is text: code, a shell pipeline, a rule.
    expect(stripMarkup("run `ls | wc -l`\n\n---\nx || y")).toBe("run ls | wc -l\n\n---\nx || y");
    expect(buildSnippet(table, parseQuery("revenue")).map((p) => p.text).join("")).toBe("East leads. Region · Revenue (€) · Deals East · 201,750 · 47 Done.");
  });

  it("indexes a long text only up to the documented cap", () => {
    const text = `${"filler ".repeat(INDEXED_TEXT_MAX / 7)} zebra`;
    expect(indexTerms(text)).not.toContain("zebra");
  });
});

describe("parseQuery and snippets", () => {
  it("the last word is a prefix, the others whole; case and accents folded", () => {
    expect(parseQuery("Rotate SIGNING kéys")).toEqual({ words: ["rotate", "signing"], prefix: "keys", phrases: [] });
    expect(parseQuery("  ?! ")).toEqual({ words: [], prefix: null, phrases: [] });
  });

  it("marks every matched word around the first match", () => {
    const parts = buildSnippet(`${"intro words ".repeat(20)}then the Presigned URL expired, so presign again`, parseQuery("url presig"));
    expect(parts[0]).toEqual({ text: "…" });
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(["Presigned", "URL", "presign"]);
  });

  it("puts the first match on the row's first line: at most 28 characters of context before it", () => {
    // The sidebar's row shows two lines of about 40 characters: with more lead, a phrase ended past the clamp.
    const parts = buildSnippet(`${"intro words ".repeat(20)}and can you chart revenue by region for me`, parseQuery('"revenue by region"'));
    const before = parts.slice(0, parts.findIndex((p) => p.mark)).map((p) => p.text).join("");
    expect(before.startsWith("…")).toBe(true);
    expect(before.length).toBeLessThanOrEqual(1 + 28);
    expect(parts.find((p) => p.mark)?.text).toBe("revenue by region");
  });

  it("shows no Markdown syntax in a snippet", () => {
    const text = buildSnippet("## Plan\nHere is **bold** and `code` and > quoted", parseQuery("bold"))
      .map((p) => p.text)
      .join("");
    expect(text).toBe("Plan Here is bold and code and > quoted");
  });
});

describe("quoted phrases", () => {
  const found = (text: string, query: string) => parseQuery(query).phrases.flatMap((phrase) => phraseSpans(text, phrase).map(({ start, end }) => text.slice(start, end)));

  it("a closed quote makes a phrase of whole words; an open one runs to the end, its last word typed; quotes never error", () => {
    expect(parseQuery('"Signed URL"')).toEqual({ words: ["signed", "url"], prefix: null, phrases: [{ words: ["signed", "url"], open: false }] });
    expect(parseQuery('expired "signed ur')).toEqual({ words: ["expired", "signed"], prefix: "ur", phrases: [{ words: ["signed", "ur"], open: true }] });
    expect(parseQuery("“signed url” expired")).toEqual({ words: ["signed", "url"], prefix: "expired", phrases: [{ words: ["signed", "url"], open: false }] });
    // A quoted single word is a whole word, not a prefix; stray quotes are nothing.
    expect(parseQuery('"url"')).toEqual({ words: ["url"], prefix: null, phrases: [] });
    expect(parseQuery('"')).toEqual({ words: [], prefix: null, phrases: [] });
    expect(parseQuery('""" a"b')).toMatchObject({ prefix: "b" });
  });

  it("matches words adjacent and in order, whatever the case, accents, spaces and punctuation between them", () => {
    expect(found("Use a Signed  URL, then", '"signed url"')).toEqual(["Signed  URL"]);
    expect(found("signed, url", '"signed url"')).toEqual(["signed, url"]);
    expect(found("the url is signed", '"signed url"')).toEqual([]);
    expect(found("signed the url", '"signed url"')).toEqual([]);
    expect(found("Le café fermé", '"cafe ferme"')).toEqual(["café fermé"]);
    // A word is whole unless it is being typed.
    expect(found("signed urls", '"signed url"')).toEqual([]);
    expect(found("signed urls", '"signed url')).toEqual(["signed urls"]);
    expect(found("signed urls", '"signed ur')).toEqual(["signed urls"]);
  });

  it("counts an identifier's pieces as words, as the index does", () => {
    expect(found("call getSignedUrl now", '"signed url"')).toEqual(["SignedUrl"]);
    expect(found("the presigned_url field", '"presigned url"')).toEqual(["presigned_url"]);
    expect(found("presignedUrl", '"presigned_url expired"')).toEqual([]);
    expect(found("presignedUrl expired", '"presigned_url expired"')).toEqual(["presignedUrl expired"]);
    // A quoted identifier is one word: it is not found in two words of the text.
    expect(found("presigned url expired", '"presigned_url expired"')).toEqual([]);
    expect(found("call getsignedurl", '"getSignedUrl now"')).toEqual([]);
  });

  it("finds Chinese phrases cut by the dictionary", () => {
    expect(found("我们的数据库很慢", '"数据库 很慢"')).toEqual(["数据库很慢"]);
  });

  it("marks the phrase as one piece in the snippet, and the other words alone", () => {
    const parts = buildSnippet("the url is signed. Later a Signed URL expired, signed again", parseQuery('"signed url" expired'));
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(["Signed URL", "expired"]);
  });
});
