import { describe, expect, it } from "vitest";
import { parseQuery } from "@/data/search-text";
import { matchedWordSpans } from "./search-words";

const marked = (text: string, query: string) => matchedWordSpans(text, parseQuery(query)).map(({ start, end }) => text.slice(start, end));

describe("matchedWordSpans: the words a search hit marks in its message", () => {
  it("marks whole words, and the last word typed as a prefix, whatever their case and accents", () => {
    expect(marked("Check the details. 3. Iterate, then iterate again.", "details itera")).toEqual(["details", "Iterate", "iterate"]);
    expect(marked("Un café au Café de Flore", "CAFE")).toEqual(["café", "Café"]);
  });

  it("does not mark a word that only starts with an earlier (whole) word of the query", () => {
    expect(marked("detailed details", "details x")).toEqual(["details"]);
  });

  it("marks words of scripts written without spaces, as the index cuts them", () => {
    // ICU's dictionary decides whether 数据库 is one word or 数据 + 库: either way 数据 is what gets marked first.
    expect(marked("我们的数据库很慢", "数据")).toEqual([expect.stringMatching(/^数据/)]);
  });

  it("marks a quoted phrase whole, and its words nowhere else", () => {
    expect(marked("the url is signed; a Signed URL, then", '"signed url"')).toEqual(["Signed URL"]);
  });

  it("marks nothing for a query without words", () => {
    expect(marked("anything at all", "  …  ")).toEqual([]);
  });
});
